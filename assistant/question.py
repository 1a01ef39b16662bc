"""A question, read once: what it names (outlets, dates, people, numbers), its parts, what kind of answer it wants
and, for "what did X say about Y", whose words about what. Retrieval, evidence and grounding all take this value
and never read the raw text again.

"Between the report from The Verge on November 24 and the one from Wired ..." is answered from The Verge and from
Wired, around those dates; "What did Ryanair's Michael Cawley say about the compensation rules?" from Michael
Cawley's own sentences, ranked by the compensation rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from functools import lru_cache

from ingest.statements import person_name
from ingest.text.lexicon import (
    MONTHS,
    NUMBER,
    NUMBER_WORDS,
    QUANTITIES,
    REPORTING,
    SPEECH_NOUNS,
    clause_breaks,
    words_pattern,
)
from ingest.text.terms import content_words, stems

MONTH_DAY = re.compile(
    r"\b(" + "|".join(m.capitalize() for m in MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?"
)
DAY_MONTH = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(m.capitalize() for m in MONTHS) + r")\b(?:,?\s+(\d{4}))?"
)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# Outlet names carry a section after a separator: "The Independent - Sports", "The Roar | Sports Writers Blog".
SECTION = re.compile(r"\s+[-|:–—]\s+.*$")
MIN_PART_WORDS = 3
# "Did ...?", and "Between the report of X and the one of Y, was there ...?"
# "Between the report of X and the one of Y, ...": a clause setting the scene before what is asked.
LEADING = (
    r"(?:between|after|before|following|considering|given|in|from|according to)\b"
    r"(?:(?!\b(?:which|who|whom|whose|what|when|where|why|how)\b)[^?])*?,\s*"  # no "which ..." on the way
)
YES_NO = re.compile(
    rf"^(?:{LEADING})?(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", re.IGNORECASE
)
ALTERNATIVES = re.compile(r"\b([a-z]+) or (?:an? )?([a-z]+)\b")
NEGATING_PREFIX = re.compile(r"^(?:in|un|im|ir|il|dis|non-?)")
# Opposites that no prefix makes: what comparisons of two reports ask to choose between.
OPPOSITES = {
    frozenset(pair)
    for pair in [
        ("similar", "different"), ("same", "different"), ("change", "consistency"), ("changed", "unchanged"),
        ("increase", "decrease"), ("increased", "decreased"), ("rise", "fall"), ("rose", "fell"),
        ("higher", "lower"), ("better", "worse"), ("stronger", "weaker"), ("positive", "negative"),
        ("optimistic", "pessimistic"), ("true", "false"), ("support", "oppose"),
    ]
}  # fmt: skip
# "What did X say ...?", "How did X describe ...?", "What was X's reaction ...?": the subject is the speaker.
SPEECH_FRAME = re.compile(
    r"^(?:what|how|why)\s+(?:did|does|do|has|have|had|was|is|were|would)\s+(?P<who>.+?)\s+(?:"
    + REPORTING.pattern
    + r"|"
    + words_pattern(SPEECH_NOUNS).pattern
    + r"|reaction|response|view|views)",
    re.IGNORECASE,
)
ACCORDING = re.compile(r"\b(?i:according to) (?P<who>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)")
# Where a subject stops being the person: "Ken Mayland of ClearView Economics", "Adrian Palmer at Ontrack".
AFFILIATION = re.compile(r"\s+(?:of|at|from|for|in|with)\s+.*$")


class Expects(Enum):
    """The kind of thing a right answer holds, read from how the question asks."""

    VERDICT = "verdict"  # Yes or No, or one of two offered words
    QUOTE = "quote"  # what someone said
    PERSON = "person"
    DATE = "date"
    NUMBER = "number"  # a count, an amount, a rank
    DURATION = "duration"
    NAME = "name"  # a place, a title, a company: something named
    ANY = "any"


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
class Question:
    text: str  # as asked
    earlier: str | None = None  # the question this one follows up
    outlets: tuple[tuple[str, ...], ...] = ()  # each: the sources one named outlet stands for, in order of mention
    dates: tuple[MentionedDate, ...] = ()
    parts: tuple[Part, ...] = ()  # only for questions of more than one part
    speaker: str | None = None  # whose words it asks for: "Michael Cawley", "Lutnick"
    # Whose words it asks for, by first name and surname, when no article quotes that surname: "Geoff Barlow" is not
    # Geoff Barrow, and no one else's words answer it.
    unquoted: str | None = None
    topic: str = ""  # what it asks about, its frame and speaker left out: "the EU's new compensation rules"
    expects: Expects = Expects.ANY
    choice: tuple[str, str] | None = None  # two opposite words it asks to choose between
    numbers: frozenset[str] = frozenset()  # the numbers it names, written plain ("1,200" is "1200")
    names: tuple[str, ...] = ()  # capitalised words past the first, lower-cased: who and what it is about
    words: frozenset[str] = field(default=frozenset())  # its content words, stemmed

    @property
    def searched(self) -> str:
        """What is searched for: a follow-up together with the question it follows, so its entities stay."""
        return f"{self.earlier}\n{self.text}" if self.earlier else self.text

    def itself(self) -> Question:
        """What this question asks in its own words: a follow-up ("and what did the U.S. offer in return?") is
        searched with the question before it, but answered by sentences about what it asks."""
        if not self.earlier:
            return self
        return replace(
            self, earlier=None, names=tuple(dict.fromkeys(names_in(self.text))), words=frozenset(stems(self.text))
        )

    @property
    def named_sources(self) -> frozenset[str]:
        return frozenset(source for group in self.outlets for source in group)

    @property
    def yes_no(self) -> bool:
        return self.expects is Expects.VERDICT

    @property
    def one_value(self) -> bool:
        """Whether one value from one sentence answers it (a number, a date, a name, a fact): a verdict, someone's
        words or a question of several parts needs sentences written over several sources."""
        return self.expects not in (Expects.VERDICT, Expects.QUOTE) and not self.parts


def read_question(
    text: str, earlier: str | None = None, sources: Iterable[str] = (), speakers: Iterable[str] = ()
) -> Question:
    """Reads ``text`` once against the outlets and speaker names the index knows."""
    text = " ".join(text.split())
    searched = f"{earlier}\n{text}" if earlier else text
    sources = tuple(sources)
    outlets = mentioned_outlets(searched, sources)
    asked = asked_person(text)
    quoted = asked is not None and asked.split()[-1].lower().strip(".,’'") in frozenset(speakers)
    speaker = asked if quoted else None
    choice = offered_choice(text)
    return Question(
        text=text,
        earlier=earlier,
        outlets=tuple(outlets),
        dates=tuple(mentioned_dates(searched)),
        parts=tuple(question_parts(text, sources, outlets)),
        speaker=speaker,
        unquoted=asked if asked and not quoted and len(asked.split()) >= 2 and SPEECH_FRAME.match(text) else None,
        topic=topic_of(text, speaker) if speaker else "",
        expects=expected(text, speaker, choice),
        choice=choice,
        numbers=frozenset(plain(n) for n in NUMBER.findall(searched)),
        names=tuple(dict.fromkeys(names_in(searched))),
        words=frozenset(stems(searched)),
    )


def plain(number: str) -> str:
    """'1,200' is '1200', and the '01' of 2023-10-01 is '1'."""
    return number.replace(",", "").lstrip("0") or "0"


def names_in(text: str) -> list[str]:
    """Capitalised words past a sentence's first, lower-cased: 'Bankman-Fried' gives 'bankman', 'fried'."""
    found = []
    for match in re.finditer(r"(?<![\w'’-])[A-Z][\w'’-]*", text):
        if not text[: match.start()].rstrip() or text[: match.start()].rstrip()[-1] in ".?!\n":
            continue  # capitalised because a sentence starts there
        found += name_parts(match.group())
    return found


