"""Checks a model's answer against the sources it cites, sentence by sentence, as the model writes it.

A sentence stands only when a cited source supports it (support.py), it is about what was asked and it adds
something to the question (answerability.py); a wrong number is repaired when another source supports the sentence;
anything else is dropped, with the rule that dropped it. Each citation carries the verbatim sentence of the article
that supports its claim, with its offsets, numbered in order of first use.

Sentences are released as soon as the answer they belong to is settled: from its first supported sentence that
answers the question on, each checked sentence is final when it arrives, so what a reader sees never changes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.statements import person_name
from ingest.text.lexicon import NUMBER
from ingest.text.sentences import sentence_spans
from ingest.text.terms import content_words, stems

from ..question import Expects, Question, plain
from ..types import Citation, Dropped, Source
from .answerability import Rarity, about_the_question, new_values
from .policy import POLICY, Policy
from .quoting import Citations
from .restatements import restated_support
from .support import ATTRIBUTION, Given, Similarity, Support, best_support, clause_support, joint_support
from .verdicts import opening_verdict, without_yes_no

log = logging.getLogger(__name__)

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
REFUSAL = re.compile(
    r"\b(?:articles?|sources?|passages?|texts?)\b[^.]*\b(?:do(?:es)?n[’']t|do(?:es)? not|did not|didn[’']t)\s+"
    r"(?:say|mention|contain|provide|specify|state|include|address|discuss)|\bno information\b",
    re.IGNORECASE,
)
REFUSAL_TEXT = "The articles don't say."
PRONOUN = re.compile(r"^(?:He|She)(?=\s+[a-z])")  # not "He Lifeng"
OPENING = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")

# Why a sentence of the model's did not reach the answer.
UNSUPPORTED = "no cited source supports it"
ECHO = "it only restates the question"
OFF_TOPIC = "its source is not about the question"
AFTER_WRONG_ANSWER = "the answer it follows was unsupported"
ANOTHER_QUESTION = "it answers another question"
NO_VALUE = "it does not give what the question asks for"


@dataclass
class Claim:
    text: str  # the model's sentence without its markers or verdict
    support: list[Support] | None  # None: the model saying the articles don't say; []: unsupported
    reason: str = ""  # why it was dropped, when it was


@dataclass(frozen=True)
class CheckedAnswer:
    text: str
    citations: list[Citation]
    refused: bool
    dropped: list[Dropped] = field(default_factory=list)


def cited_numbers(sentence: str) -> list[int]:
    return [int(n) for group in MARKER.findall(sentence) for n in re.split(r"[,;]", group)]


def strip_markers(text: str) -> str:
    return MARKER.sub("", text).strip()


def is_refusal(text: str) -> bool:
    return bool(REFUSAL.search(text))


def no_rarity(words) -> dict[str, float]:
    return {}


class AnswerChecker:
    """Feed it the model's sentences as they are written; it says what of them may be shown."""

    def __init__(
        self,
        question: Question | None,
        sources: Sequence[Source],
        similarity: Similarity | None = None,
        rarity: Rarity = no_rarity,
        policy: Policy = POLICY,
    ):
        self.question = question
        self.sources = list(sources)
        self.by_number = {source.n: source for source in sources}
        self.similarity = similarity
        self.rarity = rarity
        self.policy = policy
        self.given = Given.of(question, sources)
        self.choice = question.choice if question else None
        self.verdict: str | None = None
        self.claims: list[Claim] = []
        self.answer_first = False  # the answer opens with a claim, not a verdict or a refusal: that claim is the answer
        self.subject: str | None = None  # whom a sentence opening with "He" or "She" is about
        self.citations = Citations()
        self.released = 0  # claims already shown
        self.result: CheckedAnswer | None = None  # once finished, the answer stays what it was

    def add(self, sentence: str) -> str:
        """Checks one sentence of the model's; returns the text that may now be shown ("" for none yet)."""
        claim = strip_markers(sentence)
        # "Yes, ..." opening the answer is its conclusion: it stays even when its reasons need dropping. A later
        # "Yes"/"No" is the model arguing with itself: only the claim after it is kept, if supported.
        if not (self.verdict or self.claims):
            self.verdict, claim = opening_verdict(claim, self.choice)
        else:
            _, claim = without_yes_no(claim)
        if not content_words(claim):
            return ""
        if is_refusal(claim):
            self.claims.append(Claim(claim, None))
            return self.release()
        self.answer_first = self.answer_first or not (self.verdict or self.claims)
        # "He added ..." after a sentence about Lutnick is checked as "Lutnick added ...": it must be his words.
        checked = PRONOUN.sub(self.subject, claim) if self.subject else claim
        self.subject = opening_name(claim) or self.subject
        if self.echoes(checked):
            self.claims.append(Claim(claim, [], ECHO))
            return self.release()
        asked = [n for n in dict.fromkeys(cited_numbers(sentence)) if n in self.by_number]
        support = self.about(checked, [s for n in asked if (s := self.support(checked, self.by_number[n]))])
        if not support:  # repair: the source that supports it best, if any does
            others = self.about(
                checked,
                [s for n in self.by_number if n not in asked and (s := self.support(checked, self.by_number[n]))],
            )
            support = (
                [max(others, key=lambda s: s.strength)]
                if others
                else self.about(
                    checked, clause_support(checked, self.sources, self.similarity, self.given, self.policy)
                )
            )
        if not support:  # both sources of a joint support, or neither: one alone does not hold the claim
            joint = self.joint(checked)
            support = kept if len(kept := self.about(checked, joint)) == len(joint) else []
        self.claims.append(Claim(claim, support, "" if support else UNSUPPORTED))
        return self.release()

    def joint(self, claim: str) -> list[Support]:
        """Two sources that together support ``claim``. To a question of one part they must be of one article: a
        box set's name from one story and "72,000 copies" from another make a claim neither states."""
        if self.question is None or self.question.parts:
            return joint_support(claim, self.sources, self.given, self.policy)
        articles: dict[str, list[Source]] = {}
        for source in self.sources:
            articles.setdefault(source.passage.doc_id, []).append(source)
        found = (joint_support(claim, group, self.given, self.policy) for group in articles.values())
        return next((supports for supports in found if supports), [])

    def support(self, claim: str, source: Source) -> Support | None:
        return best_support(claim, source, self.similarity, self.given, self.policy)

    def echoes(self, claim: str) -> bool:
        """A claim that adds no word, number or name to a question that asks for something is no answer. After
        a verdict, or to a yes/no question, restating the question is how the model argues, and is checked so."""
        question = self.question
        if question is None or question.expects is Expects.VERDICT or self.verdict:
            return False
        added = set(stems(claim)) - question.words - ATTRIBUTION
        return not added and all(plain(n) in question.numbers for n in NUMBER.findall(claim))

    def about(self, claim: str, supports: list[Support]) -> list[Support]:
        """The supports whose sentence (with the one before it and its header) is about the question asked."""
        if self.question is None or self.question.expects is Expects.VERDICT:
            return supports  # a yes/no question is checked part by part against the outlets it names
        asked = self.question.itself()
        kept = [
            s
            for s in supports
            if about_the_question(asked, self.rarity, self.context(s), self.article(s), self.policy.min_about)
        ]
        if len(kept) < len(supports):
            log.debug(
                "%r: cited sentences not about the question: %s",
                claim,
                [s.evidence.text for s in supports if s not in kept],
            )
        return kept

    def article(self, support: Support) -> str:
        return self.by_number[support.n].article

    def context(self, support: Support) -> str:
        """The cited sentence with its header, and the sentence before it when that one was shown too."""
        source = self.by_number[support.n]
        i = next((i for i, e in enumerate(source.sentences) if e.start == support.evidence.start), 0)
        previous = source.sentences[i - 1] if i else None
        adjacent = previous is not None and support.evidence.start - previous.end <= 2
        before = previous.text if adjacent and previous else ""
        return " ".join([source.header, before, support.evidence.text])

    def release(self) -> str:
        """Shows the claims settled since the last call: once the answer is established, every supported claim."""
        if not self.released and not self.established():
            return ""
        shown = []
        if not self.released and self.verdict:
            shown.append(self.verdict)
        for claim in self.claims[self.released :]:
            if claim.support:
                shown.append(self.cited(claim))
            elif claim.support is None:
                shown.append(claim.text)  # the model's own "the articles don't say when"
        self.released = len(self.claims)
        return " ".join(shown)

    def established(self) -> bool:
        """Whether the supported claims so far make an answer that no later sentence can undo."""
        supported = [c for c in self.claims if c.support]
        if not supported:
            return False
        first = next(c for c in self.claims if c.support is not None)
        if self.answer_first and not first.support and not self.about_whom_asked():
            return False
        return self.answers_the_question(supported) and self.gives_what_is_asked(supported)

    def finish(self) -> CheckedAnswer:
        """The checked answer: the claims already shown, or, when none could be yet, the whole answer judged at once.
        Judged once: judging the whole again would revive claims the first judgement dropped, and an answer whose
        text was never shown would count as given."""
        if self.result is None:
            self.result = self.judged()
        return self.result

    def judged(self) -> CheckedAnswer:
        if not self.released:
            self.judge_whole()
        dropped = [Dropped(c.text, c.reason or UNSUPPORTED) for c in self.claims if c.support == []]
        for item in dropped:
            log.info("dropped %r: %s", item.sentence, item.reason)
        if not self.citations.all():
            refusals = [c.text for c in self.claims if c.support is None]
            return CheckedAnswer(" ".join(refusals) or REFUSAL_TEXT, [], True, dropped)
        kept = [self.verdict] if self.verdict else []
        kept += [self.cited(c) if c.support else c.text for c in self.claims if c.support != []]
        return CheckedAnswer(" ".join(kept), self.citations.all(), False, dropped)

    def judge_whole(self) -> None:
        """Rules that need the whole answer, for an answer not established sentence by sentence."""
        if not any(c.support for c in self.claims):
            # Nothing checked out word by word: the model may have answered by restating the question.
            for c in self.claims:
                if c.support == [] and c.reason != ECHO:
                    revived = restated_support(
                        c.text, self.sources, self.similarity, self.given, bool(self.verdict), self.policy
                    )
                    c.support = self.about(c.text, revived)
                    c.reason = "" if c.support else c.reason
        supported = [c for c in self.claims if c.support]
        first = next((c for c in self.claims if c.support is not None), None)
        reason = ""
        if self.answer_first and first is not None and not first.support and not self.about_whom_asked():
            reason = AFTER_WRONG_ANSWER
        elif supported and not self.answers_the_question(supported):
            reason = ANOTHER_QUESTION
        elif supported and not self.gives_what_is_asked(supported):
            reason = NO_VALUE
        if reason:
            for c in supported:
                c.support, c.reason = [], reason
        if any(c.support for c in self.claims):
            self.release_all()

    def release_all(self) -> None:
        for claim in self.claims:
            if claim.support:
                self.cited(claim)
        self.released = len(self.claims)

    def cited(self, claim: Claim) -> str:
        return with_markers(claim.text, [self.cite(found) for found in claim.support or []])

    def about_whom_asked(self) -> bool:
        return any(
            c.support and (name := opening_name(c.text)) and name.lower() in self.given.names for c in self.claims
        )

    def answers_the_question(self, supported: list[Claim]) -> bool:
        """True claims can still answer another question: an answer to a yes/no question must share a word with it
        (outlets and reporting verbs aside), and when the question names outlets, rest on at least one of them."""
        question = self.question
        if question is None:
            return True
        # Other answers' sources were each checked to be about the question (``about``).
        asked = {w for w in question.words if not self.given.outlet(w)} - ATTRIBUTION
        if question.expects is Expects.VERDICT and asked and not any(asked & set(stems(c.text)) for c in supported):
            return False
        named = question.named_sources
        cited = {found.n for c in supported for found in c.support or []}
        return not named or any(s.passage.source in named for s in self.sources if s.n in cited)

    def gives_what_is_asked(self, supported: list[Claim]) -> bool:
        """To "how many", "when" or "who", some claim must give a number, a date or a name the question lacks (an
        outlet's name, from every source's header, is none)."""
        question = self.question
        return question is None or any(
            not self.given.outlet(value) for c in supported for value in new_values(question, c.text)
        )

    def cite(self, found: Support) -> int:
        return self.citations.cite(
            self.by_number[found.n].passage, found.evidence.text, found.evidence.start, found.evidence.end
        )


def check_answer(
    raw: str,
    sources: Sequence[Source],
    question: Question | None = None,
    similarity: Similarity | None = None,
    rarity: Rarity = no_rarity,
    policy: Policy = POLICY,
) -> CheckedAnswer:
    """The whole of a model's text, checked: what ``AnswerChecker`` shows sentence by sentence, at once."""
    checker = AnswerChecker(question, sources, similarity, rarity, policy)
    for a, b in sentence_spans(raw):
        checker.add(raw[a:b])
    return checker.finish()


def opening_name(claim: str) -> str | None:
    """Whom a sentence opens with, by surname: 'Howard Lutnick, the U.S. Commerce Secretary, said' -> 'Lutnick'."""
    if PRONOUN.match(claim) or not (run := OPENING.match(claim)):
        return None
    name = person_name(run.group())
    return name.split()[-1] if name else None


def with_markers(claim: str, numbers: list[int]) -> str:
    """Places markers before the sentence's closing punctuation: 'claim [1][2].'"""
    markers = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
    body = claim.rstrip()
    closing = ""
    while body and body[-1] in ".!?":
        closing = body[-1] + closing
        body = body[:-1]
    return f"{body.rstrip()} {markers}{closing}"
