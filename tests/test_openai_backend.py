"""The openai backend against a real OpenAI-compatible HTTP server on localhost (llama-cpp-python's)."""

import subprocess
import sys

import pytest

from assistant import Assistant, FinalAnswer, ModelServerError, PassagesFound, TextDelta

from .conftest import free_port, wait_for_http


@pytest.fixture(scope="module")
def server(tiny_model, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(tiny_model),
            "--model_alias",
            "smollm2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/v1/models", process, log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_answers_stream_from_an_openai_compatible_server(seeded, server):
    assistant = Assistant(
        seeded, llm_backend="openai", openai_base_url=server, openai_model="smollm2", openai_api_key="test"
    )
    found, *deltas, final = assistant.stream("What will the U.S. lift in exchange?")
    assert isinstance(found, PassagesFound) and all(isinstance(d, TextDelta) for d in deltas)
    assert isinstance(final, FinalAnswer)
    answer = final.answer
    assert any(draft.strip() for draft in answer.drafts) and answer.passages  # the server wrote something
    assert "".join(d.text for d in deltas) in ("", answer.text)
    for citation in answer.citations:
        assert assistant.document(citation.doc_id).text[citation.start : citation.end] == citation.quote


def test_a_server_that_is_not_there_is_a_clear_error(seeded):
    assistant = Assistant(
        seeded,
        llm_backend="openai",
        openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
        openai_model="x",
        llm_retries=0,
    )
    with pytest.raises(
        ModelServerError, match=r"^the model server at http://127\.0\.0\.1:\d+/v1 refused the connection"
    ):
        assistant.ask("What will the U.S. lift in exchange?")
