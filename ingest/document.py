"""The domain objects of ingestion: what an article is, and the pieces it is indexed in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One news article. ``text`` is the exact text that every offset refers to."""

    doc_id: str
    text: str
    title: str = ""
    source: str | None = None
    published_at: str | None = None  # ISO 8601
    url: str | None = None
    author: str | None = None
    path: str | None = None  # the file it came from

    @property
    def content_hash(self) -> str:
        """Changes whenever anything a reader would see changes, so re-ingest can skip the rest."""
        h = hashlib.sha256()
        for part in (self.text, self.title, self.source, self.published_at, self.url, self.author):
            h.update((part or "").encode())
            h.update(b"\x00")
        return h.hexdigest()[:16]


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences from one document; ``text == document.text[start:end]``."""

    doc_id: str
    index: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class IngestProblem:
    """Something that could not be ingested, said so a person can find and fix it."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[IngestProblem] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0
    repaired: int = 0  # vectors removed or embedded again to bring the vector store back in step with the catalog
    removed: list[str] = field(default_factory=list)  # articles gone from a followed folder, and so from the index

    @property
    def ok(self) -> bool:
        return not self.problems

    def changes(self) -> str:
        """What changed in the index, e.g. "2 added, 1 removed"; empty when nothing did."""
        counts = ((self.added, "added"), (self.updated, "updated"), (self.removed, "removed"))
        return ", ".join(f"{len(ids)} {what}" for ids, what in counts if ids)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.problems)} problems; {self.chunks} chunks in {self.seconds:.1f}s"
            + (f"; {self.repaired} vectors repaired" if self.repaired else "")
        )


@dataclass(frozen=True)
class Unchanged:
    """An article a source still holds as it was, known without reading it again (a 304, an unchanged feed entry)."""

    doc_id: str
