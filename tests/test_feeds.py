"""Feeds and web pages as sources, against a real HTTP server on 127.0.0.1 (tests/web_server.py): what goes in,
what a second read costs, and that every failure is one line naming its URL while the other entries still go in."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

import pytest

from assistant import Assistant
from ingest.web.feeds import parse_feed, web_id

from .web_pages import Article, article_html, atom, json_feed, rss
from .web_server import WebServer

HARBOUR = (
    "The harbour authority approved a new container terminal on Tuesday after two years of public hearings.\n\n"
    "Harbour master Ingrid Solberg said the terminal would double the port's capacity by 2028. The council "
    "expects four hundred new jobs on the waterfront.\n\n"
    "Fishermen's groups said the dredging would harm the cod grounds, and they will appeal the decision."
)
BRIDGE = (
    "Engineers closed the old swing bridge to traffic on Monday after inspectors found cracks in its main girder.\n\n"
    "City engineer Tomas Berg said repairs would take at least six weeks. Buses will run a detour through the "
    "industrial estate meanwhile.\n\n"
    "Shop owners on the east bank said they feared losing the summer trade while the bridge stays shut."
)


@pytest.fixture
def web():
    with WebServer() as server:
        yield server


@pytest.fixture
def assistant(tmp_path) -> Assistant:
    # The test server is on 127.0.0.1, which only this explicit setting lets newsdesk fetch from.
    return Assistant(tmp_path / "index", fetch_private_addresses=True, fetch_host_delay=0, fetch_timeout=2)


def article(web: WebServer, name: str, body: str, day: int, **fields) -> Article:
    return Article(
        guid=f"urn:gazette:{name}",
        url=web.url(f"/news/{name}.html"),
        title=fields.pop("title", name.replace("-", " ").title()),
        body=body,
        published=datetime(2025, 3, day, 9, 30, tzinfo=UTC),
        author="Kari Holm",
        **fields,
    )


def publish(web: WebServer, articles: list[Article], path: str = "/feed.xml", **route) -> str:
    for a in articles:
        web.serve(a.url.removeprefix(web.base), article_html(a))
    return web.serve(path, rss(articles), content_type="application/rss+xml", **route)


def test_a_feed_brings_each_entry_page_under_its_guid_with_the_feeds_title_and_date(web, assistant):
    articles = [
        article(web, "harbour-terminal", HARBOUR, 4, canonical="https://gazette.example/harbour"),
        article(web, "bridge-closed", BRIDGE, 5),
    ]
    feed = publish(web, articles)
    report = assistant.ingest(feed)
    assert report.ok, report.problems
    assert sorted(report.added) == sorted(web_id(a.guid) for a in articles)
    harbour = assistant.document(web_id("urn:gazette:harbour-terminal"))
    assert harbour is not None
    assert "double the port's capacity by 2028" in harbour.text and "Related stories" not in harbour.text
    assert harbour.url == "https://gazette.example/harbour"  # the canonical URL the page names
    assert harbour.title == "Harbour Terminal" and harbour.published_at.startswith("2025-03-04")
    assert harbour.source == "The Harbour Gazette" and harbour.author == "Kari Holm"
    assert web.agents == {assistant.settings.user_agent}
    found = assistant.search("who said the swing bridge repairs take six weeks", k=1)
    assert found[0].doc_id == web_id("urn:gazette:bridge-closed")


def test_an_unchanged_feed_costs_one_304_and_a_changed_entry_replaces_its_article(web, assistant):
    articles = [article(web, "harbour-terminal", HARBOUR, 4), article(web, "bridge-closed", BRIDGE, 5)]
    feed = publish(web, articles, etag='"v1"')
    assert len(assistant.ingest(feed).added) == 2
    before = sum(web.requests.values())
    again = assistant.ingest(feed)
    assert sum(web.requests.values()) - before == 1 and web.not_modified["/feed.xml"] == 1
    assert sorted(again.unchanged) == sorted(web_id(a.guid) for a in articles) and not again.added

    changed = article(web, "bridge-closed", BRIDGE.replace("six weeks", "nine weeks"), 6)
    feed = publish(web, [articles[0], changed], etag='"v2"')
    before = dict(web.requests)
    report = assistant.ingest(feed)
    assert report.updated == [web_id(changed.guid)] and report.unchanged == [web_id(articles[0].guid)]
    assert web.requests["/news/harbour-terminal.html"] == before["/news/harbour-terminal.html"]  # not fetched again
    bridge = assistant.document(web_id(changed.guid))
    assert "nine weeks" in bridge.text and "six weeks" not in bridge.text
    assert len(assistant.documents()) == 2


def test_a_deleted_article_is_fetched_again_rather_than_hidden_behind_a_304(web, assistant):
    articles = [article(web, "harbour-terminal", HARBOUR, 4)]
    feed = publish(web, articles, last_modified="Tue, 04 Mar 2025 10:00:00 GMT")
    assistant.ingest(feed)
    assert assistant.ingest(feed).unchanged == [web_id(articles[0].guid)]
    assert web.not_modified["/feed.xml"] == 1  # If-Modified-Since was sent, and answered with a 304
    assert web.requests["/news/harbour-terminal.html"] == 1
    assistant.delete(web_id(articles[0].guid))
    assert assistant.ingest(feed).added == [web_id(articles[0].guid)]
    assert web.requests["/news/harbour-terminal.html"] == 2


@pytest.mark.parametrize("render,content_type", [(atom, "application/atom+xml"), (json_feed, "application/feed+json")])
def test_atom_and_json_feeds_give_the_same_entries(web, assistant, render, content_type):
    articles = [article(web, "harbour-terminal", HARBOUR, 4), article(web, "bridge-closed", BRIDGE, 5)]
    for a in articles:
        web.serve(a.url.removeprefix(web.base), article_html(a))
    feed = web.serve("/feed", render(articles), content_type=content_type)
    report = assistant.ingest(feed)
    assert report.ok, report.problems
    assert sorted(report.added) == sorted(web_id(a.guid) for a in articles)
    assert assistant.document(web_id(articles[1].guid)).published_at.startswith("2025-03-05")


def test_each_failing_entry_is_one_line_naming_its_url_and_the_others_go_in(web, tmp_path):
    assistant = Assistant(
        tmp_path / "index", fetch_private_addresses=True, fetch_host_delay=0, fetch_timeout=1, fetch_max_mb=0.2
    )
    good = article(web, "harbour-terminal", HARBOUR, 4)
    web.serve("/news/harbour-terminal.html", article_html(good))
    missing = article(web, "gone", BRIDGE, 5)  # never served: 404
    empty = article(web, "empty", BRIDGE, 5)
    web.serve("/news/empty.html", "<html><body><nav><a href='/'>Home</a></nav></body></html>")
    huge = article(web, "huge", BRIDGE, 5)
    web.serve("/news/huge.html", stream_bytes=5_000_000)
    slow = article(web, "slow", BRIDGE, 5)
    web.serve("/news/slow.html", article_html(slow), delay=3)
    feed = web.serve("/feed.xml", rss([good, missing, empty, huge, slow]), content_type="application/rss+xml")

    report = assistant.ingest(feed)
    assert report.added == [web_id(good.guid)]
    lines = {p.path: str(p) for p in report.problems}
    assert set(lines) == {missing.url, empty.url, huge.url, slow.url}
    assert "HTTP 404" in lines[missing.url]
    assert "no article text" in lines[empty.url]
    assert "0.2 MB limit" in lines[huge.url]
    assert "within 1s" in lines[slow.url]
    assert all("\n" not in line and feed in line for line in lines.values())


def test_what_is_not_a_feed_or_page_is_refused_with_the_reason(web, assistant):
    malformed = web.serve("/bad.xml", "<?xml version='1.0'?><rss><channel><title>x</ti", content_type="text/xml")
    plain = web.serve("/data.bin", b"\x00\x01garbage", content_type="application/octet-stream")
    closed = "http://127.0.0.1:9/feed.xml"
    report = assistant.ingest([malformed, plain, closed, "file:///etc/passwd", "ftp://example.org/feed"])
    lines = {p.path: p.message for p in report.problems}
    assert "malformed feed" in lines[malformed] or "not a feed" in lines[malformed]
    assert "no article text" in lines[plain]
    assert "unreachable" in lines[closed]
    assert "only http(s)" in lines["file:///etc/passwd"] and "only http(s)" in lines["ftp://example.org/feed"]
    assert not report.added


def test_private_addresses_and_redirects_off_the_web_are_refused_by_default(web, tmp_path):
    page = article(web, "harbour-terminal", HARBOUR, 4)
    url = web.serve("/news/harbour-terminal.html", article_html(page))
    default = Assistant(tmp_path / "index", fetch_host_delay=0)
    (problem,) = default.ingest(url).problems
    assert "127.0.0.1" in problem.message and "NEWSDESK_FETCH_PRIVATE_ADDRESSES" in problem.message
    assert web.requests[url.removeprefix(web.base)] == 0  # refused before any request

    allowed = Assistant(tmp_path / "index", fetch_private_addresses=True, fetch_host_delay=0, fetch_max_redirects=2)
    moved = web.serve("/moved", status=301, location="/news/harbour-terminal.html")
    to_file = web.serve("/to-file", status=302, location="file:///etc/passwd")
    web.serve("/loop", status=302, location="/loop")
    report = allowed.ingest([moved, to_file, web.url("/loop")])
    assert report.added == [web_id(url)]  # a page's id is made from its canonical URL
    lines = {p.path: p.message for p in report.problems}
    assert "only http(s)" in lines[to_file] and "more than 2 redirects" in lines[web.url("/loop")]


def test_a_page_is_an_article_with_its_metadata_and_a_date_from_the_page_when_the_head_has_none(web, assistant):
    dated = article(web, "harbour-terminal", HARBOUR, 4)
    undated_meta = article(web, "bridge-closed", BRIDGE, 5)
    one = web.serve("/news/harbour-terminal.html", article_html(dated))
    two = web.serve("/news/bridge-closed.html", article_html(undated_meta, date_in_meta=False))
    report = assistant.ingest([one, two])
    assert report.ok, report.problems
    harbour, bridge = assistant.document(web_id(one)), assistant.document(web_id(two))
    assert harbour.title == "Harbour Terminal" and harbour.source == "The Harbour Gazette"
    assert harbour.author == "Kari Holm" and harbour.published_at.startswith("2025-03-04")
    assert bridge.published_at.startswith("2025-03-05")
    assert assistant.ingest([one, two]).unchanged == [web_id(one), web_id(two)]


def test_requests_to_one_host_are_spaced_by_the_delay(web, tmp_path):
    assistant = Assistant(tmp_path / "index", fetch_private_addresses=True, fetch_host_delay=0.4)
    times: list[float] = []
    articles = [article(web, f"story-{i}", HARBOUR.replace("Tuesday", f"day {i}"), 4) for i in range(3)]
    feed = publish(web, articles)
    original = assistant.fetcher._request

    def timed(*args, **kwargs):
        times.append(time.monotonic())
        return original(*args, **kwargs)

    assistant.fetcher._request = timed
    assert len(assistant.ingest(feed).added) == 3
    assert len(times) == 4 and min(b - a for a, b in itertools.pairwise(times)) >= 0.4


def test_feed_parsing_keeps_a_guid_or_else_the_link():
    feed = parse_feed(
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
        b"<item><title>A</title><link>http://x.org/a</link></item>"
        b"<item><title>B</title><guid>urn:b</guid><link>http://x.org/b</link></item>"
        b"<item><title>No id</title></item></channel></rss>"
    )
    assert [e.guid for e in feed.entries] == ["http://x.org/a", "urn:b"]
    assert web_id("http://x.org/news/a-story.html") != web_id("http://y.org/news/a-story.html")
    assert web_id("http://x.org/news/a-story.html").startswith("a-story-")


def test_newsdesk_ingest_takes_urls_beside_files(web, tmp_path):
    from click.testing import CliRunner

    from assistant.cli import cli

    notes = tmp_path / "notes.txt"
    notes.write_text(f"Bridge closed\n\n{BRIDGE}")
    page = web.serve("/news/harbour-terminal.html", article_html(article(web, "harbour-terminal", HARBOUR, 4)))
    result = CliRunner().invoke(
        cli,
        ["--index", str(tmp_path / "index"), "ingest", str(notes), page, web.url("/missing.html")],
        env={"NEWSDESK_FETCH_PRIVATE_ADDRESSES": "true", "NEWSDESK_FETCH_HOST_DELAY": "0"},
    )
    assert result.exit_code == 1
    assert f"error: {web.url('/missing.html')}: HTTP 404 Not Found" in result.output
    assert "2 added" in result.output
