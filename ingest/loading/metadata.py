"""Metadata for articles that arrive without it: front matter, titles, bylines and dates found in the text."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil import parser as dateparser

from ..text.sentences import sentence_spans

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
FIELD_ALIASES = {
    "title": "title",
    "headline": "title",
    "source": "source",
    "outlet": "source",
    "publisher": "source",
    "date": "published_at",
    "published": "published_at",
    "published_at": "published_at",
    "url": "url",
    "link": "url",
    "author": "author",
    "byline": "author",
}
BYLINE = re.compile(r"^\s*By\s+([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})\s*$", re.MULTILINE)
MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATE_IN_TEXT = re.compile(
    rf"\b(\d{{4}}-\d{{2}}-\d{{2}}|{MONTHS}\s+\d{{1,2}},\s+\d{{4}}|\d{{1,2}}\s+{MONTHS}\s+\d{{4}})\b"
)
TITLE_MAX = 120


def split_front_matter(text: str) -> tuple[dict[str, str], int]:
    """Reads a leading ``---`` block of ``key: value`` lines; returns the fields and where the body starts."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        name = FIELD_ALIASES.get(key.strip().lower())
        if sep and name and value.strip():
            fields[name] = value.strip().strip("\"'")
    return fields, match.end()


def normalize_date(value: str | None) -> str | None:
    """Any common date spelling to ISO 8601 (UTC when no zone is given); None when it is not a date."""
    if not value or not str(value).strip():
        return None
    try:
        parsed = dateparser.parse(str(value))
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


def date_to_timestamp(iso: str | None) -> int | None:
    """Sortable seconds since the epoch, so stores can range-filter dates."""
    return int(datetime.fromisoformat(iso).timestamp()) if iso else None


def date_in_text(text: str, window: int = 600) -> str | None:
    """A dateline near the top of an article, if it has one."""
    match = DATE_IN_TEXT.search(text[:window])
    return normalize_date(match.group(1)) if match else None


def author_in_text(text: str, window: int = 400) -> str | None:
    match = BYLINE.search(text[:window])
    return match.group(1) if match else None


def title_from_text(text: str) -> str:
    """A headline: a short first line, a Markdown heading, or else the opening sentence, shortened."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            return line.lstrip("#").strip()
        if len(line) <= TITLE_MAX and not line.endswith((".", "!", "?", "”", '"')):
            return line
        start, end = sentence_spans(line)[0]
        return shorten(line[start:end])
    return ""


def shorten(text: str, limit: int = 100) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"
