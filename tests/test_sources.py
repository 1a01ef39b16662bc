"""Following sources: `newsdesk sources add|list|remove`, and `newsdesk watch` reading feeds when due and folders
when their files change; questions are answered while it ingests."""

from __future__ import annotations

import json
import threading
import time

import pytest
from click.testing import CliRunner

from assistant import Assistant
from assistant.cli import cli
from ingest.web.feeds import web_id

from .test_feeds import BRIDGE, HARBOUR, article, publish
from .web_server import WebServer

SETTINGS = {"NEWSDESK_FETCH_PRIVATE_ADDRESSES": "true", "NEWSDESK_FETCH_HOST_DELAY": "0"}


@pytest.fixture
def web():
    with WebServer() as server:
        yield server


def run(index, *args: str, **env: str):
    result = CliRunner().invoke(cli, ["--index", str(index), *args], env=SETTINGS | env, catch_exceptions=False)
    return result


def test_a_feed_and_a_folder_followed_stay_current_across_restarts(web, tmp_path):
    index, folder = tmp_path / "index", tmp_path / "scraped"
    folder.mkdir()
    (folder / "harbour.txt").write_text(f"Harbour terminal approved\n\n{HARBOUR}")
    first = article(web, "bridge-closed", BRIDGE, 5)
    feed = publish(web, [first])

    added = run(index, "sources", "add", feed, str(folder))
    assert added.exit_code == 0, added.output
    assert f"following {feed}: 1 added" in added.output and f"following {folder}: 1 added" in added.output
    listed = json.loads(run(index, "sources", "list", "--json").output)
    assert {s["location"]: s["brought"] for s in listed} == {feed: "1 added", str(folder): "1 added"}

    # Another run of newsdesk (a restart): the folder changes, the feed gains an entry.
    (folder / "ferry.md").write_text("---\ntitle: Ferry timetable\n---\nThe winter ferry timetable starts in May.\n")
    (folder / "harbour.txt").unlink()
    second = article(web, "ferry-strike", HARBOUR.replace("harbour authority", "ferry union"), 6)
    publish(web, [first, second])
    watched = run(index, "watch", "--once", NEWSDESK_FEED_POLL_MINUTES="0.0001")
    assert watched.exit_code == 0, watched.output
    assert f"{folder}: 1 added, 1 removed" in watched.output and f"{feed}: 1 added" in watched.output

    assistant = Assistant(index)
    assert {d.doc_id for d in assistant.documents()} == {"ferry", web_id(first.guid), web_id(second.guid)}
    nothing_due = assistant.refresh_sources()  # the feed was just read, the folder has not changed
    assert nothing_due == []

    removed = run(index, "sources", "remove", feed, "/no/such/source")
    assert removed.exit_code == 1 and "not followed: /no/such/source" in removed.output
    assert [s.location for s in Assistant(index).list_sources()] == [str(folder)]
    assert web_id(first.guid) in {d.doc_id for d in Assistant(index).documents()}  # its articles stay


def test_a_sources_last_error_is_kept_with_it_and_a_bad_location_is_refused(web, tmp_path):
    index = tmp_path / "index"
    good = article(web, "bridge-closed", BRIDGE, 5)
    feed = publish(web, [good, article(web, "never-served", HARBOUR, 6)])
    web.routes.pop("/news/never-served.html")
    added = run(index, "sources", "add", feed)
    assert added.exit_code == 1 and "HTTP 404" in added.output and "1 added" in added.output
    (source,) = Assistant(index).list_sources()
    assert "never-served.html" in source.last_error and source.brought == "1 added"
    for bad in ("file:///etc", str(tmp_path / "missing"), "ftp://example.org/feed", " "):
        refused = run(index, "sources", "add", bad)
        assert refused.exit_code == 2 and (bad.strip() or "an empty location") in refused.output


def test_a_vanished_folder_removes_nothing(tmp_path):
    folder = tmp_path / "mount"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Harbour terminal approved\n\n{HARBOUR}")
    assistant = Assistant(tmp_path / "index")
    assistant.add_source(str(folder))
    (folder / "a.txt").unlink()
    folder.rmdir()
    ((source, report),) = assistant.refresh_sources(force=True)
    assert "the folder is gone" in source.last_error and not report.removed
    assert [d.doc_id for d in assistant.documents()] == ["a"]


def test_questions_and_other_writers_go_on_while_the_watcher_reads_a_slow_feed(web, tmp_path):
    assistant = Assistant(tmp_path / "index", fetch_private_addresses=True, fetch_host_delay=0, fetch_timeout=30)
    assistant.ingest(publish(web, [article(web, "bridge-closed", BRIDGE, 5)], path="/first.xml"))
    slow = article(web, "harbour-terminal", HARBOUR, 4)
    feed = publish(web, [slow], path="/slow.xml", delay=3)  # the feed takes 3 s to answer
    assistant.add_source(feed, read=False)
    reading = threading.Thread(target=assistant.refresh_sources)
    reading.start()
    time.sleep(0.5)
    started = time.monotonic()
    found = assistant.search("swing bridge girder cracks", k=1)
    assert reading.is_alive() and time.monotonic() - started < 2.5  # answered while the feed is still being read
    assert found[0].doc_id == web_id("urn:gazette:bridge-closed")
    notes = tmp_path / "notes.txt"
    notes.write_text(f"Ferry timetable\n\n{HARBOUR.replace('harbour authority', 'ferry company')}")
    assert assistant.ingest(notes).added == ["notes"]  # the write lock is not held while the site is read
    assert reading.is_alive()
    reading.join()
    assert web_id(slow.guid) in {d.doc_id for d in assistant.documents()}


def test_a_read_that_finds_nothing_keeps_what_the_last_one_brought():
    """A folder read again while a file was still being written finds nothing new: what was added stays shown."""
    from datetime import UTC, datetime

    from assistant.watching import recorded
    from ingest import IngestReport
    from ingest.subscriptions import FOLDER, Subscription

    first = Subscription("/news", FOLDER, "2026-12-05T00:00:00+00:00")
    now = datetime(2026, 12, 5, 3, tzinfo=UTC)
    assert recorded(first, IngestReport(), "s0", now).brought == "nothing new"
    added = recorded(first, IngestReport(added=["ferry"]), "s1", now)
    again = recorded(added, IngestReport(unchanged=["ferry"]), "s2", now)
    assert added.brought == again.brought and "1 added" in again.brought
    assert again.last_read == now.isoformat(timespec="seconds") and again.signature == "s2"
