"""The reader: a whole article on a page of its own, the cited sentence marked and scrolled to. The app shows it
in a panel beside the conversation; the same page opens in a tab of its own, and works without scripts."""

from __future__ import annotations

from html import escape
from pathlib import Path

from ingest import Document

from ..stories import StorySummary
from .render import byline, safe_url

STYLE = (Path(__file__).parent / "static" / "reader.css").read_text()


def marked_span(document: Document, start: int | None, end: int | None) -> tuple[int, int] | None:
    """``start:end`` when it is a span of the article's text, else None (no mark rather than a wrong one)."""
    if start is None or end is None or not 0 <= start < end <= len(document.text):
        return None
    return start, end


def story_line(story: StorySummary | None) -> str:
    """The story the article belongs to, opening the app's Stories tab at it (the reader is framed in the app: the
    link leaves the frame)."""
    if story is None:
        return ""
    return (
        f'<p class="story-line">Part of the story <a class="story-link" target="_top" href="./?story={story.story_id}">'
        f"{escape(story.label)}</a> · {story.articles} articles</p>"
    )


def article_html(
    document: Document, start: int | None = None, end: int | None = None, story: StorySummary | None = None
) -> str:
    url = safe_url(document.url)
    meta = byline(document.source, document.author, document.published_at)
    link = f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(url)}</a>' if url else ""
    about = " · ".join(x for x in (meta, link) if x)
    text = document.text
    span = marked_span(document, start, end)
    if span:
        s, e = span
        body = f'{escape(text[:s])}<mark id="cited">{escape(text[s:e])}</mark>{escape(text[e:])}'
    else:
        body = escape(text)
    return (
        f'<article data-doc="{escape(document.doc_id)}"><h1>{escape(document.title or document.doc_id)}</h1>'
        f'<p class="meta">{about}{" · " if about else ""}<span class="doc-id">{escape(document.doc_id)}</span></p>'
        f"{story_line(story)}"
        f'<div class="text">{body}</div></article>'
    )


def article_page(
    document: Document | None, start: int | None = None, end: int | None = None, story: StorySummary | None = None
) -> str:
    if document is None:
        title = "Article not found"
        content = (
            '<p class="gone">This article is not in the library any more: it was deleted after it was cited, '
            "or the link is wrong.</p>"
        )
    else:
        title = document.title or document.doc_id
        content = article_html(document, start, end, story)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><main>{content}</main></body></html>"
    )
