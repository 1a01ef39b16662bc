"""Passages to the few sentences that answer the question: a tight prompt is a fast prompt on a CPU."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ingest import Document
from ingest.sentences import sentence_spans
from ingest.terms import content_words

from .question_hints import mentioned_outlets, question_parts
from .types import Passage

# A sentence that opens like this leans on the one before it for who is speaking.
DANGLING = re.compile(r"^(?:He|She|They|It|This|That|These|Those|His|Her|Their|The \w+ also)\b")
LEXICAL_WEIGHT = 0.5
MIN_RELATIVE_SCORE = 0.5  # a passage's best sentence enters only if it scores this share of the best overall


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
    def header(self) -> str:
        """'Title (Outlet, October 1, 2023)': who published it and when is evidence too. A title made from the
        article's first sentence is left out when that sentence is shown anyway: prompt tokens cost time."""
        p = self.passage
        when = datetime.fromisoformat(p.published_at).strftime("%B %-d, %Y") if p.published_at else None
        about = ", ".join(x for x in (p.source, when) if x)
        title = "" if self.text.startswith(p.title.rstrip("…").rstrip()) else p.title
        return " ".join(x for x in (title, f"({about})" if about else "") if x)


def split_passages(passages: Sequence[Passage]) -> list[list[Evidence]]:
    return [
        [Evidence(i, p.text[a:b], p.start + a, p.start + b) for a, b in sentence_spans(p.text)]
        for i, p in enumerate(passages)
    ]


def whole_documents(documents: Sequence[Document]) -> list[Source]:
    """Every article, whole, as one source each: for a collection small enough to sit in the prompt's cached prefix."""
    passages = [Passage.of(d, d.doc_id, d.text, 0, len(d.text), score=0.0) for d in documents]
    return [Source(i + 1, p, sentences) for i, (p, sentences) in enumerate(zip(passages, split_passages(passages)))]


def select_evidence(
    question: str,
    passages: Sequence[Passage],
    similarity: Callable[[str, list[str]], list[float]],
    budget_chars: int,
) -> list[Source]:
    """Each part of a many-part question gets its best sentence, from the outlets that part names, whatever the
    budget; then each relevant passage its best sentence (so every outlet found gets heard), then the best of the
    rest, until the budget is spent. Sources keep the retrieval order, sentences the document order."""
    groups = split_passages(passages)
    sentences = [s for group in groups for s in group]
    if not sentences:
        return []
    scores = dict(zip(map(id, sentences), relevance(question, [s.text for s in sentences], similarity)))
    top = max(scores.values())
    by_score = sorted(sentences, key=lambda s: scores[id(s)], reverse=True)
    musts = part_sentences(question, passages, sentences, similarity)
    firsts = []
    for i in range(len(passages)):
        best = next((s for s in by_score if s.passage == i), None)
        if best and scores[id(best)] >= MIN_RELATIVE_SCORE * top:
            firsts.append(best)
    chosen: dict[tuple[int, int], Evidence] = {}
    spent = 0
    previous = {(s.passage, s.start): prev for group in groups for prev, s in zip(group, group[1:])}
    for sentence in [*musts, *firsts, *by_score]:
        wanted = [sentence]
        if DANGLING.match(sentence.text) and (prev := previous.get((sentence.passage, sentence.start))):
            wanted.insert(0, prev)
        new = [s for s in wanted if (s.passage, s.start) not in chosen]
        cost = sum(len(s.text) for s in new)
        if not new or (chosen and spent + cost > budget_chars and sentence not in musts):
            continue
        chosen.update({(s.passage, s.start): s for s in new})
        spent += cost
    sources = []
    for i, passage in enumerate(passages):
        picked = sorted((s for (p, _), s in chosen.items() if p == i), key=lambda s: s.start)
        if picked:
            sources.append(Source(len(sources) + 1, passage, picked))
    return sources


def part_sentences(
    question: str,
    passages: Sequence[Passage],
    sentences: list[Evidence],
    similarity: Callable[[str, list[str]], list[float]],
) -> list[Evidence]:
    """For each part of a many-part question, its best sentence among the passages of the outlets it names: the
    sentence best for the question as a whole is often about another part."""
    outlets = sorted({p.source for p in passages if p.source})
    picked = []
    for part in question_parts(question, outlets, mentioned_outlets(question, outlets)):
        if among := [s for s in sentences if not part.outlets or passages[s.passage].source in part.outlets]:
            fit = relevance(part.text, [s.text for s in among], similarity)
            picked.append(among[max(range(len(among)), key=fit.__getitem__)])
    return picked


def relevance(query: str, texts: list[str], similarity: Callable[[str, list[str]], list[float]]) -> list[float]:
    """Cosine plus a share of the query's content words in the text."""
    words = set(content_words(query))
    cosines = similarity(query, texts)
    return [
        cosine + LEXICAL_WEIGHT * (len(words & set(content_words(t))) / len(words) if words else 0.0)
        for t, cosine in zip(texts, cosines)
    ]
