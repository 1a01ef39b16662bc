"""What the assistant hands back: passages it found, citations it checked, the answer, and the events of a stream."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ingest import Document


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its article's metadata; ``text == document.text[start:end]``."""

    chunk_id: str
    doc_id: str
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    author: str | None
    text: str
    start: int
    end: int
    score: float = 0.0  # fused rank score: orders passages within one search
    similarity: float = 0.0  # cosine to the query; 0 when only keyword search found it

    @classmethod
    def of(
        cls,
        document: Document,
        chunk_id: str,
        text: str,
        start: int,
        end: int,
        score: float = 0.0,
        similarity: float = 0.0,
    ) -> Passage:
        """``text`` (``document.text[start:end]``) with its article's metadata."""
        return cls(
            chunk_id=chunk_id,
            doc_id=document.doc_id,
            title=document.title,
            source=document.source,
            published_at=document.published_at,
            url=document.url,
            author=document.author,
            text=text,
            start=start,
            end=end,
            score=score,
            similarity=similarity,
        )


@dataclass(frozen=True)
class Citation:
    """Source ``n`` of an answer: the article and the verbatim sentence that supports the claim."""

    n: int
    doc_id: str
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    quote: str
    start: int  # character offsets of ``quote`` in the document text
    end: int


class Made(StrEnum):
    """How an answer was made."""

    WRITTEN = "written"  # the model's sentences, each checked against the sentence it cites
    EXTRACTED = "extracted"  # the one value asked for, named by the model, with the sentence holding it quoted
    STATEMENTS = "statements"  # what a person said, in their own words, from the statements index
    REFUSED = "refused"


class Refusal(StrEnum):
    """Why no answer was given."""

    NOTHING_FOUND = "nothing_found"  # no article is about the question
    NOT_STATED = "not_stated"  # articles about it were found, but none says what was asked
    NO_MATCHING_ARTICLES = "no_matching_articles"  # the filters match no article
    NOT_QUOTED = "not_quoted"  # the person is quoted, but not on this topic


@dataclass(frozen=True)
class Dropped:
    """A sentence of the model's that did not reach the answer, and the rule that kept it out."""

    sentence: str
    reason: str


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    passages: list[Passage] = field(default_factory=list)  # what the search found
    standalone_question: str | None = None  # the question as searched, when a follow-up was read with its question
    made: Made = Made.WRITTEN
    refusal: Refusal | None = None
    drafts: list[str] = field(default_factory=list)  # the model's text in each round of reading, before the check
    dropped: list[Dropped] = field(default_factory=list)

    @property
    def searched(self) -> str:
        """What the passages were found for, and what the answer is checked against."""
        return self.standalone_question or self.question

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_markdown(self) -> str:
        """The answer with its numbered sources, for copying or export."""
        lines = [self.text]
        if self.citations:
            lines.append("")
        for c in self.citations:
            about = ", ".join(x for x in (c.source, (c.published_at or "")[:10]) if x)
            title = f"[{c.title}]({c.url})" if c.url and c.url.startswith(("http://", "https://")) else c.title
            lines.append(f"[{c.n}] {title}" + (f" ({about})" if about else "") + f": “{c.quote}”")
        return "\n".join(lines)


@dataclass(frozen=True)
class Evidence:
    """One sentence of one passage, with its offsets in the document."""

    passage: int  # index into the retrieved passages
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Source:
    """What the model sees as source ``[n]``: a passage, cut down to the sentences that matter."""

    n: int
    passage: Passage
    sentences: list[Evidence]

    @property
    def text(self) -> str:
        return " … ".join(s.text for s in self.sentences)

    @property
    def article(self) -> str:
        """The header with the whole passage the sentences were cut from: what the article says around them."""
        return f"{self.header} {self.passage.text}"

    @property
    def header(self) -> str:
        """'Title (Outlet, October 1, 2023)': who published it and when is evidence too. A title made from the
        article's first sentence is left out when that sentence is shown anyway: prompt tokens cost time."""
        p = self.passage
        when = datetime.fromisoformat(p.published_at).strftime("%B %-d, %Y") if p.published_at else None
        about = ", ".join(x for x in (p.source, when) if x)
        title = "" if self.text.startswith(p.title.rstrip("…").rstrip()) else p.title
        return " ".join(x for x in (title, f"({about})" if about else "") if x)


@dataclass(frozen=True)
class PassagesFound:
    """The passages found for the question, before any answer: evidence to show at once."""

    passages: list[Passage]


@dataclass(frozen=True)
class TextDelta:
    """Text of the answer as it will stay, already checked, with the citations it brings."""

    text: str
    citations: list[Citation] = field(default_factory=list)


@dataclass(frozen=True)
class FinalAnswer:
    answer: Answer


Event = PassagesFound | TextDelta | FinalAnswer
