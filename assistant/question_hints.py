"""What a question says about where to look: the outlets it names and the dates it mentions.

"Between the report from The Verge on November 24 and the one from Wired ..." should be answered from
The Verge and from Wired, around those dates, not from five passages of whichever outlet wrote most.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ingest.terms import content_words

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
MONTH_DAY = re.compile(
    r"\b(" + "|".join(m.capitalize() for m in MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?"
)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# Outlet names carry a section after a separator: "The Independent - Sports", "The Roar | Sports Writers Blog".
SECTION = re.compile(r"\s+[-|:–—]\s+.*$")


@dataclass(frozen=True)
class MentionedDate:
    month: int
    day: int
    year: int | None = None

    def matches(self, published: date) -> bool:
        return (published.month, published.day) == (self.month, self.day) and self.year in (None, published.year)


@dataclass(frozen=True)
class Part:
    """A clause of a many-part question, and the outlets to search it in (none: all of them)."""

    text: str
    outlets: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionHints:
    outlets: list[tuple[str, ...]] = field(default_factory=list)  # each: the sources one named outlet stands for
    dates: list[MentionedDate] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)  # only for questions of more than one part
    speakers: list[str] = field(default_factory=list)  # speaker keys of people the question names


def aliases(source: str) -> set[str]:
    """The ways a question may name an outlet: in full, without its section, without a leading 'The'."""
    names = {source.strip(), SECTION.sub("", source).strip()}
    names |= {n[4:] for n in names if n.lower().startswith("the ") and len(n) > 8}
    return {n for n in names if len(n) >= 3}


def mentioned_outlets(question: str, sources: Iterable[str]) -> list[tuple[str, ...]]:
    """Outlets named in the question, in order of mention; a name must be capitalised where it stands."""
    found: list[tuple[int, tuple[str, ...]]] = []
    taken: list[range] = []
    for pattern, group in outlet_patterns(tuple(sources)):
        for match in pattern.finditer(question):
            span = range(match.start(), match.end())
            if not match.group(0)[0].isupper() or any(set(span) & set(t) for t in taken):
                continue
            taken.append(span)
            if group not in (g for _, g in found):
                found.append((match.start(), group))
    return [group for _, group in sorted(found)]


@lru_cache(maxsize=8)
def outlet_patterns(sources: tuple[str, ...]) -> list[tuple[re.Pattern, tuple[str, ...]]]:
    """Each way of naming an outlet with the sources it stands for, longest first, so that "The Independent -
    Sports" wins over "The Independent" where both fit. Made once per list of outlets: every search asks."""
    by_alias: dict[str, set[str]] = {}
    for source in sources:
        for alias in aliases(source):
            by_alias.setdefault(alias.lower(), set()).add(source)
    return [
        (re.compile(rf"(?<![\w]){re.escape(alias)}(?![\w])", re.IGNORECASE), tuple(sorted(by_alias[alias])))
        for alias in sorted(by_alias, key=len, reverse=True)
    ]


def mentioned_dates(question: str) -> list[MentionedDate]:
    dates = []
    for month, day, year in MONTH_DAY.findall(question):
        if 1 <= int(day) <= 31:
            dates.append(MentionedDate(MONTHS.index(month.lower()) + 1, int(day), int(year) if year else None))
    for year, month, day in ISO_DATE.findall(question):
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            dates.append(MentionedDate(int(month), int(day), int(year)))
    return list(dict.fromkeys(dates))


CLAUSE_BREAK = re.compile(r"\s*[,;]\s+|\s+(?:while|whereas|but)\s+")
MIN_PART_WORDS = 3


def question_parts(question: str, sources: list[str], outlets: list[tuple[str, ...]]) -> list[Part]:
    """Multi-hop questions chain one fact per clause; each clause is searched on its own, in the outlets it
    names, or else in every outlet the question names."""
    clauses: list[str] = []
    for clause in CLAUSE_BREAK.split(question):
        if clauses and len(content_words(clauses[-1])) < MIN_PART_WORDS:
            clauses[-1] = f"{clauses[-1]}, {clause}"
        else:
            clauses.append(clause)
    if len(clauses) < 2:
        return []
    everywhere = tuple(sorted({s for group in outlets for s in group}))
    parts = []
    for clause in clauses:
        if len(content_words(clause)) < MIN_PART_WORDS:
            continue
        named = tuple(sorted({s for group in mentioned_outlets(clause, sources) for s in group}))
        parts.append(Part(clause, named or everywhere))
    return parts


CAPITALISED = re.compile(r"\b[A-Z][\w'’-]+")


SPEECH = re.compile(
    r"\b(?:say|says|said|saying|tell|told|claim|claimed|comment|comments|remark|remarks|quote|quoted|statement|"
    r"statements|according to|testif\w*|warn\w*|argu\w*|announc\w*|reveal\w*)\b",
    re.IGNORECASE,
)


def mentioned_speakers(question: str, speakers: set[str]) -> list[str]:
    """People the articles quote, named in a question about what they said ("What did Lutnick say ...");
    in other questions a name like Google is a subject, not a speaker."""
    if not SPEECH.search(question):
        return []
    names = (word.lower().removesuffix("’s").removesuffix("'s") for word in CAPITALISED.findall(question))
    return [name for name in dict.fromkeys(names) if name in speakers]


def question_hints(question: str, sources: Iterable[str], speakers: set[str] = frozenset()) -> QuestionHints:
    sources = list(sources)
    outlets = mentioned_outlets(question, sources)
    return QuestionHints(
        outlets, mentioned_dates(question), question_parts(question, sources, outlets), mentioned_speakers(question, speakers)
    )
