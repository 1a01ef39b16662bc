"""The verdict an answer opens with: Yes or No, or one of the two opposite words the question offers.

"Is the stance of the two outlets consistent or inconsistent?" is not answered by "Yes": the answer is the word
chosen, and it stays the answer's conclusion while the sentences that argue for it are checked one by one.
"""

from __future__ import annotations

import re

VERDICT = re.compile(r"^(Yes|No)(?:[,.:;!]\s*|$)", re.IGNORECASE)
NEGATION = re.compile(r"\b(?:not|n[’']t|never)\s+(?:\w+\s+)?$", re.IGNORECASE)


def chosen(sentence: str, choice: tuple[str, str]) -> str | None:
    """Which of the two words a sentence picks: the one it names, or the other when it names one negated
    ("is not consistent"); None when it names both or neither."""
    picked = set()
    for word, other in (choice, choice[::-1]):
        for match in re.finditer(rf"\b{word}\b", sentence, re.IGNORECASE):
            picked.add(other if NEGATION.search(sentence[: match.start()]) else word)
    return picked.pop() if len(picked) == 1 else None


def without_yes_no(claim: str) -> tuple[str | None, str]:
    """A Yes or No the claim opens with, and the claim after it."""
    if not (match := VERDICT.match(claim)):
        return None, claim
    rest = claim[match.end() :]
    return match.group(1), rest[:1].upper() + rest[1:]


def opening_verdict(claim: str, choice: tuple[str, str] | None) -> tuple[str | None, str]:
    """The verdict an answer's first sentence gives ("Yes.", or "Consistent." when the question offers a choice;
    a bare Yes to "consistent or inconsistent?" says nothing), and what the sentence claims besides."""
    verdict, rest = without_yes_no(claim)
    if choice:
        either = f"(?:{choice[0]}|{choice[1]})"
        # A small model may echo the instruction as a label: "Change or Consistency: The Age reported ..."
        if echo := re.match(rf"{either} or {either}\s*[:.-]\s*", rest, re.IGNORECASE):
            rest = rest[echo.end() :]
        verdict = chosen(rest, choice)
        if word := re.match(rf"{either}(?:[,.:;!]\s*|$)", rest, re.IGNORECASE):
            rest = rest[word.end() :]
    return (f"{verdict.capitalize()}." if verdict else None), rest[:1].upper() + rest[1:]
