"""Feeds (RSS 2.0, Atom, JSON Feed, by feedparser) to the entries they list, each with its stable id."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import feedparser

FEED_TYPES = ("xml", "rss", "atom", "json")


@dataclass(frozen=True)
class Entry:
    guid: str  # the entry's id (RSS guid, Atom id, JSON Feed id); its link when it has none
    link: str | None
    title: str | None
    published: str | None
    author: str | None
    content: str  # the HTML the feed itself carries (content, else summary)
    stamp: str  # changes when the feed says the entry changed: its page is fetched again only then


@dataclass(frozen=True)
class Feed:
    title: str | None
    entries: list[Entry]


class NotAFeed(ValueError):
    """The bytes hold no feed; the message says what the parser found instead."""


def looks_like_feed(content_type: str, content: bytes) -> bool:
    """Whether to read a response as a feed rather than as a page: by its type, or by how it begins."""
    head = content[:512].lstrip().lower()
    if "html" in content_type and not head.startswith((b"<?xml", b"<rss", b"<feed")):
        return False
    return any(kind in content_type for kind in FEED_TYPES) or head.startswith((b"<?xml", b"<rss", b"<feed", b"{"))


def parse_feed(content: bytes) -> Feed:
    if content.lstrip().startswith(b"{"):
        return parse_json_feed(content)
    parsed = feedparser.parse(content)  # bytes: feedparser reads them and fetches nothing
    if not parsed.get("version") and not parsed.entries:
        why = parsed.get("bozo_exception")
        raise NotAFeed(f"not a feed ({one_line(why)})" if why else "not a feed (no RSS, Atom or JSON Feed found)")
    if parsed.get("bozo") and not parsed.entries:
        raise NotAFeed(f"malformed feed, no entries read ({one_line(parsed.get('bozo_exception'))})")
    return Feed(parsed.feed.get("title"), [entry for raw in parsed.entries if (entry := read_entry(raw))])


def parse_json_feed(content: bytes) -> Feed:
    """A JSON Feed (jsonfeed.org, 1.0 and 1.1), which feedparser does not read: its items as feedparser's entries."""
    try:
        document = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise NotAFeed(f"malformed JSON feed ({one_line(error)})") from None
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version", "")):
        raise NotAFeed("not a feed (JSON without a jsonfeed.org version)")
    entries = []
    for item in document.get("items") or []:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        raw = {
            "id": str(item.get("id") or ""),
            "link": item.get("url"),
            "title": item.get("title"),
            "published": item.get("date_published"),
            "updated": item.get("date_modified"),
            "author": next((a.get("name") for a in authors if isinstance(a, dict) and a.get("name")), None),
            "content": [{"value": item.get("content_html") or item.get("content_text") or ""}],
            "summary": item.get("summary") or "",
        }
        if entry := read_entry(raw):
            entries.append(entry)
    return Feed(document.get("title"), entries)


def read_entry(raw) -> Entry | None:
    link = raw.get("link") or None
    guid = raw.get("id") or link
    if not guid:
        return None
    content = next((c.get("value", "") for c in raw.get("content") or [] if c.get("value")), "") or raw.get(
        "summary", ""
    )
    published = raw.get("published") or raw.get("updated")
    changed = raw.get("updated") or raw.get("published") or ""
    stamp = hashlib.sha256("\x00".join((changed, raw.get("title", ""), link or "", content)).encode()).hexdigest()[:16]
    return Entry(guid, link, raw.get("title") or None, published, raw.get("author") or None, content, stamp)


def web_id(key: str) -> str:
    """A stable, readable article id for a feed entry's GUID or a page's URL: the last part of its path, and a hash
    of the whole, so that two sites' /article-1 stay two articles."""
    parts = urlsplit(key)
    tail = [p for p in (parts.path or key).split("/") if p]
    slug = re.sub(r"[^a-z0-9]+", "-", (tail[-1] if tail else parts.netloc or key).lower()).strip("-")
    slug = re.sub(r"-(html?|php|aspx?)$", "", slug)[:48].strip("-")
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"{slug}-{digest}" if slug else digest


def one_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