def name_parts(name: str) -> list[str]:
    """A name's words, lower-cased, without possessives and common words: "Bankman-Fried's" -> bankman, fried."""
    return [p for p in re.findall(r"\w+", name.lower().replace("’", "'")) if p not in {"s"} and content_words(p)]


def aliases(source: str) -> set[str]:
    """The ways a question may name an outlet: in full, without its section, without a leading 'The'."""
    names = {source.strip(), SECTION.sub("", source).strip()}
    names |= {n[4:] for n in names if n.lower().startswith("the ") and len(n) > 8}
    return {n for n in names if len(n) >= 3}


def mentioned_outlets(text: str, sources: Iterable[str]) -> list[tuple[str, ...]]:
    """Outlets named in the text, in order of mention; a name must be capitalised where it stands."""
    found: list[tuple[int, tuple[str, ...]]] = []
    taken: list[range] = []
    for pattern, group in outlet_patterns(tuple(sources)):
        for match in pattern.finditer(text):
            span = range(match.start(), match.end())
            if not match.group(0)[0].isupper() or any(set(span) & set(t) for t in taken):
                continue
            taken.append(span)
            if group not in (g for _, g in found):
                found.append((match.start(), group))
    return [group for _, group in sorted(found)]


@lru_cache(maxsize=8)
def outlet_patterns(sources: tuple[str, ...]) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
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


