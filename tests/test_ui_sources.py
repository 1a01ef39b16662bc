"""The Library tab's sources in a real browser: following a feed URL with a report per URL, the sources' state, and
articles a watcher brings in appearing without a reload. The feed is served on 127.0.0.1 (tests/web_server.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assistant.watching import Watcher

from .test_feeds import BRIDGE, HARBOUR, article, publish
from .test_ui import WAIT, browser, open_page, serving  # noqa: F401  (fixtures)
from .web_server import WebServer

pytestmark = pytest.mark.slow


@pytest.fixture
def web():
    with WebServer() as server:
        yield server


def test_the_library_follows_a_feed_reports_each_url_and_shows_new_articles_without_a_reload(
    web,
    seeded,
    tmp_path,
    open_page,  # noqa: F811  (the fixture imported above)
    monkeypatch,
):
    monkeypatch.setenv("NEWSDESK_FETCH_PRIVATE_ADDRESSES", "true")  # the test server is on 127.0.0.1
    monkeypatch.setenv("NEWSDESK_FETCH_HOST_DELAY", "0")
    monkeypatch.setenv("NEWSDESK_FOLDER_POLL_SECONDS", "0.5")
    missing = article(web, "never-served", HARBOUR, 6)
    feed = publish(web, [article(web, "bridge-closed", BRIDGE, 5), missing])
    web.routes.pop("/news/never-served.html")
    folder = tmp_path / "scraped"
    folder.mkdir()

    with serving(seeded) as app:
        page = open_page(app.url)
        page.get_by_role("tab", name="Library").click()
        rows = page.locator("#library tbody tr")
        expect(rows).to_have_count(2, timeout=WAIT)
        expect(page.locator("#sources")).to_contain_text("No sources followed")

        box = page.locator("#source-url").locator("textarea, input").first
        box.fill("file:///etc/passwd")
        page.locator("#follow-source").click()
        expect(page.locator("#ingest-report")).to_contain_text("only http(s) URLs and folders", timeout=WAIT)

        box.fill(feed)
        page.locator("#follow-source").click()
        report = page.locator("#ingest-report")
        expect(report).to_contain_text("1 added", timeout=WAIT)
        expect(report.locator(".problems")).to_contain_text(f"{missing.url}: HTTP 404")
        source = page.locator("#sources tr.source", has_text=feed)
        expect(source).to_contain_text("1 added")
        expect(source.locator(".problems")).to_contain_text("HTTP 404")
        expect(rows).to_have_count(3)
        expect(rows.filter(has_text="Bridge Closed")).to_contain_text("2025-03-05")

        # A folder a scraper fills, watched in the background: its new article shows with no reload.
        app.assistant.add_source(str(folder), read=False)
        watcher = Watcher(app.assistant)
        watcher.start()
        try:
            (folder / "ferry.md").write_text(
                "---\ntitle: Ferry timetable changes\ndate: 2025-03-07\n---\n"
                "The winter ferry timetable starts in May, the harbour office said.\n"
            )
            expect(rows.filter(has_text="Ferry timetable changes")).to_have_count(1, timeout=WAIT)
            expect(page.locator("#sources tr.source", has_text=str(folder))).to_contain_text("1 added")
        finally:
            watcher.stop()
