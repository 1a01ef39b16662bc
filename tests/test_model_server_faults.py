"""A model server that hangs, fails or sends nonsense: one line naming it, in the API, the CLI and the app, whose
evidence stays on screen. Real HTTP servers on localhost that misbehave on purpose (tests/model_server.py)."""

import time

import pytest
from click.testing import CliRunner

from assistant import Assistant, ModelServerError
from assistant.cli import cli
from assistant.ui.app import Desk
from assistant.ui.conversation import Phase, Turn
from assistant.ui.line import ModelLine
from assistant.ui.render import conversation_html
from assistant.ui.runs import Ended, Run

from .model_server import FAIL, HANG, MALFORMED, backend, model_server
from .test_reliability import corpus, newsdesk

QUESTION = "What changed in the economy of region a3?"
WHAT = {HANG: "did not answer within 1 s", FAIL: "answered HTTP 500", MALFORMED: "sent something unreadable"}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    assert newsdesk("ingest", str(corpus(folder / "a.jsonl", 6)), index=folder / "index").returncode == 0
    return folder / "index"


def settings(url: str) -> dict:
    return {name.removeprefix("NEWSDESK_").lower(): value for name, value in backend(url).items()}


@pytest.mark.parametrize("behaviour", [HANG, FAIL, MALFORMED])
def test_the_api_raises_one_line_naming_the_server(index, behaviour):
    with model_server(behaviour) as (url, prompts):
        started = time.monotonic()
        with pytest.raises(ModelServerError) as raised:
            Assistant(index, **settings(url)).ask(QUESTION)
        assert time.monotonic() - started < 10 and prompts
    message = str(raised.value)
    assert message.startswith(f"the model server at {url} {WHAT[behaviour]}") and "\n" not in message


@pytest.mark.parametrize("behaviour", [HANG, FAIL, MALFORMED])
def test_the_cli_says_it_in_one_line_and_exits_non_zero(index, behaviour):
    with model_server(behaviour) as (url, _):
        result = CliRunner().invoke(cli, ["--index", str(index), "ask", QUESTION], env=backend(url))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: the model server at") and WHAT[behaviour] in line and url in line


def test_the_app_keeps_the_evidence_and_says_what_failed(index):
    with model_server(FAIL) as (url, _):
        assistant = Assistant(index, **settings(url))
        desk, turn = Desk(assistant), Turn(QUESTION)
        run = Run(assistant.stream(QUESTION), ModelLine(), "answering").start()
        while not isinstance(step := run.next_step(), Ended):
            if step is not None:
                desk.show(turn, step)
            time.sleep(0.01)
    assert turn.phase is Phase.FAILED and "answered HTTP 500" in turn.note
    assert turn.passages and turn.passages[0].doc_id == "a3"
    page = conversation_html([turn])
    assert "answered HTTP 500" in page and turn.passages[0].title in page


@pytest.mark.parametrize(("behaviour", "asked"), [(HANG, 1), (FAIL, 3)])
def test_a_silent_server_is_not_asked_again_and_a_failing_one_is(index, behaviour, asked):
    """Waiting out a silent server's read timeout again would only triple the wait; a 500 may pass."""
    with model_server(behaviour) as (url, prompts):
        with pytest.raises(ModelServerError):
            Assistant(index, **(settings(url) | {"llm_retries": 2})).ask(QUESTION)
        assert len(prompts) == asked
