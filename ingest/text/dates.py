"""The dates a sentence mentions, resolved against its article's publication date: "on Wednesday" in an article of
Thursday 12 June 2025 is 11 June 2025. A mention that needs the publication date ("Wednesday", "June 11") is not
resolved in an article without one; a full date ("June 11, 2025") always is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .lexicon import MONTHS, WEEKDAYS

_MONTH = r"(?P<{name}>" + "|".join(m[:3] + (r"(?:" + m[3:] + r")?" if len(m) > 3 else "") for m in MONTHS) + r")\.?"
_DAY = r"(?P<{name}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{name}>(?:19|20)\d\d)"
MENTION = re.compile(
    r"\b(?:"
    rf"(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)"
    rf"|{_MONTH.format(name='m1')}\s+{_DAY.format(name='d1')}(?:,?\s+{_YEAR.format(name='y1')})?(?![\d:])"
    rf"|{_DAY.format(name='d2')}\s+{_MONTH.format(name='m2')}(?:,?\s+{_YEAR.format(name='y2')})?"
    r"|(?P<relative>yesterday|today|tonight|this morning|this afternoon|last night)"
    rf"|(?:(?P<which>last|next|this|on|from|until|by)\s+)?(?P<weekday>{'|'.join(WEEKDAYS)})"
    r")\b",
    re.IGNORECASE,
)
# A clause about what is to come: a bare weekday in it is the next one, not the last.
FUTURE = re.compile(r"\b(?:will|is due|are due|is set to|are set to|plans? to|scheduled|expected to|next)\b", re.I)
CLAUSE_BREAK = re.compile(r"[,;:]\s|\s(?:and|but|while|as|after|before|with)\s")
RELATIVE_DAYS = {"yesterday": -1, "last night": -1}


@dataclass(frozen=True)
class Mention:
    """A date a sentence names: where (offsets in the sentence) and which day it is."""

    start: int
    end: int
    day: date


def mentioned_dates(sentence: str, published: date | None) -> list[Mention]:
    """Every date in ``sentence`` that can be resolved, in order."""
    found = []
    for match in MENTION.finditer(sentence):
        breaks = [b.end() for b in CLAUSE_BREAK.finditer(sentence, 0, match.start())]
        # Only the mention's own clause says whether it is to come: "suspended him on Friday, and he will miss ...".
        future = bool(FUTURE.search(sentence, breaks[-1] if breaks else 0, match.end()))
        day = resolve(match, published, future)
        if day is not None:
            found.append(Mention(match.start(), match.end(), day))
    return found


def resolve(match: re.Match, published: date | None, future: bool) -> date | None:
    groups = match.groupdict()
    if groups["iso"]:
        try:
            return date.fromisoformat(groups["iso"])
        except ValueError:
            return None
    month_name, day_text, year_text = (
        (groups["m1"], groups["d1"], groups["y1"]) if groups["m1"] else (groups["m2"], groups["d2"], groups["y2"])
    )
    if month_name:
        month = next(i for i, m in enumerate(MONTHS, 1) if m.startswith(month_name.lower()[:3]))
        if year_text:
            return _day(int(year_text), month, int(day_text))
        if published is None:
            return None
        # The year that puts it nearest the article, leaning to the past: news reports what happened.
        options = [_day(published.year + k, month, int(day_text)) for k in (-1, 0, 1)]
        candidates = [d for d in options if d is not None and -300 <= (d - published).days <= 65]
        return min(candidates, key=lambda d: abs((d - published).days)) if candidates else None
    if published is None:
        return None
    if groups["relative"]:
        return published + timedelta(days=RELATIVE_DAYS.get(groups["relative"].lower(), 0))
    weekday = WEEKDAYS.index(groups["weekday"].lower())
    which = (groups["which"] or "").lower()
    back = (published.weekday() - weekday) % 7
    if which == "next" or (future and which != "last"):
        return published + timedelta(days=(weekday - published.weekday()) % 7 or (7 if which == "next" else 0))
    if which == "last":
        return published - timedelta(days=back or 7)
    return published - timedelta(days=back)


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
