"""Whether a sentence answers the question asked, rather than merely sharing a word with it.

Two things make an answer: it is about what the question is about (the question's rarer words and names, held by
the sentence, the one before it or its headline: "topics on the table in Kuala Lumpur" is not answered by "the
tables below show the participation rate"), and it holds what the question asks for that the question does not
already say (a number to "how many", a date to "when", a name to "who"). A sentence with only the question's own
words ("The Chinese delegation led the Chinese delegation") answers nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Set

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


def lends_names(names: Set[str], sentence: str) -> bool:
    """Whether a sentence is read in its article for the question's names (and numbers): when it names none of them,
    it speaks of the question's subject in other words ("Hosted by Stephen Fry, the glittering ceremony ..." in an
    article on the Orange British Academy Film Awards). A sentence naming some of them is about those alone:
    "Disney paid $200,000" does not show what Disney paid Air Shamrock, which the article names elsewhere."""
    return not names & set(re.findall(r"\w+", sentence.lower()))


def in_its_article(
    question: Question, rarity: Rarity, sentence: str, context: str, article: str, min_relation: float
) -> str:
    """The ``context`` of a sentence with the names of the question its article holds, when the sentence names none
    of them but says what the question asks of them (``relation``): it speaks of them in other words ("Hosted by
    Stephen Fry, the glittering ceremony ..."). A sentence naming some of them is about those alone; one saying
    something else of them ("15 million books ...") is not made about the question by its article."""
    if not lends_names(set(question.names), sentence) or relation(question, rarity, sentence) < min_relation:
        return context
    held = set(stems(article))
    return " ".join([context, *(name for name in question.names if (parts := stems(name)) and set(parts) <= held)])


def slot_held(question: Question, rarity: Rarity, claim: str, sentence: str, reach: tuple[int, int] = (4, 10)) -> float:
    """How well the words a claim puts around its answer are around that answer in the cited sentence, weighted by
    rarity: "Jade Johnson's coach is Kelly Sotherton" puts "coach" by the name, which the source puts by "rival".
    1.0 when the claim gives no value of the kind the question asks for, or the question has several parts (then
    the words around the answer describe it from several sources, each part checked on its own). ``reach``: words
    either side of the value looked at in the claim, and in the (wordier) source."""
    if question.parts or question.expects in (Expects.ANY, Expects.VERDICT, Expects.QUOTE):
        return 1.0
    words_of_claim = re.findall(r"[\w'’.-]+", claim)
    words_of_source = re.findall(r"[\w'’.-]+", sentence)
    values = list(dict.fromkeys(new_values(question, claim)))
    # The answer's own words and the names the question gives say nothing of the slot.
    given = set(stems(" ".join([*values, *question.names])))
    shares = []
    for value in values:
        around_claim = (neighbours(words_of_claim, value, reach[0]) or set()) - given
        around_source = neighbours(words_of_source, value, reach[1])
        if around_source is None or not around_claim:
            continue
        weights = rarity(around_claim)
        total = sum(weights.get(w, 1.0) for w in around_claim)
        shares.append(sum(weights.get(w, 1.0) for w in around_claim if w in around_source) / total)
    return max(shares, default=1.0)


def neighbours(words: list[str], value: str, reach: int) -> set[str] | None:
    """The stemmed content words within ``reach`` words of where ``value`` stands in ``words``; None if it does not."""
    target = [w.lower() for w in re.findall(r"[\w'’.-]+", value)]
    lowered = [w.lower().strip(".,") for w in words]
    for i in range(len(lowered) - len(target) + 1):
        if [w.strip(".,") for w in target] == lowered[i : i + len(target)]:
            near = words[max(0, i - reach) : i] + words[i + len(target) : i + len(target) + reach]
            return set(stems(" ".join(near))) - FRAME
    return None


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
