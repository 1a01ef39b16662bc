"""Whether a source sentence supports a claim: the words, names, numbers and quotes a claim may take from the
question (given) and must find in the source, one sentence with its neighbours at a time."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, replace

from ingest.text.lexicon import (
    CALENDAR,
    CAPITALISED,
    DEMONYM_ENDINGS,
    INITIALS,
    NAME_RUN,
    NUMBER,
    REPORTING_FORMS,
    clause_breaks,
)
from ingest.text.terms import STOPWORDS, content_words, stems

from ..question import Expects, Question, plain
from ..types import Evidence, Source
from .policy import POLICY, Policy

QUOTED = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
# "The article states that ..." adds no fact: reporting verbs need no support.
ATTRIBUTION = frozenset(stems(" ".join(REPORTING_FORMS)))

# (claim, candidate sentences) -> cosine similarities; the embedder in production.
Similarity = Callable[[str, list[str]], list[float]]


def coverage(claim_stems: list[str], source_stems: Set[str]) -> float:
    return sum(1 for w in claim_stems if w in source_stems) / len(claim_stems) if claim_stems else 0.0


def normalized(text: str) -> str:
    return " ".join(WORDS.findall(text.lower().replace("’", "'")))


WORDS = re.compile(r"[\w']+")


def quotes_present(claim: str, source: str) -> bool:
    """Words the answer puts in quotation marks must be the article's own words."""
    haystack = normalized(source)
    return all(normalized(q) in haystack for q in QUOTED.findall(claim))


def numbers_present(claim: str, source: str, given: frozenset[str] = frozenset()) -> bool:
    """Every number of the claim is in the source, or among the ``given`` ones."""
    held = given | {plain(n) for n in NUMBER.findall(source)}
    return all(plain(n) in held for n in NUMBER.findall(claim))


@dataclass(frozen=True)
class Support:
    n: int
    evidence: Evidence
    strength: float  # word coverage plus cosine of the quoted sentence: compares passages for repair


def outlets_of(sources: Sequence[Source]) -> set[str]:
    return {s.passage.source for s in sources if s.passage.source}


@dataclass(frozen=True)
class Given:
    """What a claim may take from elsewhere than its source: the question's words are the user's own ("Google is
    the company that ..." rests on "Google"), and outlets are named in every source's header."""

    words: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()  # names the question mentions, outlets aside
    outlets: tuple[str, ...] = ()
    numbers: frozenset[str] = frozenset()  # the question's, written ``plain``
    # A question asking for a name, number or date: the question's names a claim uses must be in its source, by
    # surname at least ("Disney paid Air Shamrock $200,000" does not rest on "Disney paid $200,000"), unless the
    # claim restates the question (then each part is checked against the outlet it names: restatements.py).
    strict_names: bool = False

    @classmethod
    def of(cls, question: Question | None, sources: Sequence[Source]) -> Given:
        outlets = tuple(sorted(o.lower() for o in outlets_of(sources)))
        if question is None:
            return cls(ATTRIBUTION, outlets=outlets)
        strict = question.expects not in (Expects.ANY, Expects.VERDICT, Expects.QUOTE)
        given = cls(question.words | ATTRIBUTION, outlets=outlets, numbers=question.numbers, strict_names=strict)
        return replace(given, names=frozenset(given.names_in(question.searched)))

    def outlet(self, word: str) -> bool:
        return any(re.search(rf"\b{re.escape(word)}\b", outlet) for outlet in self.outlets)

    def names_in(self, text: str, first: bool = False) -> list[str]:
        """Capitalised words (past the first, unless ``first``), as lower-case word parts: "Bankman-Fried" is
        "bankman", "fried"; outlets' words ("Times'") are not names."""
        return [
            part
            for match in CAPITALISED.finditer(text)
            if (first or match.start() > 0) and (word := match.group().lower()) not in STOPWORDS | CALENDAR
            for part in re.findall(r"\w+", word)
            if part != "s" and part not in STOPWORDS and not self.outlet(part)
        ]

    def leading_name(self, claim: str, source: str) -> list[str]:
        """The claim's first word as a name ("Lutnick said ..."), when the source uses it as one, capitalised
        within a sentence; otherwise nothing ("Specifically, ...")."""
        first = CAPITALISED.match(claim)
        if not first or not (parts := self.names_in(first.group(), first=True)):
            return []
        within = re.search(rf"[^\s.!?“\"]\s+[‘'“\"]?{re.escape(first.group())}(?![\w'’-])", source)
        return parts if within else []


def name_held(name: str, held: set[str]) -> bool:
    """A name is held by itself, a nationality by its country: "Chinese" by "China's", "Korean" by "Korea"."""
    roots = [name[: -len(suffix)] for suffix in DEMONYM_ENDINGS if name.endswith(suffix)]
    return name in held or any(w.startswith(root) for root in roots if len(root) >= 4 for w in held)


def initialed(claim: str, source: str) -> set[str]:
    """The words of the claim's full names that the source writes as initials: "SBF" for "Sam Bankman-Fried"."""
    initials = set(INITIALS.findall(source))
    found: set[str] = set()
    for run in NAME_RUN.finditer(claim):
        words = re.findall(r"\w+", run.group())
        for start, end in ((a, b) for a in range(len(words)) for b in range(a + 3, len(words) + 1)):
            if "".join(w[0] for w in words[start:end]).upper() in initials:
                found |= {w.lower() for w in words[start:end]}
    return found


def names_held(claim: str, source: str) -> set[str]:
    """The words that hold the claim's names in the source: its own, and the names it writes as initials."""
    return words_of(source) | initialed(claim, source)


