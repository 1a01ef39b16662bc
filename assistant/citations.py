"""Checks an answer's citations against the sources it cites, sentence by sentence.

A sentence is kept only when a cited passage supports it; a wrong number is repaired when another passage
clearly supports the sentence; otherwise the sentence is dropped. Each citation carries the verbatim
sentence of the article that supports its claim, with its offsets in the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ingest.quotes import speaker_name
from ingest.sentences import sentence_spans
from ingest.terms import STOPWORDS, content_words, stems

from .evidence import Evidence, Source
from .question_hints import mentioned_outlets
from .types import Citation

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
QUOTED = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
REFUSAL = re.compile(
    r"\b(?:articles?|sources?|passages?|texts?)\b[^.]*\b(?:do(?:es)?n[’']t|do(?:es)? not|did not|didn[’']t)\s+"
    r"(?:say|mention|contain|provide|specify|state|include|address|discuss)|\bno information\b",
    re.IGNORECASE,
)
REFUSAL_TEXT = "The articles don't say."
CLAUSE = re.compile(r",?\s+(?:while|whereas|but)\s+|;\s+|,\s+and\s+(?=(?:the\s+)?['‘\"]?[A-Z])", re.IGNORECASE)
NAME = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*")
CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
# "The article states that ..." adds no fact: reporting verbs need no support.
ATTRIBUTION = frozenset(
    stems("states stated mentions mentioned notes noted describes described suggests suggested indicates indicated "
          "reports writes wrote claims claimed explains explained adds added highlights highlighted")
)
VERDICT = re.compile(r"^(Yes|No)(?:[,.:;!]\s*|$)", re.IGNORECASE)
DEMONYM_ENDINGS = ("ese", "ian", "ean", "ish", "an", "i")
PRONOUN = re.compile(r"^(?:He|She)(?=\s+[a-z])")  # not "He Lifeng"
FULL_NAME = re.compile(r"[A-Z][\w'’]*(?:[\s-]+[A-Z][\w'’]*)+")
INITIALS = re.compile(r"(?<![\w-])[A-Z]{3,5}(?![\w-])")
OPENING = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")

# A claim is supported when the source holds all of its numbers and quoted words and most of its content
# words, and one sentence of the source carries a good part of it (that sentence becomes the quote).
MIN_PASSAGE_COVERAGE = 0.6
MIN_SENTENCE_COVERAGE = 0.34
STRONG_SIMILARITY = 0.75  # embedding cosine at which a paraphrase counts even with other words
# A sentence joining facts from two sources ("Both reports say ...") needs nearly all its words from the pair,
# and a good part from each.
MIN_JOINT_COVERAGE = 0.75
MIN_SHARE = 0.3
# A sentence whose content words are nearly all the question's restates it ("Yes, The Verge suggests X, while
# The Age implies Y"): each of its parts needs a source sentence this close in meaning. Tuned on MultiHop-RAG's
# null queries, which restate questions no article answers: the first of them got through at 0.35.
RESTATED = 0.8
RESTATED_SIMILARITY = 0.45
# A restatement that names the answer ("The individual who ... is Sam Bankman-Fried") describes it in the question's
# words, from several articles: the few sentences shown to the model must bear out at least this share of them.
MIN_DESCRIBED = 0.5
PART_BREAK = re.compile(r",?\s+(?:while|whereas|but)\s+|;\s+|,\s+(?:and\s+)?")
MIN_PART_WORDS = 3
# "The Fortune article that discusses X suggests that Y": Y, at least this long, is also compared on its own.
REPORTED = re.compile(
    r"\b(?:suggest|indicate|report|state|say|said|impl[iy]|mention|claim|note|argue|highlight|discuss|describe|attribute)"
    r"(?:s|es|ed|d)?\s+that\s+",
    re.IGNORECASE,
)
MIN_REPORTED_WORDS = 2

# (claim, candidate sentences) -> cosine similarities; the embedder in production.
Similarity = Callable[[str, list[str]], list[float]]


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


def coverage(claim_stems: list[str], source_stems: set[str]) -> float:
    return sum(1 for w in claim_stems if w in source_stems) / len(claim_stems) if claim_stems else 0.0


def normalized(text: str) -> str:
    return " ".join(WORDS.findall(text.lower().replace("’", "'")))


WORDS = re.compile(r"[\w']+")


def quotes_present(claim: str, source: str) -> bool:
    """Words the answer puts in quotation marks must be the article's own words."""
    haystack = normalized(source)
    return all(normalized(q) in haystack for q in QUOTED.findall(claim))


