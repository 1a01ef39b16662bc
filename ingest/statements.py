"""Who said what: each sentence of an article that holds a named person's words, found at ingest so that "what did
X say about Y" is answered with X's own sentences rather than a model's retelling.

News copy attributes speech in a few ways, and a quotation may run over several sentences and paragraphs:

    "We will implement the framework," Lutnick said.        after the quotation
    Ferguson said: "It was a great opportunity."             before it
    Hazel Blears said innocent Muslims would be targeted.    reported speech, the speaker as the verb's subject
    "Rangers are on the up," he said.                        a pronoun: the last speaker
    Verroken insists the Blues were right. "Chelsea are ..." a quotation led in by the sentence before it
    "... tolerate. "It was a very difficult decision ...     a quotation going on in a new paragraph

A speaker is named the way the article names them at their fullest ("Mr Barot" after "Jacques Barrot" is Jacques
Barrot), so that a question can find one person by surname, full name or title and name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .document import Document
from .text.lexicon import (
    ATTRIBUTING_FORMS,
    DEMONYM_ENDINGS,
    NAME_RUN,
    NOT_NAMES,
    ORGANISATION_WORDS,
    SUBJECT_PRONOUNS,
    TITLES,
    words_pattern,
)
from .text.sentences import OPEN, quote_marks, sentence_spans

VERB = words_pattern(ATTRIBUTING_FORMS).pattern
# A capitalised word, an initial ("J.") or an abbreviation ("U.S."): a full stop ends a name, not a word in it.
WORD = r"(?:[A-Z](?:\.[A-Z])+\.|[A-Z]\.|[A-Z][\w'’-]+)"
NAME = rf"{WORD}(?:\s+{WORD}){{0,4}}"
# "the Salford MP", "the American": a description standing for a person named earlier.
DESCRIPTION = (
    r"(?:[Tt]he\s+(?:(?!(?:and|or|but|that|who|which)\b)[\w-]+\s+){0,2}(?!(?:and|or|but|that|who|which)\b)(?:[a-z][\w-]+|[A-Z]{2,4})"
    r"|[Tt]he\s+[A-Z][a-z]+(?:" + "|".join(DEMONYM_ENDINGS) + r"))\b"
)
SPEAKER = rf"(?:{NAME}|[Hh]e|[Ss]he|[Tt]hey|{DESCRIPTION})"
# "said analyst Erling Refsum", "said SEC deputy enforcement director Linda Thomsen": a role before the name.
ROLE = (
    r"(?:(?!(?:that|on|in|to|it|he|she|they|there|when|if|as|was|is|would|will|had|has|have|but)\b)[\w'’&.-]+\s+){0,6}?"
)
FULL_NAME = rf"{WORD}(?:\s+{WORD})+"
# "has already accused", "quickly added": words between a speaker and the verb.
BETWEEN = r"(?:(?:has|have|had|also|already|\w+ly)\s+){0,2}"
# ", chief economist at Investec Securities,": a noun phrase, never a clause of its own ("..., were held, accused").
APPOSITIVE = r",(?![^,]*\b(?:was|were|is|are|has|have|had|will|would)\b)[^,]{1,80},"
# "said a Fifa spokesman", "a spokesman said": someone the article does not name.
SOMEONE = r"(?:an?|one|another)\s+(?:[\w'’-]+\s+){0,4}?(?:spokes\w+|official|source|expert|analyst|executive|lawyer|aide|member|\w+)"
AFTER_QUOTE = re.compile(
    rf"[”\"]\s*,?\s*(?:(?P<a>{SPEAKER}|{SOMEONE})(?:{APPOSITIVE})?\s+{BETWEEN}{VERB}"
    rf"|{VERB}\s+(?:(?P<b>{ROLE}{FULL_NAME})|(?P<c>{NAME}|{DESCRIPTION}|{SOMEONE})))\b"
)
BEFORE_QUOTE = re.compile(rf"(?P<s>{SPEAKER})(?:{APPOSITIVE})?\s+{BETWEEN}{VERB}\b[^“\"]{{0,60}}?[:,]\s*[“\"]")
SUBJECT = re.compile(
    rf"(?:^|(?<=[\s(]))(?:(?P<s>{NAME}|[Hh]e|[Ss]he|[Tt]hey)(?:{APPOSITIVE})?|(?P<d>{DESCRIPTION}))\s+{BETWEEN}{VERB}\b"
)
# "..., it is heading that way, said Mike Short, chairman of the MDA."
INVERTED = re.compile(rf",\s+{VERB}\s+(?:(?P<b>{ROLE}{FULL_NAME})|(?P<c>{NAME}))")
ACCORDING = re.compile(rf"\baccording to (?P<s>{NAME})")
SAYING = re.compile(r"\bsaying\s*[:,]?\s*[“\"]")
OPENING_SUBJECT = re.compile(rf"^(?:But\s+|And\s+)?(?P<s>{SPEAKER})\b")
# A description that is someone of its own, not a person named before: "the company said", "the spokesman said".
UNNAMED = frozenset(
    """spokesman spokeswoman spokesperson official officials source sources statement report company firm group
    government ministry department club band court police survey study agency board committee council union
    party team organisers organizers bank airline league association researchers experts analysts""".split()
)


# The version of the rules below: an index whose statements were found by other rules finds them again on opening
# (ingest/index/index.py), from the catalog's text, in seconds. Raise it with any change to what is found.
STATEMENT_RULES = 2


@dataclass(frozen=True)
class Statement:
    doc_id: str
    speaker: str  # as the article names them at their fullest: "Howard Lutnick", or "Lutnick" if never in full
    text: str  # the whole sentence, verbatim
    start: int
    end: int
    quoted: bool  # holds the speaker's own words in quotation marks, rather than reported speech


def person_name(run: str) -> str:
    """A person's name out of the words naming them: the capitalised words it ends with, titles and possessors
    left out. 'U.S. Commerce Secretary Howard Lutnick' -> 'Howard Lutnick', "Celtic's Neil Lennon" -> 'Neil Lennon',
    'Electrolux chief executive Hans Straberg' -> 'Hans Straberg'."""
    name: list[str] = []
    for word in reversed(run.split()):
        bare = word.strip(",.").lower()
        if not word[:1].isupper() or bare in TITLES or bare in NOT_NAMES or bare.endswith(("'s", "’s")):
            break
        name.insert(0, word.strip(",."))
    return " ".join(name[-3:])


def speaker_key(name: str) -> str:
    """People are named by surname on second mention: 'Lutnick' and 'Howard Lutnick' share the key 'lutnick'."""
    return name.rsplit(maxsplit=1)[-1].lower().strip(".,’'") if name else ""


def near(a: str, b: str) -> bool:
    """One letter apart (a dropped, added or changed letter): 'Barot' for 'Barrot' is a typo, not another person."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 5:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class People:
    """The people an article names, by the fullest name it gives each."""

    def __init__(self, text: str):
        full = [person_name(m.group()) for m in NAME_RUN.finditer(text)]
        self.full = list(dict.fromkeys(n for n in full if len(n.split()) >= 2))
        self.mentions: Counter[str] = Counter()

    def resolve(self, mention: str) -> str:
        """The fullest name for a mention: 'Lutnick' -> 'Howard Lutnick', 'Li' -> 'Li Chenggang' (family name
        first), 'Barot' -> 'Jacques Barrot'. A mention that fits two people, or none, stays as it is."""
        name = person_name(mention)
        words = name.split()
        if not words:
            return ""
        if len(words) >= 2:
            longer = [f for f in self.full if f != name and f.endswith(" " + name)]
            return longer[0] if len(longer) == 1 else name
        word = words[0]
        for fits in (
            lambda f: f.split()[-1] == word,
            lambda f: f.split()[0] == word,
            lambda f: near(f.split()[-1].lower(), word.lower()),
        ):
            found = {f for f in self.full if fits(f)}
            if len(found) == 1:
                return found.pop()
            if found:
                return name
        return name

    def seen(self, name: str) -> None:
        self.mentions[name] += 1

    def most_salient(self) -> str | None:
        """The person named most so far, among those named in full ("Game Developers Conference" is no person)."""
        named = [
            (count, name)
            for name, count in self.mentions.items()
            if " " in name and name.split()[-1].lower() not in ORGANISATION_WORDS
        ]
        return max(named, key=lambda pair: pair[0])[1] if named else None


