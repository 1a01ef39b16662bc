"""Whether a sentence answers the question asked, rather than merely sharing a word with it.

Two things make an answer: it is about what the question is about (the question's rarer words and names, held by
the sentence, the one before it or its headline: "topics on the table in Kuala Lumpur" is not answered by "the
tables below show the participation rate"), and it holds what the question asks for that the question does not
already say (a number to "how many", a date to "when", a name to "who"). A sentence with only the question's own
words ("The Chinese delegation led the Chinese delegation") answers nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ingest.text.lexicon import CALENDAR, NUMBER, NUMBER_WORDS, REPORTING_FORMS
from ingest.text.terms import content_words, stems

from ..question import Expects, Question, name_parts, names_in, plain

Rarity = Callable[[Iterable[str]], dict[str, float]]  # stems -> inverse document frequency

# Words of a question's frame that say nothing of its subject.
FRAME = frozenset(
    stems(
        "did does do many much long quickly soon often name named exactly roughly approximately "
        + " ".join(REPORTING_FORMS)
    )
)
DURATION = re.compile(
    r"\b(?:\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS)) + r"|a|an|half)[\s-]+"
    r"(?:seconds?|secs?|minutes?|mins?|hours?|days?|weeks?|months?|years?|seasons?|decades?)\b",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
SHARE = re.compile(r"(\d+(?:[.,]\d+)*)\s*(?:%|per ?cent\b|percent\b)")
QUOTATION = re.compile(r"[“\"][^”\"]{8,}")


def subject(question: Question, rarity: Rarity) -> dict[str, float]:
    """The question's content words (stemmed) with their weights: rarer words weigh more, names twice."""
    words = [w for w in dict.fromkeys(stems(question.searched)) if w not in FRAME]
    weights = rarity(words)
    names = set(stems(" ".join(question.names)))
    return {w: weights.get(w, 1.0) * (2.0 if w in names else 1.0) for w in words}


def about(weights: dict[str, float], text: str, names: Iterable[str] = ()) -> float:
    """The share of the question's subject that ``text`` holds; none when the question names someone or
    something and ``text`` names none of them."""
    total = sum(weights.values())
    held = set(stems(text))
    named = set(stems(" ".join(names)))
    if not total or (named and not named & held):
        return 0.0
    return sum(weight for word, weight in weights.items() if word in held) / total


def about_the_question(question: Question, rarity: Rarity, sentence: str, article: str, policy_share: float) -> bool:
    """Whether a cited sentence is about what the question asks: its article names someone or something the
    question names (if it names any), and the sentence with its neighbours holds a share of the question's subject.
    A question of one or two words besides its frame ("and what did the U.S. offer in return?") is too thin to
    judge by words: the names decide."""
    names = set(stems(" ".join(question.names)))
    if names and not names & set(stems(article)):
        return False
    if len(subject(question, rarity)) < 3:
        return True
    return about_any_part(question, rarity, sentence) >= policy_share


def about_any_part(question: Question, rarity: Rarity, text: str) -> float:
    """How much ``text`` is about the question, or about one of its parts: a many-part question is answered one
    part per sentence."""
    shares = [about(subject(question, rarity), text, question.names)]
    for part in question.parts:
        names = tuple(names_in(part.text))
        shares.append(about(subject(Question(part.text, names=names), rarity), text, names))
    return max(shares)


def relation(question: Question, rarity: Rarity, text: str) -> float:
    """The share of what the question asks about besides whom it names ("the population of" Kuala Lumpur, "what
    must happen before" the London framework) that ``text`` holds: a sentence naming the same people or places
    answers only when it speaks of the same thing."""
    names = set(stems(" ".join(question.names)))
    weights = {w: v for w, v in subject(question, rarity).items() if w not in names}
    return about(weights, text) if weights else 1.0


def new_values(question: Question, sentence: str) -> list[str]:
    """What ``sentence`` holds of the kind the question asks for, beyond what the question itself says."""
    kind = question.expects
    if kind in (Expects.VERDICT, Expects.ANY):
        return [sentence]
    if kind is Expects.QUOTE:
        return QUOTATION.findall(sentence) or [sentence]
    numbers = [n for n in NUMBER.findall(sentence) if plain(n) not in question.numbers]
    words = [w for w in re.findall(r"[a-z]+", sentence.lower()) if w in NUMBER_WORDS and w not in question.text.lower()]
    if kind is Expects.NUMBER:
        if re.search(r"\bhow many\b", question.text, re.IGNORECASE):
            # A count: not a share ("32% of votes") nor a year ("in 1994").
            shares = {m.group(1) for m in SHARE.finditer(sentence)}
            numbers = [n for n in numbers if n not in shares and not YEAR.fullmatch(n)]
        return numbers + words
    if kind is Expects.DURATION:
        return [d for d in DURATION.findall(sentence) if d.lower() not in question.text.lower()]
    if kind is Expects.DATE:
        asked = question.text.lower()
        dates = [w for w in re.findall(r"[a-z]+", sentence.lower()) if w in CALENDAR and w not in asked]
        return (
            dates
            + [y for y in YEAR.findall(sentence) if y not in question.numbers]
            + [n for n in numbers if len(n) <= 2]
        )
    known = set(question.names) | set(stems(question.text)) | set(re.findall(r"\w+", question.text.lower()))
    # A name may open the sentence ("Google is accused ..."): its first word counts unless it is a common word.
    opening = re.match(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*", sentence)
    first = [w for w in name_parts(opening.group()) if content_words(w)] if opening else []
    return [
        n
        for n in dict.fromkeys([*first, *names_in(f". {sentence}")])
        if n not in known and stems(n) and stems(n)[0] not in known
    ]
