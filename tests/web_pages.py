"""Articles as a news site serves them: a page with its metadata and the site's furniture around the text, and
feeds (RSS 2.0, Atom, JSON Feed) that list them. For the feed tests and bench/feeds.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape


@dataclass(frozen=True)
class Article:
    guid: str
    url: str  # where its page is served
    title: str
    body: str  # paragraphs split by blank lines
    published: datetime | None = None
    outlet: str = "The Harbour Gazette"
    author: str | None = None
    canonical: str | None = None  # the URL the page names as its own, when not ``url``


def article_html(article: Article, date_in_meta: bool = True) -> str:
    """The page: metadata in the head (Open Graph, article:published_time) unless ``date_in_meta`` is off, when
    the date shows only in the byline's <time>; navigation, a related-links box and a footer around the text."""
    meta = [
        f'<meta property="og:title" content="{escape(article.title)}">',
        f'<meta property="og:site_name" content="{escape(article.outlet)}">',
        f'<link rel="canonical" href="{escape(article.canonical or article.url)}">',
    ]
    if article.author:
        meta.append(f'<meta name="author" content="{escape(article.author)}">')
    if article.published and date_in_meta:
        meta.append(f'<meta property="article:published_time" content="{article.published.isoformat()}">')
    when = (
        f'<time datetime="{article.published.date().isoformat()}">{article.published:%d %B %Y}</time>'
        if article.published
        else ""
    )
    byline = f'<p class="byline">By {escape(article.author)} {when}</p>' if article.author else f"<p>{when}</p>"
    paragraphs = "".join(f"<p>{escape(p.strip())}</p>" for p in article.body.split("\n\n") if p.strip())
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(article.title)} - {escape(article.outlet)}</title>{"".join(meta)}</head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a>
<a href="/sport">Sport</a></nav></header>
<main><article><h1>{escape(article.title)}</h1>{byline}{paragraphs}</article>
<aside><h2>Related stories</h2><ul><li><a href="/other-1">Markets close higher</a></li>
<li><a href="/other-2">Weather warning for the weekend</a></li></ul></aside></main>
<footer><p>Copyright {escape(article.outlet)}. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


def rss(articles: list[Article], title: str = "The Harbour Gazette") -> str:
    items = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(a.url)}</link>"
        f'<guid isPermaLink="false">{escape(a.guid)}</guid>'
        + (f"<pubDate>{format_datetime(a.published)}</pubDate>" if a.published else "")
        + f"<description>{escape(a.body[:120])}</description></item>"
        for a in articles
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>http://example.org/</link><description>News</description>{items}</channel></rss>"
    )


def atom(articles: list[Article], title: str = "The Harbour Gazette") -> str:
    entries = "".join(
        f'<entry><title>{escape(a.title)}</title><link href="{escape(a.url)}"/><id>{escape(a.guid)}</id>'
        f"<updated>{(a.published or datetime(2025, 1, 1)).isoformat()}</updated>"
        f"<summary>{escape(a.body[:120])}</summary></entry>"
        for a in articles
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(title)}'
        f"</title><id>urn:feed</id><updated>2025-01-01T00:00:00Z</updated>{entries}</feed>"
    )


def json_feed(articles: list[Article], title: str = "The Harbour Gazette") -> str:
    items = [
        {"id": a.guid, "url": a.url, "title": a.title, "content_text": a.body[:120]}
        | ({"date_published": a.published.isoformat()} if a.published else {})
        for a in articles
    ]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title, "items": items})
