"""A URL to Documents, as a file is loaded: a feed to the articles its entries link to, a page to its article.
Anything that fails is an IngestProblem naming the URL and the reason; the other entries still load."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Protocol

from trafilatura.utils import decode_file

from ..document import Document, IngestProblem, Unchanged
from ..loading.loaders import UnreadableText, article_from_html
from ..loading.metadata import normalize_date
from .feeds import Entry, Feed, NotAFeed, looks_like_feed, parse_feed, web_id
from .fetch import Fetched, Fetcher, FetchError, Validators

Loaded = Document | IngestProblem | Unchanged
# Fewer words than this is a page's furniture (a menu, a cookie notice, "Subscribe to read"), not an article.
MIN_ARTICLE_WORDS = 25


class FetchMemory(Protocol):
    """What is remembered of earlier fetches (the catalog's ``fetched`` table): validators for conditional requests,
    each feed entry's stamp, and the articles a URL brought."""

    def fetch_state(self, key: str) -> tuple[Validators, str, list[str]] | None: ...

    def remember_fetch(self, key: str, validators: Validators, stamp: str, doc_ids: list[str]) -> None: ...

    def hashes(self, doc_ids: list[str]) -> dict[str, str]: ...


def load_url(url: str, fetcher: Fetcher, memory: FetchMemory) -> Iterator[Loaded]:
    state = memory.fetch_state(url)
    # The validators are sent only while every article the URL brought is still in the index: a 304 must not
    # leave out one that was deleted, or never written because the ingest was interrupted.
    validators = state[0] if state and len(memory.hashes(state[2])) == len(state[2]) else None
    try:
        fetched = fetcher.get(url, validators)
    except FetchError as error:
        yield IngestProblem(url, str(error))
        return
    if fetched.status == 304 and state:
        yield from (Unchanged(doc_id) for doc_id in state[2])
        return
    if not fetched.content.strip():
        yield IngestProblem(url, "the server sent an empty response")
        return
    if looks_like_feed(fetched.content_type, fetched.content):
        try:
            feed = parse_feed(fetched.content)
        except NotAFeed as error:
            yield IngestProblem(url, str(error))
            return
        yield from feed_articles(url, fetched, feed, fetcher, memory)
        return
    try:
        document = page_article(fetched, url)
    except UnreadableText as error:
        yield IngestProblem(url, str(error))
        return
    yield document
    memory.remember_fetch(url, fetched.validators, "", [document.doc_id])


def feed_articles(url: str, fetched: Fetched, feed: Feed, fetcher: Fetcher, memory: FetchMemory) -> Iterator[Loaded]:
    """Each entry's article. An entry the feed shows unchanged (same stamp) whose article is in the index costs no
    request; the feed's own validators are kept only when every entry went in, so that a failed one is tried again
    at the next read rather than hidden behind a 304."""
    ids = [web_id(entry.guid) for entry in feed.entries]
    held = memory.hashes(ids)
    failed = False
    for entry, doc_id in zip(feed.entries, ids, strict=True):
        state = memory.fetch_state(entry.guid)
        if doc_id in held and state and state[1] == entry.stamp:
            yield Unchanged(doc_id)
            continue
        try:
            page = fetcher.get(entry.link) if entry.link else None
            document = entry_article(entry, doc_id, url, feed, page)
        except (FetchError, UnreadableText) as error:
            failed = True
            yield IngestProblem(entry.link or entry.guid, f"{error} (an entry of {url})")
            continue
        yield document
        memory.remember_fetch(entry.guid, Validators(), entry.stamp, [doc_id])
    memory.remember_fetch(url, Validators() if failed else fetched.validators, "", ids)


def entry_article(entry: Entry, doc_id: str, feed_url: str, feed: Feed, page: Fetched | None = None) -> Document:
    """The article an entry links to, read from its page, with what the feed says of it where that is surer (its
    title and date, as the publisher states them); without a page, from the content the feed carries."""
    if page is None and not entry.content.strip():
        raise UnreadableText("the entry has neither a link nor content")
    html = decoded(page) if page else entry.content
    document = web_article(html, doc_id, feed_url, page.url if page else None)
    return replace(
        document,
        title=entry.title or document.title,
        published_at=normalize_date(entry.published) or document.published_at,
        author=document.author or entry.author,
        source=document.source or feed.title,
        url=document.url or entry.link,
    )


def page_article(fetched: Fetched, url: str) -> Document:
    """A page's article, under an id made from its canonical URL (the one it names, else where it was found)."""
    document = web_article(decoded(fetched), "", url, fetched.url)
    return replace(document, doc_id=web_id(document.url or fetched.url))


def web_article(html: str, doc_id: str, path: str, url: str | None) -> Document:
    document = article_from_html(html, doc_id, path, url)
    words = len(document.text.split())
    if words < MIN_ARTICLE_WORDS:
        raise UnreadableText(f"no article text found in the HTML (only {words} words outside its menus)")
    return document


def decoded(fetched: Fetched) -> str:
    """The page's text in the encoding it declares, or the one trafilatura detects."""
    if not fetched.content.strip():
        raise UnreadableText("the page is empty")
    return decode_file(fetched.content)
