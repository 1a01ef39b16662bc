"""Feeds: a local RSS feed of 1,000 BBC articles whose pages a local server serves. How fast its articles go in
(against the same articles from a JSONL file, in the same run), what a second read of the unchanged feed costs, and
how often a page's title, body and date come out as the page holds them.

The BBC set has no dates or bylines: each article gets a date (a fixed schedule from 3 January 2005, every 5 h
17 min), put in the page's metadata, or, on every fifth page, only in the byline's <time>, where htmldate must find
it. The pages carry a site's furniture (navigation, related links, a footer) around the article."""

from __future__ import annotations

import argparse
import difflib
import json
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant import Assistant
from assistant.settings import Settings
from ingest import Document
from ingest.web.feeds import web_id
from ingest.web.fetch import Fetcher, FetchLimits
from ingest.web.loader import load_url
from tests.web_pages import Article, article_html, rss
from tests.web_server import WebServer

from .common import DEFAULT_DATA, log, print_table, read_jsonl, run_info, write_results

START = datetime(2005, 1, 3, 9, 0, tzinfo=UTC)
EVERY = timedelta(hours=5, minutes=17)
SPACE = re.compile(r"\s+")
MISSED = {"title": False, "body": False, "body similarity": 0.0, "date": False}  # a page that gave no article


class NoMemory:
    """Fetches as a first read does: nothing remembered, nothing in the index."""

    def fetch_state(self, key):
        return None

    def remember_fetch(self, *args) -> None:
        pass

    def hashes(self, doc_ids):
        return {}


def squeezed(text: str | None) -> str:
    return SPACE.sub(" ", text or "").strip()


def articles(rows: list[dict], web: WebServer) -> list[tuple[Article, bool]]:
    """Each BBC article as a page (the date in its metadata but on every fifth) and its feed entry."""
    chosen = []
    for i, row in enumerate(rows):
        a = Article(
            guid=f"bbc:{row['id']}",
            url=web.url(f"/news/{row['id']}.html"),
            title=row["title"],
            body=row["body"],
            published=START + i * EVERY,
            outlet=row.get("source") or "BBC News",
        )
        chosen.append((a, i % 5 != 4))
    return chosen


def matches(article: Article, title: str | None, text: str, published: str | None) -> dict:
    body, extracted = squeezed(article.body), squeezed(text)
    day = article.published.date().isoformat() if article.published else None
    return {
        "title": squeezed(title) == squeezed(article.title),
        "body": extracted == body,
        "body similarity": difflib.SequenceMatcher(None, body, extracted, autojunk=False).ratio(),
        "date": (published or "")[:10] == day,
    }


def shares(checks: list[dict]) -> dict:
    n = len(checks)
    return {
        "n": n,
        "title": sum(c["title"] for c in checks) / n,
        "body (exact)": sum(c["body"] for c in checks) / n,
        "body (>= 0.98 similar)": sum(c["body similarity"] >= 0.98 for c in checks) / n,
        "date": sum(c["date"] for c in checks) / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds", description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    rows = read_jsonl(args.data / "corpora" / "bbc" / "articles.jsonl")[::2][: args.entries]
    work = Path(tempfile.mkdtemp(prefix="newsdesk-feeds-"))
    settings = Settings(fetch_private_addresses=True, fetch_host_delay=0.0)
    with WebServer() as web:
        served = articles(rows, web)
        for a, date_in_meta in served:
            web.serve(a.url.removeprefix(web.base), article_html(a, date_in_meta))
        feed = web.serve(
            "/feed.xml", rss([a for a, _ in served], "BBC News"), content_type="application/rss+xml", etag='"v1"'
        )

        log("baseline: the same articles from a JSONL file")
        jsonl = work / "articles.jsonl"
        jsonl.write_text("".join(f"{json.dumps(r)}\n" for r in rows))
        baseline = Assistant(work / "jsonl-index", settings=settings).ingest(jsonl)

        log(f"the feed: {len(served)} entries")
        assistant = Assistant(work / "feed-index", settings=settings)
        first = assistant.ingest(feed)
        first_requests = sum(web.requests.values())
        started = time.perf_counter()
        second = assistant.ingest(feed)
        second_seconds = time.perf_counter() - started
        second_requests = sum(web.requests.values()) - first_requests

        log("each page alone, as `newsdesk ingest URL` reads it")
        fetcher = Fetcher(FetchLimits(private_addresses=True, host_delay=0.0))
        alone, problems = [], []
        for a, _ in served:
            (item,) = list(load_url(a.url, fetcher, NoMemory()))
            if isinstance(item, Document):
                alone.append(matches(a, item.title, item.text, item.published_at))
            else:
                problems.append(str(item))
                alone.append(MISSED)

    by_guid = {d.doc_id: d for d in assistant.documents()}
    through_feed = [
        matches(a, d.title, d.text, d.published_at) if (d := by_guid.get(web_id(a.guid))) else {} for a, _ in served
    ]
    through_feed = [c or MISSED for c in through_feed]
    in_meta = [c for c, (_, meta) in zip(alone, served, strict=True) if meta]
    in_byline = [c for c, (_, meta) in zip(alone, served, strict=True) if not meta]
    table = [
        {
            "run": "JSONL file (baseline)",
            "articles": len(baseline.added),
            "seconds": baseline.seconds,
            "articles/s": len(baseline.added) / baseline.seconds,
            "requests": 0,
        },
        {
            "run": "feed, first read",
            "articles": len(first.added),
            "seconds": first.seconds,
            "articles/s": len(first.added) / first.seconds,
            "requests": first_requests,
        },
        {
            "run": "feed, second read (unchanged)",
            "articles": len(second.added) + len(second.updated),
            "seconds": second_seconds,
            "articles/s": None,
            "requests": second_requests,
        },
    ]
    accuracy = [
        {"set": "each page alone", **shares(alone)},
        {"set": "  date in the metadata", **shares(in_meta)},
        {"set": "  date only in the byline (htmldate)", **shares(in_byline)},
        {"set": "through the feed", **shares(through_feed)},
    ]
    payload = {
        "run": run_info(),
        "method": {
            "entries": len(served),
            "articles": "bbc articles.jsonl, every second one, the first N of those",
            "fetch_host_delay": 0.0,
            "body match": "the extracted text equals the article's body, whitespace squeezed",
        },
        "ingest": table,
        "accuracy": accuracy,
        "first read problems": [str(p) for p in first.problems][:20],
        "page problems": problems[:20],
        "body mismatches (alone)": [
            {"id": a.guid, "similarity": c["body similarity"]}
            for c, (a, _) in zip(alone, served, strict=True)
            if not c["body"]
        ][:50],
        "title mismatches (alone)": [a.title for c, (a, _) in zip(alone, served, strict=True) if not c["title"]][:50],
    }
    path = write_results("feeds", payload)
    print_table(table)
    print()
    print_table(accuracy)
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