def mentioned_dates(text: str) -> list[MentionedDate]:
    dates = []
    for month, day, year in MONTH_DAY.findall(text):
        dates.append((MONTHS.index(month.lower()) + 1, int(day), int(year) if year else None))
    for day, month, year in DAY_MONTH.findall(text):
        dates.append((MONTHS.index(month.lower()) + 1, int(day), int(year) if year else None))
    for year, month, day in ISO_DATE.findall(text):
        dates.append((int(month), int(day), int(year)))
    return list(dict.fromkeys(MentionedDate(m, d, y) for m, d, y in dates if 1 <= m <= 12 and 1 <= d <= 31))


def question_parts(text: str, sources: Iterable[str], outlets: list[tuple[str, ...]]) -> list[Part]:
    """Multi-hop questions chain one fact per clause; each clause is searched on its own, in the outlets it
    names, or else in every outlet the question names."""
    sources = tuple(sources)
    clauses: list[str] = []
    for clause in clause_breaks(commas=True).split(text):
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


def asked_person(text: str) -> str | None:
    """Whose words the question asks for, if it asks what someone said: "What did Ryanair's Michael Cawley say
    ...?" -> "Michael Cawley", "According to Lutnick, ..." -> "Lutnick"."""
    match = SPEECH_FRAME.match(text) or ACCORDING.search(text)
    if not match:
        return None
    return person_name(AFFILIATION.sub("", match.group("who")).removesuffix("'s").removesuffix("’s")) or None


def topic_of(text: str, speaker: str) -> str:
    """What a question about someone's words is about: the question without its frame and the speaker's name."""
    rest = SPEECH_FRAME.sub("", text) if SPEECH_FRAME.match(text) else ACCORDING.sub("", text)
    rest = re.sub(rf"\b(?:{'|'.join(re.escape(w) for w in speaker.split())})(?:['’]s)?\b", "", rest).strip(" ?,.")
    return re.sub(r"^(?:about|on|of|regarding|concerning|over)\s+", "", rest, flags=re.IGNORECASE)


def expected(text: str, speaker: str | None, choice: tuple[str, str] | None) -> Expects:
    """What kind of thing answers the question, from its opening words."""
    lower = re.sub(rf"^{LEADING}", "", text.lower())
    if choice or YES_NO.match(text):
        return Expects.VERDICT
    if speaker:
        return Expects.QUOTE
    if re.search(r"\bhow (?:many|much)\b", lower) or (
        (measured := re.match(r"^what (?:is|was|were|are|will be)? ?(?:the )?(\w+)", lower))
        and measured.group(1) in QUANTITIES
    ):
        return Expects.NUMBER
    if re.match(r"^(?:how long|how quickly|how soon|how fast)\b", lower):
        return Expects.DURATION
    if re.match(r"^(?:when|by when|on what (?:date|day)s?|what (?:date|day|year|month|time))\b", lower):
        return Expects.DATE
    if re.match(r"^(?:who|whom|whose|which (?:person|man|woman|player|actor|actress|official|minister))\b", lower):
        return Expects.PERSON
    if re.match(r"^(?:where|in which|at which|which|what is the (?:real |official )?name|what was the name)\b", lower):
        return Expects.NAME
    return Expects.ANY


def opposites(a: str, b: str) -> bool:
    return frozenset((a, b)) in OPPOSITES or any(
        (m := NEGATING_PREFIX.match(y)) is not None and y[m.end() :].lstrip("-") == x for x, y in ((a, b), (b, a))
    )


def offered_choice(text: str) -> tuple[str, str] | None:
    """The two opposite words a yes/no-shaped question asks to choose between ("Is it consistent or
    inconsistent?"), if it does: in a "What ...?" question, "better or worse" is more likely an idiom."""
    if not YES_NO.match(text.strip()):
        return None
    for match in ALTERNATIVES.finditer(text):
        if opposites(*match.groups()):
            return match.group(1), match.group(2)
    return None


def number_words(text: str) -> list[str]:
    """Numbers written as words ("six", "a dozen"): answers to "how many" as much as digits are."""
    return [w for w in re.findall(r"[a-z]+", text.lower()) if w in NUMBER_WORDS]
