"""The local model in a supervised child process (``worker.py``), as Ollama and LM Studio run their llama.cpp runners.

When the worker dies (a signal, the OOM killer), the answer in flight ends in one ``ModelStopped`` line, and a new
worker starts at once, without weight repacking if the dead one had it. The app, the CLI and a user's script go on.
Prompt-prefix caching lives in the worker, which serves one request at a time; a stopped request is cancelled at
the worker's next token."""

from __future__ import annotations

import atexit
import itertools
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Generator
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from .cpu import missing_instructions, read_cpu_flags
from .errors import ModelServerError

log = logging.getLogger(__name__)
WORKER = Path(__file__).with_name("worker.py")
# What scripts/setup.sh records of the llama.cpp build it installed: the instruction sets it was compiled for.
BUILD_RECORD = Path(sys.prefix) / "newsdesk-llama-cpu.txt"


class ModelStopped(ModelServerError):
    """The local model's process died while answering, or could not start."""


@dataclass(frozen=True)
class WorkerConfig:
    model_path: str
    context_tokens: int
    threads: int
    repack: bool


def built_for(record: Path = BUILD_RECORD) -> frozenset[str] | None:
    """The instruction sets the installed llama.cpp was compiled for, when setup recorded them."""
    try:
        return frozenset(record.read_text().split())
    except OSError:
        return None


def build_problem(built: frozenset[str] | None, flags: frozenset[str]) -> str | None:
    """Why the installed llama.cpp must not run on a CPU with these flags, or None."""
    lacking = missing_instructions(built, flags) if built and flags else []
    if not lacking:
        return None
    return (
        f"llama.cpp in {sys.prefix} was built for a CPU with {', '.join(lacking)}, which this CPU lacks; "
        "run ./scripts/setup.sh to build it for this machine"
    )


def how_it_ended(code: int) -> str:
    if code < 0:
        try:
            return f"signal {-code}, {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


class LocalWorker:
    """One llama.cpp process, started when first needed and again whenever it dies."""

    def __init__(self, config: WorkerConfig):
        self.config = config
        self.process: subprocess.Popen | None = None
        self.ready = False
        self.system_info = ""
        self.lock = threading.Lock()  # one request at a time: the worker has one context
        self.ids = itertools.count(1)
        self.stderr_tail: deque[str] = deque(maxlen=20)
        self.stderr_reader: threading.Thread | None = None
        self.prompt_evaluated: int | None = None  # prompt tokens the last request cost, past the cached prefix

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        """Starts a worker; it loads the model while the caller goes on."""
        problem = build_problem(built_for(), read_cpu_flags())
        if problem:
            raise ModelStopped(problem)
        self.ready = False
        self.process = subprocess.Popen(
            # -P: the script's folder (this package's modules) is not put first on the worker's import path.
            [sys.executable, "-P", str(WORKER), json.dumps(self.config.__dict__)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
            # Its own process group: a Ctrl-C in the terminal reaches the app, which ends the worker in order.
            start_new_session=True,
        )
        assert self.process.stderr
        self.stderr_reader = threading.Thread(target=self.keep_stderr, args=(self.process.stderr,), daemon=True)
        self.stderr_reader.start()

    def keep_stderr(self, stream: IO[str]) -> None:
        for line in stream:
            self.stderr_tail.append(line.rstrip())
            log.debug("local model: %s", line.rstrip())

    def started(self) -> subprocess.Popen:
        """The worker, once it has loaded the model: started now if none runs."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        assert self.process
        while not self.ready:
            message = self.receive()
            if message.get("ready"):
                self.ready, self.system_info = True, message.get("system_info", "")
        return self.process

    def send(self, message: dict) -> None:
        assert self.process and self.process.stdin
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self.died() from None

    def receive(self) -> dict:
        assert self.process and self.process.stdout
        line = self.process.stdout.readline()
        if not line:
            raise self.died()
        return json.loads(line)

    def died(self) -> ModelStopped:
        """The error for the request in flight; a worker that had loaded the model is started again at once."""
        assert self.process
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # it closed its output but lingers: it is of no more use
            self.process.kill()
            code = self.process.wait()
        if self.stderr_reader:
            self.stderr_reader.join(timeout=2)  # its last words, which say why it could not start
        how = how_it_ended(code)
        if not self.ready:
            last = self.stderr_tail[-1] if self.stderr_tail and code >= 0 else ""
            log.info("the local model could not start (%s); its last words: %s", how, list(self.stderr_tail))
            return ModelStopped(f"the local model could not start ({how}){': ' + last if last else ''}")
        without = ""
        if self.config.repack:
            # Repacking selects CPU-specific matrix kernels, the likeliest native crash: the next worker runs without.
            self.config, without = replace(self.config, repack=False), " without weight repacking"
        log.info("the local model stopped (%s); its last words: %s", how, list(self.stderr_tail))
        self.start()
        return ModelStopped(f"the local model stopped ({how}) and was restarted{without}; ask again")

    def chat(self, messages: list[dict], options: dict[str, Any]) -> Generator[str, None, None]:
        """The model's text for ``messages``, in pieces. Closing the iterator cancels the request in the worker."""
        with self.lock:
            self.started()
            rid = next(self.ids)
            self.send({"op": "chat", "id": rid, "messages": messages, "options": options})
            finished = False
            try:
                while True:
                    message = self.receive()
                    if message.get("id") != rid:
                        continue  # the tail of a request stopped before this one
                    if "delta" in message:
                        yield message["delta"]
                    elif "error" in message:
                        finished = True
                        raise ModelServerError(f"the local model failed: {message['error']}")
                    else:
                        finished = True
                        self.prompt_evaluated = message.get("prompt_evaluated")
                        return
            except ModelStopped:
                finished = True
                raise
            finally:
                if not finished:
                    with suppress(ModelStopped):  # a worker that died meanwhile was restarted: nothing to cancel
                        self.send({"op": "cancel", "id": rid})

    def stop(self) -> None:
        """Ends the worker: it holds nothing to save."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


WORKERS: dict[WorkerConfig, LocalWorker] = {}
KEPT = 2  # workers kept at once, each holding a model in memory: the least recently used one is ended
_registry = threading.Lock()


def local_worker(config: WorkerConfig) -> LocalWorker:
    """The worker for this model and these settings in this process, shared by every chat model that names them."""
    with _registry:
        worker = WORKERS.pop(config, None) or LocalWorker(config)
        WORKERS[config] = worker  # most recently used last
        while len(WORKERS) > KEPT:
            oldest = next(iter(WORKERS))
            WORKERS.pop(oldest).stop()
        return worker


@atexit.register
def stop_workers() -> None:
    with _registry:
        for worker in WORKERS.values():
            worker.stop()
        WORKERS.clear()


def default_threads() -> int:
    # llama-cpp-python generates on half the cores unless told otherwise; on a small machine that halves speed.
    return os.cpu_count() or 1