def quotations(text: str) -> list[tuple[int, int]]:
    """Spans of quoted words. An opening quote while one is open starts a new paragraph of the same quotation (news
    copy leaves the earlier paragraph unclosed); a quotation still open at a line break whose next line opens no
    quote ends there."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    marks = dict(quote_marks(text))
    for match in re.finditer(r"[“”\"\n]", text):
        i = match.start()
        if match.group() == "\n":
            if opened is not None and not text[i:].lstrip().startswith((OPEN, '"')):
                spans.append((opened, i))
                opened = None
        elif marks[i]:
            opened = i if opened is None else opened
        elif opened is not None:
            spans.append((opened, i + 1))
            opened = None
    if opened is not None:
        spans.append((opened, len(text)))
    return spans


def attribution(sentence: str, quoted: Sequence[tuple[int, int]] = ()) -> str | None:
    """The words naming who says what a sentence holds, if the sentence itself says it. ``quoted``: the spans of
    the sentence inside quotation marks, where a name is the speaker's words, not the attribution
    ("Somebody, I think it was Mr Phillips, said they won't ...")."""
    if quoted:
        for pattern in (AFTER_QUOTE, BEFORE_QUOTE):
            if match := pattern.search(sentence):
                return next(g for g in match.groups() if g) if pattern is AFTER_QUOTE else match.group("s")
    outside = sentence
    for a, b in quoted:
        outside = outside[:a] + " " * (b - a) + outside[b:]
    if match := INVERTED.search(outside) or SUBJECT.search(outside) or ACCORDING.search(outside):
        return next(g for g in match.groups() if g)
    return None


def is_someone(mention: str) -> bool:
    """A speaker the article does not name ("a Fifa spokesman"): the words are theirs, and nobody's we can name."""
    return mention.split(maxsplit=1)[0].lower() in {"a", "an", "one", "another"}


