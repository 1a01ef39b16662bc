"""Answers made of an article's own sentences: what a person said, the sentence holding a value the model named, or
the closest a refusal can show. Nothing here is written by a model, so it reads the same on every machine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..types import Citation, Passage


class Citations:
    """Citations numbered in order of first use; citing one sentence twice gives one number."""

    def __init__(self) -> None:
        self.by_sentence: dict[tuple[str, int], Citation] = {}

    def cite(self, passage: Passage, quote: str, start: int, end: int) -> int:
        key = (passage.doc_id, start)
        if key not in self.by_sentence:
            self.by_sentence[key] = Citation(
                n=len(self.by_sentence) + 1,
                doc_id=passage.doc_id,
                title=passage.title,
                source=passage.source,
                published_at=passage.published_at,
                url=passage.url,
                quote=quote,
                start=start,
                end=end,
            )
        return self.by_sentence[key].n

    def all(self) -> list[Citation]:
        return list(self.by_sentence.values())


@dataclass(frozen=True)
class Quote:
    """A sentence of an article, verbatim, with the article's metadata in ``passage``."""

    passage: Passage
    text: str
    start: int
    end: int


def where(passage: Passage) -> str:
    """'“Ryanair fights EU compensation rules” (BBC News, 2005-01-17)'."""
    about = ", ".join(x for x in (passage.source, (passage.published_at or "")[:10]) if x)
    return f"“{passage.title}”" + (f" ({about})" if about else "")


def quoted(lead: str, quotes: Sequence[Quote], citations: Citations) -> str:
    """``lead``, then each article's sentences as a quotation block, each sentence cited to itself: a new line
    naming the article wherever the article changes."""
    lines = [lead] if lead else []
    article = None
    for quote in quotes:
        if quote.passage.doc_id != article:
            article = quote.passage.doc_id
            lines.append(f"In {where(quote.passage)}:")
        n = citations.cite(quote.passage, quote.text, quote.start, quote.end)
        lines.append(f"> {quote.text} [{n}]")
    return "\n".join(lines)