def plain(number: str) -> str:
    """'1,200' is '1200', and the '01' of 2023-10-01 is '1'."""
    return number.replace(",", "").lstrip("0") or "0"


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

    @classmethod
    def of(cls, question: str, sources: Sequence[Source]) -> Given:
        outlets = tuple(sorted(o.lower() for o in outlets_of(sources)))
        numbers = frozenset(plain(n) for n in NUMBER.findall(question))
        given = cls(frozenset(stems(question)) | ATTRIBUTION, outlets=outlets, numbers=numbers)
        return replace(given, names=frozenset(given.names_in(question)))

    def outlet(self, word: str) -> bool:
        return any(re.search(rf"\b{re.escape(word)}\b", outlet) for outlet in self.outlets)

    def names_in(self, text: str, first: bool = False) -> list[str]:
        """Capitalised words (past the first, unless ``first``), as lower-case word parts: "Bankman-Fried" is
        "bankman", "fried"; outlets' words ("Times'") are not names."""
        return [
            part
            for match in NAME.finditer(text)
            if (first or match.start() > 0) and (word := match.group().lower()) not in STOPWORDS | CALENDAR
            for part in re.findall(r"\w+", word)
            if part != "s" and part not in STOPWORDS and not self.outlet(part)
        ]

    def leading_name(self, claim: str, source: str) -> list[str]:
        """The claim's first word as a name ("Lutnick said ..."), when the source uses it as one, capitalised
        within a sentence; otherwise nothing ("Specifically, ...")."""
        first = NAME.match(claim)
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
    for run in FULL_NAME.finditer(claim):
        words = re.findall(r"\w+", run.group())
        for i, j in ((i, j) for i in range(len(words)) for j in range(i + 3, len(words) + 1)):
            if "".join(w[0] for w in words[i:j]).upper() in initials:
                found |= {w.lower() for w in words[i:j]}
    return found


def names_held(claim: str, source: str) -> set[str]:
    """The words that hold the claim's names in the source: its own, and the names it writes as initials."""
    return words_of(source) | initialed(claim, source)


def names_present(claim: str, source: str, given: Given) -> bool:
    """Every name the claim mentions is in the source: a source about Todd Boehly does not show that Pamela
    Anderson partnered with him. A name the question mentions may be missing when the source holds another of
    the question's names (the source on "The Eras Tour" need not repeat "Taylor Swift")."""
    held = names_held(claim, source)
    missing = {name for name in given.names_in(claim) if not name_held(name, held)}
    return not missing or (missing <= given.names and bool(given.names & set(given.names_in(source))))


def best_support(claim: str, source: Source, similarity: Similarity | None, given: Given = Given()) -> Support | None:
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
        and names_present(claim, named := window(source, i, after=0), given)
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
    if cosines[best] >= STRONG_SIMILARITY:
        return support
    window_stems = set(stems(windows[best]))
    if (
        coverage(new, window_stems) >= MIN_PASSAGE_COVERAGE
        and coverage(words, window_stems) >= MIN_SHARE
        and per_sentence[best] >= MIN_SENTENCE_COVERAGE
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


def joint_support(claim: str, sources: Sequence[Source], given: Given = Given()) -> list[Support]:
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
        or any(best[s.n][0] < MIN_SHARE for s in pair)
        or coverage(words, set(stems(together))) < MIN_JOINT_COVERAGE
        or not numbers_present(claim, together)
        or not quotes_present(claim, together)
        or not names_present(claim, named, given)
        or not set(given.leading_name(claim, " ".join(source_text(s) for s in pair))) <= words_of(named)
    ):
        return []
    return [Support(s.n, s.sentences[best[s.n][1]], best[s.n][0]) for s in pair]


def clause_support(
    claim: str, sources: Sequence[Source], similarity: Similarity | None, given: Given
) -> list[Support]:
    """A compound sentence ("The Verge says X, while Polygon reports Y") is supported when each of its clauses is,
    each by the source that supports it best; otherwise by none."""
    clauses = [c for c in CLAUSE.split(claim) if content_words(c)]
    if len(clauses) < 2:
        return []
    supports = []
    for clause in clauses:
        found = [s for source in sources if (s := best_support(clause, source, similarity, given))]
        if not found:
            return []
        supports.append(max(found, key=lambda s: s.strength))
    return supports


