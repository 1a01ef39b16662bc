"""Metadata filters shared by lexical search (SQL) and vector search (Chroma ``where``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ..loading.metadata import normalize_date

DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Filters:
    """Outlet and author match case-insensitively and accept one name or several; dates are inclusive.

    A bare date as ``published_before`` includes that whole day.
    """

    source: str | Sequence[str] | None = None
    author: str | Sequence[str] | None = None
    published_after: str | date | None = None
    published_before: str | date | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return _names(self.source)

    @property
    def authors(self) -> tuple[str, ...]:
        return _names(self.author)

    @property
    def after_ts(self) -> int | None:
        return _timestamp(self.published_after, end_of_day=False)

    @property
    def before_ts(self) -> int | None:
        return _timestamp(self.published_before, end_of_day=True)

    def __bool__(self) -> bool:
        return bool(self.sources or self.authors or self.after_ts is not None or self.before_ts is not None)

    def chroma_where(self) -> dict | None:
        clauses: list[dict] = []
        if self.sources:
            clauses.append({"source_key": {"$in": [s.lower() for s in self.sources]}})
        if self.authors:
            clauses.append({"author_key": {"$in": [a.lower() for a in self.authors]}})
        if self.after_ts is not None:
            clauses.append({"published_ts": {"$gte": self.after_ts}})
        if self.before_ts is not None:
            clauses.append({"published_ts": {"$lte": self.before_ts}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _names(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else list(value)
    return tuple(n.strip() for n in names if n and n.strip())


def _timestamp(value: str | date | None, end_of_day: bool) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        day_only = isinstance(value, date) or bool(DATE_ONLY.match(str(value).strip()))
        if day_only:
            day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
            moment = datetime.combine(day, time.min, tzinfo=UTC)
            if end_of_day:
                moment += timedelta(days=1, seconds=-1)
        else:
            iso = normalize_date(str(value))
            if iso is None:
                raise ValueError(f"not a date: {value!r}")
            moment = datetime.fromisoformat(iso)
    return int(moment.timestamp())
