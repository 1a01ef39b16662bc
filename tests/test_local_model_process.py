"""The local model runs in a supervised child process: a native crash in llama.cpp (here a real SIGSEGV sent to the
real worker in the middle of an answer) ends that one answer in one line, and the next question is answered. The
tiny SmolLM2 runs the same code path as the default model; no test asserts its words."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant import Assistant, ModelStopped, PassagesFound
from assistant.generation.llm import LocalChatModel
from assistant.generation.supervisor import stop_workers

from .conftest import crashing_model

pytestmark = pytest.mark.llm
DELEGATION = "Who led the Chinese delegation in Kuala Lumpur?"
NEWSDESK = Path(sys.executable).parent / "newsdesk"


@pytest.fixture(autouse=True)
def fresh_workers():
    """Each test starts its own worker, as a new process of the app would."""
    stop_workers()
    yield
    stop_workers()


def test_a_crash_in_the_middle_of_an_answer_ends_it_in_one_line_and_the_next_question_is_answered(seeded, tiny_model):
    model, killer = crashing_model(tiny_model, max_tokens=64)
    assistant = Assistant(seeded, llm=model)
    assistant.warm_up()
    repacked = model.worker.config.repack
    events = []
    killer.armed.set()
    with pytest.raises(ModelStopped) as raised:
        events.extend(assistant.stream(DELEGATION))
    message = str(raised.value)
    assert message.startswith("the local model stopped (signal 11, SIGSEGV) and was restarted")
    assert message.endswith("ask again") and "\n" not in message
    assert ("without weight repacking" in message) == repacked
    assert isinstance(events[0], PassagesFound) and events[0].passages  # what was found came before the crash
    assert killer.killed and model.worker.pid not in (None, killer.killed[0])
    assert model.worker.config.repack is False  # repacking is what a crash is likeliest to come from

    answer = assistant.ask(DELEGATION)
    assert answer.drafts and answer.drafts[0]  # the new worker wrote, whatever its words
    assert answer.passages


def test_a_stopped_answer_is_cancelled_in_the_worker_and_nothing_of_it_reaches_the_next(tiny_model):
    model = LocalChatModel(model_path=str(tiny_model), max_tokens=200)
    stream = model.stream("Write a long story about a lighthouse keeper.")
    assert next(stream).content and next(stream).content
    stream.close()  # as Stop does, between two tokens
    pieces = [chunk.content for chunk in model.stream("Say one word.", max_tokens=1) if chunk.content]
    assert len(pieces) <= 1  # one token at most: the stopped story's remaining tokens were not taken for it


def test_a_model_that_cannot_start_is_one_line_and_the_next_question_tries_again(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(4096))
    model = LocalChatModel(model_path=str(broken))
    for _ in range(2):
        with pytest.raises(ModelStopped) as raised:
            model.invoke("Hello?")
        message = str(raised.value)
        assert message.startswith("the local model could not start (exit code 1)") and "\n" not in message


def worker_of(pid: int) -> int | None:
    """The local model's process among the children of ``pid``."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and "worker.py" in (stat.parent / "cmdline").read_text():
                return int(stat.parent.name)
        except (OSError, IndexError, ValueError):
            continue
    return None


def cpu_seconds(pid: int) -> float:
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow  # a CLI process loading the index, and a worker under it
def test_the_cli_says_the_model_stopped_in_one_line_with_the_passages_found(seeded, tiny_model):
    env = {**os.environ, "NEWSDESK_LOCAL_MODEL_PATH": str(tiny_model), "NEWSDESK_MAX_TOKENS": "400"}
    cli = subprocess.Popen(
        [str(NEWSDESK), "--index", str(seeded), "ask", DELEGATION],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    killed = threading.Event()

    def kill_while_it_writes():
        # Once the worker has loaded the model and worked a while on the answer, it is in the middle of it.
        deadline = time.monotonic() + 300
        while cli.poll() is None and time.monotonic() < deadline:
            worker = worker_of(cli.pid)
            if worker and cpu_seconds(worker) > 1.0:
                os.kill(worker, signal.SIGSEGV)
                killed.set()
                return
            time.sleep(0.05)

    threading.Thread(target=kill_while_it_writes, daemon=True).start()
    out, err = cli.communicate(timeout=600)
    assert killed.is_set(), f"the answer ended before the worker could be killed: {out}"
    assert cli.returncode == 1
    (line,) = err.strip().splitlines()
    assert line.startswith("Error: the local model stopped (signal 11, SIGSEGV) and was restarted")
    assert "Passages found" in out and "Kuala Lumpur" in out  # what the question found is still shown


def test_the_prompt_prefix_cached_in_the_worker_spares_the_next_question_its_tokens(tiny_model):
    model = LocalChatModel(model_path=str(tiny_model), max_tokens=1)
    instruction = "You answer questions about news articles using only the sources you are given. " * 8
    first = [{"role": "system", "content": instruction}, {"role": "user", "content": "Who led the talks?"}]
    second = [{"role": "system", "content": instruction}, {"role": "user", "content": "Where were they held?"}]
    list(model.worker.chat(first, {"max_tokens": 1}))
    cold = model.worker.prompt_evaluated
    list(model.worker.chat(second, {"max_tokens": 1}))
    warm = model.worker.prompt_evaluated
    assert cold and warm and cold > 100 and warm < 20  # only the new question's tokens were evaluated


def test_a_crash_while_warming_up_is_tried_again_once_and_leaves_a_warm_model(seeded, tiny_model):
    """As on the AMX machines where llama.cpp crashed reading the warm-up's prompt: the seeds, whole in the prefix."""
    model, killer = crashing_model(tiny_model, after_start=0.5)
    model.worker.started()  # loaded, so that the kill lands in the warm-up's prompt, not in loading
    repacked = model.worker.config.repack
    killer.armed.set()
    Assistant(seeded, llm=model, collection_chars=8000).warm_up()
    assert killer.killed and model.worker.ready and model.worker.pid != killer.killed[0]
    assert model.worker.prompt_evaluated and model.worker.prompt_evaluated > 500  # the whole prefix, again
    if repacked:  # the crash was seen in the warm-up, not found later: the new worker runs without repacking
        assert model.worker.config.repack is False
