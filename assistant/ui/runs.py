"""One question's answer, run in a thread of its own, its events coming out of a queue as they happen.

The local model answers one question at a time, so a question takes a place in the ``ModelLine`` when it comes. It
waits there only when it needs the model: a LangChain callback, active in this thread alone, holds each model call
until the question's turn comes. Answers that need no model (what a person said, a filter that matches nothing)
never wait. The same callback ends the model's writing at its next token when the person presses Stop."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Generator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.tracers.context import register_configure_hook

from ..types import Event
from .line import ModelLine

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05  # how often a question waiting in line looks again, and whether it was stopped


@dataclass(frozen=True)
class Waiting:
    ahead: int  # questions that hold or wait for the model before this one


@dataclass(frozen=True)
class Writing:
    """The model is this question's now."""


@dataclass(frozen=True)
class Failed:
    error: Exception


@dataclass(frozen=True)
class Ended:
    """Nothing more will come."""


Step = Event | Waiting | Writing | Failed | Ended


class Stopped(Exception):
    """Raised into the model's call to end it: the person stopped the question."""


class ModelGate(BaseCallbackHandler):
    """Holds a model call until its question's turn in line, and ends the call at a token once it is stopped."""

    raise_error = True  # so that Stopped reaches the model's loop rather than being logged and ignored
    run_inline = True

    def __init__(self, run: Run):
        self.run = run

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.run.wait_turn()

    def on_llm_start(self, *args: Any, **kwargs: Any) -> None:
        self.run.wait_turn()

    def on_llm_new_token(self, *args: Any, **kwargs: Any) -> None:
        if self.run.stopped.is_set():
            raise Stopped()


GATE: ContextVar[ModelGate | None] = ContextVar("newsdesk_model_gate", default=None)
register_configure_hook(GATE, inheritable=True)  # every LangChain run started where GATE is set gets the gate


class Run:
    def __init__(self, stream: Generator[Event, None, None], line: ModelLine, doing: str):
        self.stream = stream
        self.line = line
        self.ticket = line.join(doing)  # a place in line from the moment the question comes: first come, first served
        self.steps: queue.Queue[Step] = queue.Queue()
        self.stopped = threading.Event()
        self.writing = False
        self.thread = threading.Thread(target=self.run, daemon=True, name="answer")

    def start(self) -> Run:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()

    def next_step(self) -> Step | None:
        """The next step if one has come, else None."""
        try:
            return self.steps.get_nowait()
        except queue.Empty:
            return None

    def wait_turn(self) -> None:
        """Blocks the model's call until this question holds the model, saying where it waits meanwhile."""
        if self.writing:
            return
        shown = None
        while (ahead := self.line.ahead(self.ticket)) > 0:
            if self.stopped.is_set():
                raise Stopped()
            if ahead != shown:
                self.steps.put(Waiting(ahead))
                shown = ahead
            time.sleep(POLL_SECONDS)
        self.writing = True
        self.steps.put(Writing())

    def run(self) -> None:
        GATE.set(ModelGate(self))  # this thread's context only
        try:
            for event in self.stream:
                if self.stopped.is_set():
                    return
                self.steps.put(event)
        except Exception as error:
            if self.stopped.is_set():  # a stopped model call may come back as any error of its backend
                log.info("an answer was stopped while the model wrote it (%s)", type(error).__name__)
            else:
                log.exception("answering failed")
                self.steps.put(Failed(error))
        finally:
            self.stream.close()  # before the model is handed on
            self.line.leave(self.ticket)
            self.steps.put(Ended())