def is_pronoun(mention: str) -> bool:
    return mention.lower() in SUBJECT_PRONOUNS


def is_description(mention: str) -> bool:
    return mention.split(maxsplit=1)[0].lower() == "the"


def statements(document: Document) -> list[Statement]:
    """Every sentence holding a named speaker's words, quoted or reported, with its offsets in the document."""
    text = document.text
    people = People(text)
    marks = quotations(text)
    spans = sentence_spans(text)
    # A quotation is in a sentence that holds some of its words, not just a stray quote mark at its edge.
    inside = [[q for q, (a, b) in enumerate(marks) if min(b, end) - max(a, start) > 2] for start, end in spans]
    raw = [
        attribution(text[start:end], [(max(marks[q][0], start) - start, min(marks[q][1], end) - start) for q in quotes])
        for (start, end), quotes in zip(spans, inside)
    ]
    # A quotation running over several sentences is attributed once, in any of them ("A. B," he said.).
    said_by: dict[int, str] = {}
    for mention, quotes in zip(raw, inside):
        for q in quotes:
            if mention:
                said_by.setdefault(q, mention)
    found: list[Statement] = []
    speakers: dict[int, str | None] = {}  # each quotation's speaker, once resolved
    last: str | None = None  # the last speaker named: whom "he said" means
    previous: Statement | None = None
    for (start, end), quotes, own in zip(spans, inside, raw):
        sentence = text[start:end]
        for run in NAME_RUN.finditer(sentence):
            if (name := people.resolve(run.group())) and proper(name, text):
                people.seen(name)
        mention = own or next((said_by[q] for q in quotes if q in said_by), None)
        if mention is None and SAYING.search(sentence) and (subject := OPENING_SUBJECT.match(sentence)):
            mention = subject.group("s")  # "The actor refused, throwing the book and saying: "...""
        known = next((speakers[q] for q in quotes if q in speakers), None)
        speaker = known or (resolve(mention, people, last) if mention else None)
        for q in quotes:  # "the American" is whoever it was when the quotation began, to its end
            speakers.setdefault(q, speaker)
        if mention is None and sentence[:1] in (OPEN, '"') and previous and not text[previous.end : start].strip():
            speaker = previous.speaker  # a quotation led in by the statement right before it
        if not speaker or not proper(speaker, text):
            previous = None
            continue
        last = speaker
        previous = Statement(document.doc_id, speaker, sentence, start, end, bool(quotes))
        found.append(previous)
    return found


def resolve(raw: str, people: People, last: str | None) -> str | None:
    """The person a mention names: a pronoun is the last speaker, a description ("the actor") the person the
    article has named most so far."""
    if is_someone(raw):
        return None
    if is_pronoun(raw):
        return last or people.most_salient()
    if is_description(raw):
        head = raw.rsplit(maxsplit=1)[-1].lower()
        if head in UNNAMED or "'s" in raw or "’s" in raw:
            return None
        return people.most_salient() or last
    return people.resolve(raw) or None


def proper(name: str, text: str) -> bool:
    """A name of one word must be a proper noun: capitalised mid-sentence and never written in lower case
    ("Officials said" is not a person)."""
    if " " in name:
        return all(w[:1].isupper() for w in name.split())
    if name.lower() in NOT_NAMES:
        return False
    lowercase_elsewhere = re.search(rf"\b{re.escape(name.lower())}\b", text)
    mid_sentence = re.search(rf"[a-z,;:”\"’]\s+{re.escape(name)}\b", text)
    return bool(mid_sentence) and not lowercase_elsewhere
