"""Checks an answer's citations against the sources it cites, sentence by sentence.

A sentence is kept only when a cited passage supports it; a wrong number is repaired when another passage
clearly supports the sentence; otherwise the sentence is dropped. Each citation carries the verbatim
sentence of the article that supports its claim, with its offsets in the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.sentences import sentence_spans
from ingest.terms import content_words, stems

from .evidence import Evidence, Source
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
VERDICT = re.compile(r"^(Yes|No)(?:[,.:;!]\s*|$)", re.IGNORECASE)

# A claim is supported when the source holds all of its numbers and quoted words and most of its content
# words, and one sentence of the source carries a good part of it (that sentence becomes the quote).
MIN_PASSAGE_COVERAGE = 0.6
MIN_SENTENCE_COVERAGE = 0.34
STRONG_SIMILARITY = 0.75  # embedding cosine at which a paraphrase counts even with other words
# A sentence joining facts from two sources ("Both reports say ...") needs nearly all its words from the pair,
# and a good part from each.
MIN_JOINT_COVERAGE = 0.75
MIN_SHARE = 0.3

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


def numbers_present(claim: str, source: str) -> bool:
    def plain(number: str) -> str:  # "1,200" is "1200", and the "01" of 2023-10-01 is "1"
        return number.replace(",", "").lstrip("0") or "0"

    source_numbers = {plain(n) for n in NUMBER.findall(source)}
    return all(plain(n) in source_numbers for n in NUMBER.findall(claim))


@dataclass(frozen=True)
class Support:
    n: int
    evidence: Evidence
    strength: float  # word coverage plus cosine of the quoted sentence: compares passages for repair


def best_support(claim: str, source: Source, similarity: Similarity | None) -> Support | None:
    """The sentence of one source that supports ``claim``, or None when the source does not support it."""
    sentences = source.sentences
    if not sentences:
        return None
    # The header counts: "TechCrunch reported on October 1 that ..." rests on the outlet and date as well.
    passage_text = source_text(source)
    if not numbers_present(claim, passage_text) or not quotes_present(claim, passage_text):
        return None
    words = list(dict.fromkeys(stems(claim)))
    per_sentence = [coverage(words, set(stems(s.text))) for s in sentences]
    cosines = similarity(claim, [s.text for s in sentences]) if similarity else [0.0] * len(sentences)
    best = max(range(len(sentences)), key=lambda i: (per_sentence[i] + cosines[i], per_sentence[i]))
    support = Support(source.n, sentences[best], per_sentence[best] + cosines[best])
    if cosines[best] >= STRONG_SIMILARITY:
        return support
    whole = coverage(words, set(stems(passage_text)))
    if whole >= MIN_PASSAGE_COVERAGE and per_sentence[best] >= MIN_SENTENCE_COVERAGE:
        return support
    return None


def source_text(source: Source) -> str:
    return " ".join([source.header, *(s.text for s in source.sentences)])


def joint_support(claim: str, sources: Sequence[Source]) -> list[Support]:
    """The two sources that together support a sentence no single source supports, or none."""
    words = list(dict.fromkeys(stems(claim)))
    if len(sources) < 2 or len(words) < 4:
        return []
    held = {source.n: set(stems(source_text(source))) for source in sources}
    pair = sorted(sources, key=lambda s: coverage(words, held[s.n]), reverse=True)[:2]
    together = " ".join(source_text(s) for s in pair)
    if (
        any(coverage(words, held[s.n]) < MIN_SHARE for s in pair)
        or coverage(words, held[pair[0].n] | held[pair[1].n]) < MIN_JOINT_COVERAGE
        or not numbers_present(claim, together)
        or not quotes_present(claim, together)
    ):
        return []
    supports = []
    for source in pair:
        shares = [coverage(words, set(stems(e.text))) for e in source.sentences]
        best = max(range(len(shares)), key=shares.__getitem__)
        supports.append(Support(source.n, source.sentences[best], shares[best]))
    return supports


def check_answer(raw: str, sources: Sequence[Source], similarity: Similarity | None = None) -> CheckedAnswer:
    """Keeps supported sentences, renumbers their citations 1..m in order of first use, and drops the rest."""
    by_number = {source.n: source for source in sources}
    citations: dict[tuple[int, int], Citation] = {}
    kept: list[str] = []
    dropped: list[str] = []
    refusals = 0
    lead_unsupported = False  # the first claim is the answer; if it goes, the rest cannot stand in for it
    for a, b in sentence_spans(raw):
        sentence = raw[a:b]
        claim = strip_markers(sentence)
        verdict = VERDICT.match(claim)
        if verdict:  # "Yes, ..." is a conclusion from the sources: it stays even when its reasons need dropping
            kept.append(f"{verdict.group(1).capitalize()}.")
            claim = claim[verdict.end() :]
            claim = claim[:1].upper() + claim[1:]
        if not content_words(claim):
            continue
        if is_refusal(claim):
            kept.append(claim)
            refusals += 1
            continue
        asked = [n for n in dict.fromkeys(cited_numbers(sentence)) if n in by_number]
        support = [s for n in asked if (s := best_support(claim, by_number[n], similarity))]
        if not support:  # repair: the source that supports it best, if any does
            others = [s for n in by_number if n not in asked and (s := best_support(claim, by_number[n], similarity))]
            support = [max(others, key=lambda s: s.strength)] if others else joint_support(claim, sources)
        if not support:
            lead_unsupported = lead_unsupported or not (kept or dropped)
            dropped.append(claim)
            continue
        numbers = []
        for found in support:
            evidence = found.evidence
            key = (found.n, evidence.start)
            if key not in citations:
                passage = by_number[found.n].passage
                citations[key] = Citation(
                    n=len(citations) + 1,
                    doc_id=passage.doc_id,
                    title=passage.title,
                    source=passage.source,
                    published_at=passage.published_at,
                    url=passage.url,
                    quote=evidence.text,
                    start=evidence.start,
                    end=evidence.end,
                )
            numbers.append(citations[key].n)
        kept.append(with_markers(claim, numbers))
    if lead_unsupported:
        citations, kept = {}, []
    refused = not citations
    if refused:  # with nothing supported, a verdict would stand on nothing
        kept = [k for k in kept if not VERDICT.fullmatch(k)]
    text = " ".join(kept) if citations else (" ".join(kept) if refusals else REFUSAL_TEXT)
    return CheckedAnswer(text=text, citations=list(citations.values()), refused=refused, dropped=dropped)


def with_markers(claim: str, numbers: list[int]) -> str:
    """Places markers before the sentence's closing punctuation: 'claim [1][2].'"""
    markers = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
    body = claim.rstrip()
    closing = ""
    while body and body[-1] in ".!?":
        closing = body[-1] + closing
        body = body[:-1]
    return f"{body.rstrip()} {markers}{closing}"
