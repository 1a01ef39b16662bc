"""What the assistant hands back: passages it found, citations it checked, and the answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

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
    score: float  # fused rank score: orders passages within one search
    similarity: float = 0.0  # cosine to the query; 0 when only keyword search found it

    @classmethod
    def of(
        cls, document: Document, chunk_id: str, text: str, start: int, end: int, score: float, similarity: float = 0.0
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


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    passages: list[Passage] = field(default_factory=list)  # the evidence the model saw, numbered from 1
    standalone_question: str | None = None  # the question as retrieved, when a follow-up was rewritten

    @property
    def searched(self) -> str:
        """What the passages were found for, and what the answer is checked against."""
        return self.standalone_question or self.question

    def to_dict(self) -> dict:
        return asdict(self)
