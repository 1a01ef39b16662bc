"""Who said what: statements attributed to a named speaker, found at ingest so "what did X say" can be
answered with X's own words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Document
from .sentences import sentence_spans

VERBS = (
    r"(?:said|says|told|added|revealed|noted|stated|explained|argued|warned|claimed|insisted|announced|"
    r"confirmed|cited|stressed|emphasized|emphasised|acknowledged|admitted|declared|wrote|tweeted|asked|replied|"
    r"echoed|signaled|signalled|maintained|described|suggested|urged|predicted|called|testified|denied)"
)
NAME = r"(?:[A-Z][\w'’.-]+)(?:\s+[A-Z][\w'’.-]+){0,3}"
PRONOUN = r"(?:He|She|They)"
# “...,” Lutnick said / “...,” said Lutnick / Lutnick said, “...” / Lutnick said that ... / He added that ...
AFTER_QUOTE = re.compile(rf"[”\"]\s*,?\s*(?:(?P<a>{NAME}|he|she|they)\s+{VERBS}|{VERBS}\s+(?P<b>{NAME}))\b")
SUBJECT = re.compile(rf"(?P<s>\b{NAME}|^{PRONOUN})(?:,[^,]{{1,80}},)?\s+{VERBS}\b")
TITLES = {"President", "Secretary", "Minister", "Director", "Vice", "Premier", "Chief", "Commerce", "Prime",
          "Senator", "Governor", "Chairman", "Chair", "CEO", "Dr.", "Mr.", "Mrs.", "Ms.", "The", "U.S.", "Chinese"}


@dataclass(frozen=True)
class Statement:
    doc_id: str
    speaker: str
    text: str  # the whole sentence, verbatim
    start: int
    end: int
    quoted: bool  # the speaker's own words in quotation marks, rather than reported speech


def speaker_name(raw: str) -> str:
    """'Commerce Secretary Howard Lutnick' -> 'Howard Lutnick': titles are not names."""
    words = [w for w in raw.split() if w not in TITLES]
    return " ".join(words[-2:]) if words else ""


def proper_noun(word: str, text: str) -> bool:
    """A capitalised common noun ("Officials said") is capitalised only where a sentence starts."""
    lowercase_elsewhere = re.search(rf"\b{re.escape(word.lower())}\b", text)
    mid_sentence = re.search(rf"[a-z,;:”\"’]\s+{re.escape(word)}\b", text)
    return bool(mid_sentence) and not lowercase_elsewhere


def speaker_key(name: str) -> str:
    """People are named by surname on second mention: 'Lutnick' and 'Howard Lutnick' are one speaker."""
    return name.split()[-1].lower().strip(".,’'") if name else ""


def statements(document: Document) -> list[Statement]:
    """Sentences with a speaker: named after or before a quotation, or the subject of a speech verb; a pronoun
    speaker is the last named one, as in 'He added that ...'."""
    found: list[Statement] = []
    last = ""
    text = document.text
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        quoted = "“" in sentence or '"' in sentence
        match = AFTER_QUOTE.search(sentence) if quoted else None
        raw = (match.group("a") or match.group("b")) if match else None
        if raw is None and (subject := SUBJECT.search(sentence)):
            raw = subject.group("s")
        if raw is None:
            continue
        name = last if raw.lower() in {"he", "she", "they"} else speaker_name(raw)
        if not name or (" " not in name and not proper_noun(name, text)):
            continue
        last = name
        found.append(Statement(document.doc_id, name, sentence, start, end, quoted))
    return found
