"""Answers that restate the question ("Yes, The Verge suggests X, while The Age implies Y"): small models answer
so, and such a sentence shares nearly all its words with the question, so word coverage cannot check it. Each of
its parts needs a source sentence close in meaning, from the outlet it names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ingest.text.lexicon import REPORTING, clause_breaks
from ingest.text.terms import content_words, stems

from ..question import mentioned_outlets
from ..types import Source
from .policy import POLICY, Policy
from .support import Given, Similarity, Support, coverage, names_held, numbers_present, outlets_of

MIN_PART_WORDS = 3
# "The Fortune article that discusses X suggests that Y": Y, at least this long, is also compared on its own.
REPORTED = re.compile(REPORTING.pattern + r"\s+that\s+", re.IGNORECASE)
MIN_REPORTED_WORDS = 2


def restated_parts(claim: str) -> list[str]:
    """Its clauses and list items ("X, as reported by Y, has ..., is ..., and is ..."), a short one joined to
    the one before it."""
    parts: list[str] = []
    for piece in clause_breaks(commas=True).split(claim):
        if parts and len(content_words(parts[-1])) < MIN_PART_WORDS:
            parts[-1] = f"{parts[-1]}, {piece}"
        elif content_words(piece):
            parts.append(piece)
    if len(parts) > 1 and len(content_words(parts[-1])) < MIN_PART_WORDS:
        parts[-2:] = [f"{parts[-2]}, {parts[-1]}"]
    return parts


def restated_support(
    claim: str,
    sources: Sequence[Source],
    similarity: Similarity | None,
    given: Given,
    verdict: bool,
    policy: Policy = POLICY,
) -> list[Support]:
    """A sentence restating the question adds only its answer. After a Yes or No (``verdict``) it adds nothing, and
    every part of it, numbers included, must be borne out. When it adds a name, the parts are the question's
    description of what it names, whose numbers are the question's own: half of them borne out by sources naming
    it suffice."""
    words = list(dict.fromkeys(stems(claim)))
    if not similarity or not words or coverage(words, given.words) < policy.restated:
        return []
    # After a verdict a capitalised word the question lacks ("AI") is no answer: the verdict is.
    answer_names = frozenset() if verdict else frozenset(given.names_in(claim, first=True)) - given.names
    parts = restated_parts(claim)
    described = replace(given, numbers=given.numbers if answer_names else frozenset())
    supports = [
        found
        for part in parts
        if (found := closest_support(part, claim, answer_names, sources, similarity, described, policy))
    ]
    needed = len(parts) * policy.min_described if answer_names else len(parts)
    return supports if supports and len(supports) >= needed else []


def closest_support(
    part: str,
    claim: str,
    answer_names: frozenset[str],
    sources: Sequence[Source],
    similarity: Similarity,
    given: Given,
    policy: Policy = POLICY,
) -> Support | None:
    """The source sentence closest in meaning to a part of a restatement ``claim``, from a source that holds the
    answer's names (perhaps as initials) and the part's numbers (``given.numbers`` aside), names something the
    part names, and comes from the outlet the part names, if any."""
    names = set(given.names_in(part, first=True))
    outlets = {o for group in mentioned_outlets(part, outlets_of(sources)) for o in group}
    said = reported(part)
    best: Support | None = None
    for source in sources:
        # Names and numbers may stand anywhere in the passage; the quote is its sentence closest to the part.
        text = source.article
        held = names_held(claim, text)
        if (
            not answer_names <= held
            or (names and not names & held)
            or not numbers_present(part, text, given.numbers)
            or (outlets and source.passage.source not in outlets)
        ):
            continue
        texts = [e.text for e in source.sentences]
        cosines = similarity(part, texts)
        if said:
            cosines = [max(c, d) for c, d in zip(cosines, similarity(said, texts))]
        i = max(range(len(cosines)), key=cosines.__getitem__)
        if cosines[i] >= policy.restated_similarity and (best is None or cosines[i] > best.strength):
            best = Support(source.n, source.sentences[i], cosines[i])
    return best


def reported(part: str) -> str | None:
    """What a part says an outlet reported: "the Fortune article that discusses X suggests that Y" -> "Y". The
    article's description (X) dilutes the meaning of the whole, so Y is compared on its own as well."""
    said = REPORTED.split(part)[-1]
    return said if said != part and len(content_words(said)) >= MIN_REPORTED_WORDS else None
