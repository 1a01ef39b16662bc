"""Twenty people ask at once through the app: every question is answered, from its own article, none fails. The
model is a real local HTTP server that answers from its prompt (tests/model_server.py)."""

import asyncio
from dataclasses import dataclass

import pytest

from assistant import Assistant
from assistant.ui.app import Desk
from assistant.ui.conversation import Phase, restore

from .model_server import model_server
from .test_model_server_faults import settings
from .test_reliability import corpus, newsdesk

pytestmark = pytest.mark.slow  # a model server and twenty questions: make test, not make check

ASKED = 20


@dataclass
class Request:
    """What the app reads of Gradio's request: whose session it is."""

    session_hash: str


async def last(outputs) -> tuple:
    """The app's last outputs for a question: what the page shows once it is over."""
    seen = [output async for output in outputs]
    return seen[-1]


def test_twenty_concurrent_questions_are_all_answered_each_from_its_own_article(tmp_path):
    index = tmp_path / "index"
    assert newsdesk("ingest", str(corpus(tmp_path / "a.jsonl", ASKED)), index=index).returncode == 0
    questions = [f"What changed in the economy of region a{i}?" for i in range(ASKED)]
    with model_server() as (url, prompts):
        desk = Desk(Assistant(index, **settings(url)))

        async def everyone():
            asked = [desk.ask(q, [], None, "", "", False, Request(f"s{i}")) for i, q in enumerate(questions)]
            return await asyncio.wait_for(asyncio.gather(*(last(a) for a in asked)), timeout=120)

        finals = asyncio.run(everyone())
    assert len(prompts) == ASKED  # one model call each, in line
    for i, final in enumerate(finals):
        (turn,) = restore(final[0])
        assert turn.phase is Phase.DONE and turn.refusal is None and turn.text
        assert turn.question == questions[i] and {c.doc_id for c in turn.citations} == {f"a{i}"}, turn


@pytest.mark.llm
def test_questions_asked_at_once_take_turns_with_the_local_model_process_and_all_end(tmp_path, tiny_model):
    """The line of waiting questions is the app's; the model they wait for is a process of its own (tiny SmolLM2)."""
    asked = 4
    index = tmp_path / "index"
    assert newsdesk("ingest", str(corpus(tmp_path / "a.jsonl", asked)), index=index).returncode == 0
    questions = [f"What changed in the economy of region a{i}?" for i in range(asked)]
    assistant = Assistant(index, local_model_path=tiny_model, max_tokens=24)
    desk = Desk(assistant)

    async def everyone():
        running = [desk.ask(q, [], None, "", "", False, Request(f"s{i}")) for i, q in enumerate(questions)]
        return await asyncio.wait_for(asyncio.gather(*(last(a) for a in running)), timeout=600)

    finals = asyncio.run(everyone())
    for i, final in enumerate(finals):
        (turn,) = restore(final[0])
        assert turn.phase is Phase.DONE and turn.question == questions[i], turn.note
        assert turn.passages and turn.passages[0].doc_id == f"a{i}"
    assert assistant.answerer.llm.worker.ready  # one worker served them all, one at a time
