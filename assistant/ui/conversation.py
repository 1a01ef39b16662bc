"""A conversation as the browser keeps it: each question with its answer as last shown, and that answer's own
sources. It is stored as JSON in the browser, so it survives a reload; what comes back from there is read
defensively, since it may be from an older version of the app or edited by hand."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

from ..types import Answer, Citation, Passage, Refusal

log = logging.getLogger(__name__)


class Phase(StrEnum):
    WAITING = "waiting"  # searching, or in line for the model
    ANSWERING = "answering"  # passages found: the answer being made
    DONE = "done"
    STOPPED = "stopped"  # by the person asking, or cut short by a reload
    FAILED = "failed"


@dataclass
class Turn:
    question: str
    phase: Phase = Phase.WAITING
    text: str = ""  # only ever checked text: what was shown stays
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)  # what the search found: the closest evidence
    refusal: Refusal | None = None
    follows: str | None = None  # the earlier question this one was read with
    filters: str = ""  # the filters it was asked with, as shown to the reader
    note: str = ""  # where it waits, or what went wrong

    @property
    def live(self) -> bool:
        return self.phase in (Phase.WAITING, Phase.ANSWERING)

    @property
    def markdown(self) -> str:
        """The answer with its numbered sources, for copying (``Answer.to_markdown``)."""
        return Answer(question=self.question, text=self.text, citations=self.citations).to_markdown()

    def finish(self, answer: Answer) -> None:
        self.phase = Phase.DONE
        self.text, self.citations, self.passages, self.refusal = (
            answer.text,
            answer.citations,
            answer.passages,
            answer.refusal,
        )
        self.note = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Turn:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["phase"] = Phase(values.get("phase", Phase.DONE))
        values["refusal"] = Refusal(values["refusal"]) if values.get("refusal") else None
        values["citations"] = [Citation(**c) for c in values.get("citations") or []]
        values["passages"] = [Passage(**p) for p in values.get("passages") or []]
        return cls(**values)


def restore(saved: Any) -> list[Turn]:
    """The turns kept in the browser. One that was still live when the page went away was cut short: it keeps
    what it had shown."""
    turns = []
    for item in saved if isinstance(saved, list) else []:
        try:
            turn = Turn.from_json(item)
        except (TypeError, ValueError, AttributeError) as error:
            log.warning("dropped a stored turn that could not be read: %s", error)
            continue
        if turn.live:
            turn.phase, turn.note = Phase.STOPPED, "Cut short when the page was reloaded."
        turns.append(turn)
    return turns


def dump(turns: list[Turn]) -> list[dict[str, Any]]:
    return [turn.to_json() for turn in turns]


def history(turns: list[Turn]) -> list[dict[str, str]]:
    """This chat's earlier turns as chat messages, for reading a follow-up question with the one before it."""
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": turn.question})
        if turn.text:
            messages.append({"role": "assistant", "content": turn.text})
    return messages
