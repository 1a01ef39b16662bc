"""Passages to the few sentences that answer the question: a tight prompt is a fast prompt on a CPU."""

from __future__ import annotations

import itertools
from collections.abc import Sequence, Set
from dataclasses import replace

from ingest import Document
from ingest.text.lexicon import DANGLING
from ingest.text.sentences import sentence_spans
from ingest.text.terms import stems

from ..grounding.answerability import Rarity, about, new_values, subject
from ..grounding.policy import POLICY, Policy
from ..grounding.support import Similarity
from ..question import Expects, Question
from ..types import Evidence, Passage, Source


def split_passages(passages: Sequence[Passage]) -> list[list[Evidence]]:
    return [
        [Evidence(i, p.text[a:b], p.start + a, p.start + b) for a, b in sentence_spans(p.text)]
        for i, p in enumerate(passages)
    ]


def whole_documents(documents: Sequence[Document]) -> list[Source]:
    """Every article, whole, as one source each: for a collection small enough to sit in the prompt's cached prefix."""
    passages = [Passage.of(d, d.doc_id, d.text, 0, len(d.text)) for d in documents]
    return [Source(i + 1, p, sentences) for i, (p, sentences) in enumerate(zip(passages, split_passages(passages)))]


def select_evidence(
    question: Question,
    passages: Sequence[Passage],
    similarity: Similarity,
    rarity: Rarity,
    budget_chars: int,
    policy: Policy = POLICY,
    exclude: Set[tuple[str, int]] = frozenset(),
) -> list[Source]:
    """The sentences that answer the question best, within the budget. A many-part question first gets each part's
    best sentence, from the outlets that part names, whatever the budget, and each relevant passage its best sentence
    (so every outlet found gets heard); a question of one part is answered by the best sentences wherever they are.
    Sources keep the retrieval order, sentences the document order."""
    # A follow-up ("and what did the U.S. offer in return?") was searched with the question before it; its sentences
    # are chosen for what it asks itself, among those about whom the conversation names.
    question = replace(question.itself(), names=question.names)
    groups = [
        [s for s in group if (passages[s.passage].doc_id, s.start) not in exclude] for group in split_passages(passages)
    ]
    sentences = [s for group in groups for s in group]
    if not sentences:
        return []
    scores = dict(zip(map(id, sentences), relevance(question, sentences, passages, similarity, rarity, policy)))
    top = max(scores.values())
    by_score = sorted(sentences, key=lambda s: scores[id(s)], reverse=True)
    musts = part_sentences(question, passages, sentences, similarity, rarity, policy)
    firsts = []
    for i in range(len(passages) if question.parts or len(question.outlets) > 1 else 0):
        best = next((s for s in by_score if s.passage == i), None)
        if best and scores[id(best)] >= policy.min_relative_score * top:
            firsts.append(best)
    chosen: dict[tuple[int, int], Evidence] = {}
    spent = 0
    previous = {(s.passage, s.start): prev for group in groups for prev, s in itertools.pairwise(group)}
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
    sources: list[Source] = []
    for i, passage in enumerate(passages):
        picked = sorted((s for (p, _), s in chosen.items() if p == i), key=lambda s: s.start)
        if picked:
            sources.append(Source(len(sources) + 1, passage, picked))
    return sources


def part_sentences(
    question: Question,
    passages: Sequence[Passage],
    sentences: list[Evidence],
    similarity: Similarity,
    rarity: Rarity,
    policy: Policy,
) -> list[Evidence]:
    """For each part of a many-part question, its best sentence among the passages of the outlets it names: the
    sentence best for the question as a whole is often about another part."""
    picked = []
    for part in question.parts:
        if among := [s for s in sentences if not part.outlets or passages[s.passage].source in part.outlets]:
            asked = Question(part.text, names=question.names, expects=question.expects)
            fit = relevance(asked, among, passages, similarity, rarity, policy)
            picked.append(among[max(range(len(among)), key=fit.__getitem__)])
    return picked


def relevance(
    question: Question,
    sentences: Sequence[Evidence],
    passages: Sequence[Passage],
    similarity: Similarity,
    rarity: Rarity,
    policy: Policy,
) -> list[float]:
    """Cosine to the question, plus the share of the question's subject in the sentence and its headline, plus a
    bonus for holding what the question asks for (a number to "how many")."""
    weights = subject(question, rarity)
    names = set(stems(" ".join(question.names)))
    asked = {w: v for w, v in weights.items() if w not in names}  # what it asks about besides whom it names
    texts = [s.text for s in sentences]
    cosines = similarity(question.searched, texts)
    specific = question.expects not in (Expects.ANY, Expects.VERDICT)
    previous = {(b.passage, b.start): a.text for a, b in itertools.pairwise(sentences) if a.passage == b.passage}
    return [
        cosine
        + policy.lexical_weight * about(weights, in_context(s, passages, previous), question.names)
        + policy.relation_weight * about(asked, s.text)
        + (policy.answer_kind_bonus if specific and new_values(question, s.text) else 0.0)
        for s, cosine in zip(sentences, cosines)
    ]


def in_context(sentence: Evidence, passages: Sequence[Passage], previous: dict[tuple[int, int], str]) -> str:
    """A sentence with its headline, and the sentence before it when it leans on that one ("He has not played
    since ..."): what the sentence is about, for matching the question's words."""
    before = previous.get((sentence.passage, sentence.start), "") if DANGLING.match(sentence.text) else ""
    return f"{passages[sentence.passage].title} {before} {sentence.text}"
