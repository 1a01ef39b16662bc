"""Answers made of an article's own sentences: what a person said, or the sentence that answers the question when
the model's text gave no answer that checks out. Nothing here is written by a model, so it reads the same on every
machine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..question import Expects, Question
from ..types import Citation, Passage, Source
from .answerability import Rarity, about_any_part, in_its_article, new_values, relation
from .policy import Policy
from .support import Similarity


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


def answering_sentence(question: Question, sources: Sequence[Source], rarity: Rarity, policy: Policy) -> Quote | None:
    """The shown sentence that answers the question best, if one does: about what was asked (and about what it asks
    of whom it names, in its own words), holding what it asks for. A quote gives no verdict: see
    ``sentences_for_each_part``."""
    if question.expects in (Expects.VERDICT, Expects.QUOTE):
        return None
    question = question.itself()
    best: tuple[tuple[float, float], Quote] | None = None
    for source in sources:
        for i, sentence in enumerate(source.sentences):
            if not new_values(question, sentence.text):
                continue
            context = f"{source.header} {source.sentences[i - 1].text if i else ''} {sentence.text}"
            lent = in_its_article(question, rarity, sentence.text, context, source.article, policy.min_relation)
            # Ranked by what the sentence itself holds: one naming whom the question names before one lent them.
            share = (about_any_part(question, rarity, context), about_any_part(question, rarity, lent))
            if (
                share[1] >= policy.min_about_to_quote
                and relation(question, rarity, sentence.text) >= policy.min_relation
                and (best is None or share > best[0])
            ):
                best = (share, Quote(source.passage, sentence.text, sentence.start, sentence.end))
    return best[1] if best else None


def sentences_for_each_part(
    question: Question, sources: Sequence[Source], similarity: Similarity, policy: Policy
) -> list[Quote]:
    """For a yes/no question, the shown sentence closest in meaning to each of its parts, from the outlets that part
    names: what the reader needs to judge the verdict, when the model's could not be checked. All parts or none."""
    parts = [(p.text, p.outlets) for p in question.parts] or [(question.text, tuple(question.named_sources))]
    found: list[Quote] = []
    for text, outlets in parts:
        among = [(s, e) for s in sources for e in s.sentences if not outlets or s.passage.source in outlets]
        if not among:
            return []
        cosines = similarity(text, [e.text for _, e in among])
        best = max(range(len(among)), key=cosines.__getitem__)
        if cosines[best] < policy.min_part_similarity_to_quote:
            return []
        source, sentence = among[best]
        found.append(Quote(source.passage, sentence.text, sentence.start, sentence.end))
    return list({(q.passage.doc_id, q.start): q for q in found}.values())