def restated_parts(claim: str) -> list[str]:
    """Its clauses and list items ("X, as reported by Y, has ..., is ..., and is ..."), a short one joined to
    the one before it."""
    parts: list[str] = []
    for piece in PART_BREAK.split(claim):
        if parts and len(content_words(parts[-1])) < MIN_PART_WORDS:
            parts[-1] = f"{parts[-1]}, {piece}"
        elif content_words(piece):
            parts.append(piece)
    if len(parts) > 1 and len(content_words(parts[-1])) < MIN_PART_WORDS:
        parts[-2:] = [f"{parts[-2]}, {parts[-1]}"]
    return parts


def restated_support(
    claim: str, sources: Sequence[Source], similarity: Similarity | None, given: Given, verdict: bool
) -> list[Support]:
    """A sentence restating the question adds only its answer. After a Yes or No (``verdict``) it adds nothing, and
    every part of it, numbers included, must be borne out. When it adds a name, the parts are the question's
    description of what it names, whose numbers are the question's own: half of them borne out by sources naming
    it suffice."""
    words = list(dict.fromkeys(stems(claim)))
    if not similarity or not words or coverage(words, given.words) < RESTATED:
        return []
    # After a verdict a capitalised word the question lacks ("AI") is no answer: the verdict is.
    answer_names = frozenset() if verdict else frozenset(given.names_in(claim, first=True)) - given.names
    parts = restated_parts(claim)
    described = replace(given, numbers=given.numbers if answer_names else frozenset())
    supports = [found for part in parts if (found := closest_support(part, claim, answer_names, sources, similarity, described))]
    needed = len(parts) * MIN_DESCRIBED if answer_names else len(parts)
    return supports if supports and len(supports) >= needed else []


def closest_support(
    part: str,
    claim: str,
    answer_names: frozenset[str],
    sources: Sequence[Source],
    similarity: Similarity,
    given: Given,
) -> Support | None:
    """The source sentence closest in meaning to a part of a restatement ``claim``, from a source that holds the
    answer's names (perhaps as initials) and the part's numbers (``given.numbers`` aside), names something the
    part names, and comes from the outlet the part names, if any."""
    names = set(given.names_in(part, first=True))
    outlets = {o for group in mentioned_outlets(part, outlets_of(sources)) for o in group}
    best: Support | None = None
    for source in sources:
        # Names and numbers may stand anywhere in the passage; the quote is its sentence closest to the part.
        text = f"{source.header} {source.passage.text}"
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
        if said := reported(part):
            cosines = [max(c, d) for c, d in zip(cosines, similarity(said, texts))]
        i = max(range(len(cosines)), key=cosines.__getitem__)
        if cosines[i] >= RESTATED_SIMILARITY and (best is None or cosines[i] > best.strength):
            best = Support(source.n, source.sentences[i], cosines[i])
    return best


def reported(part: str) -> str | None:
    """What a part says an outlet reported: "the Fortune article that discusses X suggests that Y" -> "Y". The
    article's description (X) dilutes the meaning of the whole, so Y is compared on its own as well."""
    said = REPORTED.split(part)[-1]
    return said if said != part and len(content_words(said)) >= MIN_REPORTED_WORDS else None


def check_answer(
    raw: str, sources: Sequence[Source], similarity: Similarity | None = None, question: str = ""
) -> CheckedAnswer:
    """Keeps supported sentences, renumbers their citations 1..m in order of first use, and drops the rest."""
    given = Given.of(question, sources)
    by_number = {source.n: source for source in sources}
    verdict: str | None = None
    # In order: each claim with the sources supporting it (none: dropped); the model's own refusals with None.
    sentences: list[tuple[str, list[Support] | None]] = []
    answer_first = False  # the answer opens with a claim, not a verdict or a refusal: that claim is the answer
    subject: str | None = None  # whom a sentence opening with "He" or "She" is about
    for a, b in sentence_spans(raw):
        sentence = raw[a:b]
        claim = strip_markers(sentence)
        if match := VERDICT.match(claim):
            # "Yes, ..." opening the answer is its conclusion: it stays even when its reasons need dropping. A later
            # "Yes"/"No" is the model arguing with itself: only the claim after it is kept, if supported.
            if not (verdict or sentences):
                verdict = f"{match.group(1).capitalize()}."
            claim = claim[match.end() :]
            claim = claim[:1].upper() + claim[1:]
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
