"""Whether a constrained reply (generation/reply.py) answers the question: the sentence it names was shown, holds the
answer verbatim, speaks of the question's own event, and the answer is of the kind asked (a number to "how many", a
date to "when", a name to "who") and adds something to the question. Nothing is lent: the sentence must say it
itself, with only its headline and the sentence before it to name whom it is about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.statements import person_name
from ingest.text.lexicon import NUMBER
from ingest.text.terms import stems

from ..generation.reply import Numbered, Reply
from ..question import Expects, Question, plain
from .answerability import Rarity, about_any_part, new_values, relation, subject
from .policy import Policy

NO_SENTENCE = "the model found no sentence that states it"
NOT_SHOWN = "it names a sentence that was not shown"
NOT_VERBATIM = "the sentence it names does not hold the answer"
WRONG_KIND = "the answer is not what the question asks for"
ECHO = "the answer only restates the question"
ANOTHER_EVENT = "the sentence it names is about something else"


@dataclass(frozen=True)
class Verified:
    """The answer and the sentence that holds it, or why the reply does not stand."""

    answer: str | None
    found: Numbered | None
    reason: str = ""


def verify(question: Question, reply: Reply, shown: Sequence[Numbered], rarity: Rarity, policy: Policy) -> Verified:
    if reply.none or reply.answer is None:
        return Verified(None, None, NO_SENTENCE)
    named = next((item for item in shown if item.n == reply.sentence), None)
    if named is None:
        return Verified(None, None, NOT_SHOWN)
    answer = reply.answer.strip().rstrip(".,;:")
    if not of_the_kind(question, answer):
        return Verified(None, None, WRONG_KIND)
    if not adds(question, answer):
        return Verified(None, None, ECHO)
    # A small model miscounts: the sentence it names first, then any other shown sentence holding the answer word
    # for word; whichever holds it must be about the question's own event.
    holding = [item for item in [named, *shown] if holds(item.sentence.text, answer)]
    if not holding:
        return Verified(None, None, NOT_VERBATIM)
    found = next((item for item in holding if of_the_event(question, item, shown, rarity, policy)), None)
    return Verified(answer, found) if found else Verified(None, None, ANOTHER_EVENT)


def normalized(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").replace("“", '"').replace("”", '"').split())


def holds(sentence: str, answer: str) -> bool:
    """The answer as the sentence words it, whole words and numbers: "1-0" is not in "11-0", nor "500" in "2,500"."""
    whole = rf"(?<![\w-])(?<!\d[.,]){re.escape(normalized(answer))}(?![\w-])(?![.,]\d)"
    return bool(re.search(whole, normalized(sentence)))


def of_the_kind(question: Question, answer: str) -> bool:
    """A number to "how many" or "how much", a date to "when", a duration to "how long", a person's name to "who":
    what the question asks for, in the answer itself. "Which" may ask for a thing no capital names ("which
    minerals?": rare earths), so any answer adding to the question is of its kind."""
    if question.expects in (Expects.ANY, Expects.NAME):
        return True
    if question.expects is Expects.PERSON and not person_name(answer):
        return False
    return bool(new_values(question, answer))


def adds(question: Question, answer: str) -> bool:
    """An answer of only the question's own words and numbers is an echo: "two officials at the bank" to "who are
    the two officials at the bank?"."""
    return bool(set(stems(answer)) - question.words) or any(
        plain(n) not in question.numbers for n in NUMBER.findall(answer)
    )


def of_the_event(
    question: Question, found: Numbered, shown: Sequence[Numbered], rarity: Rarity, policy: Policy
) -> bool:
    """Whether the sentence speaks of what the question asks about: with its headline and the sentence before it
    (when that was shown too), it holds a name the question gives and most of its subject; and the sentence itself
    holds what the question asks of them besides the names ("the attendance" of a match, not its score)."""
    before = next(
        (item for item in shown if item.source is found.source and 0 <= found.sentence.start - item.sentence.end <= 2),
        None,
    )
    context = " ".join(x.sentence.text for x in (before, found) if x)
    asked = question.itself()
    if len(subject(asked, rarity)) < 3:
        # A follow-up of a word or two besides its frame ("and what did the U.S. offer in return?") is too thin to
        # judge by words: it was searched with the question before it, and the names decide.
        names = set(stems(" ".join(asked.names)))
        return not names or bool(names & set(stems(f"{found.source.header} {context}")))
    return (
        about_any_part(asked, rarity, f"{found.source.header} {context}") >= policy.min_reply_about
        and relation(asked, rarity, found.sentence.text) >= policy.min_reply_relation
    )
