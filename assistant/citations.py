"""Checks an answer's citations against the sources it cites, sentence by sentence.

A sentence is kept only when a cited passage supports it; a wrong number is repaired when another passage
clearly supports the sentence; otherwise the sentence is dropped. Each citation carries the verbatim
sentence of the article that supports its claim, with its offsets in the document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.quotes import speaker_name
from ingest.sentences import sentence_spans
from ingest.terms import content_words, stems

from .evidence import Source
from .question_hints import mentioned_outlets
from .restatements import restated_support
from .support import (
    ATTRIBUTION,
    Given,
    Similarity,
    Support,
    best_support,
    clause_support,
    joint_support,
    outlets_of,
)
from .types import Citation
from .verdicts import offered_choice, opening_verdict, without_yes_no

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
REFUSAL = re.compile(
    r"\b(?:articles?|sources?|passages?|texts?)\b[^.]*\b(?:do(?:es)?n[’']t|do(?:es)? not|did not|didn[’']t)\s+"
    r"(?:say|mention|contain|provide|specify|state|include|address|discuss)|\bno information\b",
    re.IGNORECASE,
)
REFUSAL_TEXT = "The articles don't say."
PRONOUN = re.compile(r"^(?:He|She)(?=\s+[a-z])")  # not "He Lifeng"
OPENING = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")


@dataclass(frozen=True)
class CheckedAnswer:
    text: str
    citations: list[Citation]
    refused: bool
    dropped: list[str]  # sentences removed for lack of support


def cited_numbers(sentence: str) -> list[int]:
    return [int(n) for group in MARKER.findall(sentence) for n in re.split(r"[,;]", group)]


def strip_markers(text: str) -> str:
    return MARKER.sub("", text).strip()


def is_refusal(text: str) -> bool:
    return bool(REFUSAL.search(text))



def check_answer(
    raw: str, sources: Sequence[Source], similarity: Similarity | None = None, question: str = ""
) -> CheckedAnswer:
    """Keeps supported sentences, renumbers their citations 1..m in order of first use, and drops the rest."""
    given = Given.of(question, sources)
    by_number = {source.n: source for source in sources}
    verdict: str | None = None
    choice = offered_choice(question)
    # In order: each claim with the sources supporting it (none: dropped); the model's own refusals with None.
    sentences: list[tuple[str, list[Support] | None]] = []
    answer_first = False  # the answer opens with a claim, not a verdict or a refusal: that claim is the answer
    subject: str | None = None  # whom a sentence opening with "He" or "She" is about
    for a, b in sentence_spans(raw):
        sentence = raw[a:b]
        claim = strip_markers(sentence)
        # "Yes, ..." opening the answer is its conclusion: it stays even when its reasons need dropping. A later
        # "Yes"/"No" is the model arguing with itself: only the claim after it is kept, if supported.
        if not (verdict or sentences):
            verdict, claim = opening_verdict(claim, choice)
        else:
            _, claim = without_yes_no(claim)
        if not content_words(claim):
            continue
        if is_refusal(claim):
            sentences.append((claim, None))
            continue
        answer_first = answer_first or not (verdict or sentences)
        # "He added ..." after a sentence about Lutnick is checked as "Lutnick added ...": it must be his words.
        checked = PRONOUN.sub(subject, claim) if subject else claim
        subject = opening_name(claim) or subject
        asked = [n for n in dict.fromkeys(cited_numbers(sentence)) if n in by_number]
        support = [s for n in asked if (s := best_support(checked, by_number[n], similarity, given))]
        if not support:  # repair: the source that supports it best, if any does
            others = [
                s
                for n in by_number
                if n not in asked and (s := best_support(checked, by_number[n], similarity, given))
            ]
            support = (
                [max(others, key=lambda s: s.strength)] if others else clause_support(checked, sources, similarity, given)
            )
        sentences.append((claim, support or joint_support(checked, sources, given)))
    if not any(support for _, support in sentences):
        # Nothing checked out word by word: the model may have answered by restating the question.
        sentences = [
            (claim, support if support is None else restated_support(claim, sources, similarity, given, bool(verdict)))
            for claim, support in sentences
        ]
    claims = [(claim, support) for claim, support in sentences if support is not None]
    # An unsupported first claim was the answer: the rest cannot stand in for it, unless one is about the person
    # the question asks about ("What did Lutnick say ...?": "Lutnick also said ...").
    if (answer_first and not claims[0][1] and not about_whom_asked(claims, given)) or not answers_the_question(
        claims, question, sources, given
    ):
        sentences = [(claim, support if support is None else []) for claim, support in sentences]
    citations: dict[tuple[int, int], Citation] = {}
    kept = [verdict] if verdict else []
    for claim, support in sentences:
        if support is None:
            kept.append(claim)
        elif support:
            kept.append(with_markers(claim, [cite(found, by_number, citations) for found in support]))
    refused = not citations
    dropped = [claim for claim, support in sentences if support == []]
    refusals = [claim for claim, support in sentences if support is None]
    # With nothing supported, a verdict would stand on nothing.
    text = (" ".join(refusals) or REFUSAL_TEXT) if refused else " ".join(kept)
    return CheckedAnswer(text=text, citations=list(citations.values()), refused=refused, dropped=dropped)


def opening_name(claim: str) -> str | None:
    """Whom a sentence opens with, by surname: 'Howard Lutnick, the U.S. Commerce Secretary, said' -> 'Lutnick'."""
    if PRONOUN.match(claim) or not (run := OPENING.match(claim)):
        return None
    name = speaker_name(run.group())
    return name.split()[-1] if name else None


def about_whom_asked(claims: list[tuple[str, list[Support]]], given: Given) -> bool:
    return any(support and (name := opening_name(claim)) and name.lower() in given.names for claim, support in claims)


def answers_the_question(
    claims: list[tuple[str, list[Support]]], question: str, sources: Sequence[Source], given: Given
) -> bool:
    """True claims can still answer another question: an answer must share a word with the question (outlets
    and reporting verbs aside), and when the question names outlets, rest on at least one of them."""
    supported = [claim for claim, support in claims if support]
    if not supported or not question:
        return True
    asked = {w for w in stems(question) if not given.outlet(w)} - ATTRIBUTION
    if asked and not any(asked & set(stems(claim)) for claim in supported):
        return False
    named = {o for group in mentioned_outlets(question, outlets_of(sources)) for o in group}
    cited = {found.n for _, support in claims for found in support}
    return not named or any(source.passage.source in named for source in sources if source.n in cited)


def cite(found: Support, by_number: dict[int, Source], citations: dict[tuple[int, int], Citation]) -> int:
    """The number of the citation for ``found``'s sentence, numbered in order of first use."""
    key = (found.n, found.evidence.start)
    if key not in citations:
        passage = by_number[found.n].passage
        citations[key] = Citation(
            n=len(citations) + 1,
            doc_id=passage.doc_id,
            title=passage.title,
            source=passage.source,
            published_at=passage.published_at,
            url=passage.url,
            quote=found.evidence.text,
            start=found.evidence.start,
            end=found.evidence.end,
        )
    return citations[key].n


def with_markers(claim: str, numbers: list[int]) -> str:
    """Places markers before the sentence's closing punctuation: 'claim [1][2].'"""
    markers = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
    body = claim.rstrip()
    closing = ""
    while body and body[-1] in ".!?":
        closing = body[-1] + closing
        body = body[:-1]
    return f"{body.rstrip()} {markers}{closing}"