def names_present(claim: str, source: str, given: Given, policy: Policy = POLICY) -> bool:
    """Every name the claim mentions is in the source: a source about Todd Boehly does not show that Pamela
    Anderson partnered with him. A name the question mentions may be missing when the source holds another of
    the question's names (the source on "The Eras Tour" need not repeat "Taylor Swift")."""
    held = names_held(claim, source)
    missing = {name for name in given.names_in(claim) if not name_held(name, held)}
    if given.strict_names and coverage(list(dict.fromkeys(stems(claim))), given.words) < policy.restated:
        # Every name of the claim is held, or a word of the same name is ("Scott Sullivan" by "Mr Sullivan").
        runs = [given.names_in(run.group(), first=True) for run in NAME_RUN.finditer(claim)]
        return all(any(name_held(word, held) for run in runs if name in run for word in run) for name in missing)
    return not missing or (missing <= given.names and bool(given.names & set(given.names_in(source))))


def best_support(
    claim: str, source: Source, similarity: Similarity | None, given: Given = Given(), policy: Policy = POLICY
) -> Support | None:
    """The sentence of one source that supports ``claim``, or None when the source does not support it.

    What the claim adds to the question's words must come from the source, and the source must still be about
    the claim; a claim that only restates the question is checked on all its words."""
    sentences = source.sentences
    if not sentences:
        return None
    # A claim rests on one sentence and its neighbours, with the header: names, numbers and words found elsewhere
    # in a long source do not count. Whoever the claim names must be named in the sentence or the one before
    # ("He added"): a sentence quoting Li does not show what Lutnick said, even in an article naming Lutnick.
    subject = set(given.leading_name(claim, source_text(source)))
    windows = {
        i: near
        for i in range(len(sentences))
        if numbers_present(claim, near := window(source, i, after=1))
        and quotes_present(claim, near)
        and names_present(claim, named := window(source, i, after=0), given, policy)
        and subject <= words_of(named)
    }
    if not windows:
        return None
    words = list(dict.fromkeys(stems(claim)))
    new = [w for w in words if w not in given.words] or words
    held = [set(stems(s.text)) for s in sentences]
    per_sentence = [coverage(new, h) for h in held]
    cosines = similarity(claim, [s.text for s in sentences]) if similarity else [0.0] * len(sentences)
    best = max(windows, key=lambda i: (per_sentence[i] + coverage(words, held[i]) + cosines[i], per_sentence[i]))
    support = Support(source.n, sentences[best], per_sentence[best] + cosines[best])
    if cosines[best] >= policy.strong_similarity:
        return support
    window_stems = set(stems(windows[best]))
    if (
        coverage(new, window_stems) >= policy.min_window_coverage
        and coverage(words, window_stems) >= policy.min_share
        and per_sentence[best] >= policy.min_sentence_coverage
    ):
        return support
    return None


def source_text(source: Source) -> str:
    return " ".join([source.header, *(s.text for s in source.sentences)])


def window(source: Source, i: int, after: int) -> str:
    """Sentence ``i`` of a source with the one before it, ``after`` ones after it, and the header."""
    return " ".join([source.header, *(s.text for s in source.sentences[max(i - 1, 0) : i + 1 + after])])


def words_of(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def joint_support(
    claim: str, sources: Sequence[Source], given: Given = Given(), policy: Policy = POLICY
) -> list[Support]:
    """The two sources that together support a sentence no single source supports, or none. Each lends one
    sentence with its neighbours, held to the rules of ``best_support``: words scattered over two long articles
    do not add up to a claim."""
    words = [w for w in dict.fromkeys(stems(claim)) if w not in given.words] or list(dict.fromkeys(stems(claim)))
    if len(sources) < 2 or len(words) < 4:
        return []
    best: dict[int, tuple[float, int]] = {}  # source number -> (coverage of its best window, that sentence)
    for source in sources:
        # Ranked by its window, then by the sentence itself, which becomes the quote.
        shares = [
            (coverage(words, set(stems(window(source, i, after=1)))), coverage(words, set(stems(e.text))))
            for i, e in enumerate(source.sentences)
        ]
        if shares:
            i = max(range(len(shares)), key=shares.__getitem__)
            best[source.n] = (shares[i][0], i)
    pair = sorted((s for s in sources if s.n in best), key=lambda s: best[s.n][0], reverse=True)[:2]
    together = " ".join(window(s, best[s.n][1], after=1) for s in pair)
    named = " ".join(window(s, best[s.n][1], after=0) for s in pair)
    if (
        len(pair) < 2
        or any(best[s.n][0] < policy.min_share for s in pair)
        or coverage(words, set(stems(together))) < policy.min_joint_coverage
        or not numbers_present(claim, together)
        or not quotes_present(claim, together)
        or not names_present(claim, named, given, policy)
        or not set(given.leading_name(claim, " ".join(source_text(s) for s in pair))) <= words_of(named)
    ):
        return []
    return [Support(s.n, s.sentences[best[s.n][1]], best[s.n][0]) for s in pair]


def clause_support(
    claim: str, sources: Sequence[Source], similarity: Similarity | None, given: Given, policy: Policy = POLICY
) -> list[Support]:
    """A compound sentence ("The Verge says X, while Polygon reports Y") is supported when each of its clauses is,
    each by the source that supports it best; otherwise by none."""
    clauses = [c for c in clause_breaks(commas=False).split(claim) if content_words(c)]
    if len(clauses) < 2:
        return []
    supports = []
    for clause in clauses:
        found = [s for source in sources if (s := best_support(clause, source, similarity, given, policy))]
        if not found:
            return []
        supports.append(max(found, key=lambda s: s.strength))
    return supports
