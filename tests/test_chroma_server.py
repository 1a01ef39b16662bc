"""Chroma server mode (NEWSDESK_CHROMA_HOST) against a real `chroma run` server: the same results as the embedded
store, writes that keep server and catalog in step (through a kill -9), and several indexes and processes on one server."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant

from .conftest import SEEDS

pytestmark = pytest.mark.slow  # a chroma server and processes: make test, not make check

QUERIES = [
    "tariffs on rare earth exports",
    "who met in Kuala Lumpur",
    "Apple search deal with Google",
    "antitrust suit over AI search",
    "trade truce between the United States and China",
]
NEWSDESK = Path(sys.executable).with_name("newsdesk")


def server_env(server: tuple[str, int]) -> dict[str, str]:
    return {"NEWSDESK_CHROMA_HOST": server[0], "NEWSDESK_CHROMA_PORT": str(server[1])}


def on_server(directory: Path, server: tuple[str, int]) -> Assistant:
    return Assistant(directory, chroma_host=server[0], chroma_port=server[1])


def top(assistant: Assistant, query: str, k: int = 5) -> list[str]:
    return [p.chunk_id for p in assistant.search(query, k)]


def catalog_chunk_ids(directory: Path) -> set[str]:
    with sqlite3.connect(directory / "catalog.sqlite3") as db:
        return {row[0] for row in db.execute("SELECT chunk_id FROM chunks")}


def server_chunk_ids(assistant: Assistant) -> set[str]:
    return set(assistant.index.vectors.collection.get(include=[])["ids"])


def write_articles(path: Path, count: int, seed: int = 0) -> Path:
    """``count`` short articles made of the seed articles' sentences, each distinct."""
    rng = random.Random(seed)
    sentences = [s.strip() + "." for f in sorted(SEEDS.glob("*.txt")) for s in f.read_text().split(". ") if len(s) > 40]
    rows = []
    for i in range(count):
        body = " ".join(rng.sample(sentences, 3)) + f" The file is called {tag(i)}."
        rows.append({"id": f"a{i}", "source": "Wire", "published_at": "2025-06-01", "title": f"Item {i}", "body": body})
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


def test_server_mode_finds_what_the_embedded_store_finds(chroma_server, feed, tmp_path):
    embedded = Assistant(tmp_path / "embedded")
    served = on_server(tmp_path / "served", chroma_server)
    for assistant in (embedded, served):
        assert assistant.ingest([SEEDS, tmp_path / "feed.jsonl"]).ok
    assert served.index.exact_search_chunks == 0  # dense search really goes to the server
    assert served.index.vectors.count() == embedded.index.vectors.count() > 10
    for query in QUERIES:
        assert top(served, query) == top(embedded, query), query


def test_delete_and_reingest_keep_the_server_in_step_with_the_catalog(chroma_server, tmp_path):
    directory = tmp_path / "index"
    served = on_server(directory, chroma_server)
    feed = write_articles(tmp_path / "feed.jsonl", 20)
    assert served.ingest(feed).ok
    assert server_chunk_ids(served) == catalog_chunk_ids(directory)

    assert served.delete("a3")
    assert not any(p.doc_id == "a3" for p in served.search(tag(3), 20))
    assert server_chunk_ids(served) == catalog_chunk_ids(directory)

    changed = write_articles(tmp_path / "changed.jsonl", 20, seed=1)  # every article's text changes
    report = served.ingest(changed)
    assert len(report.updated) == 19 and len(report.added) == 1
    assert server_chunk_ids(served) == catalog_chunk_ids(directory)  # old versions' vectors are gone
    assert served.search(tag(3), 1)[0].doc_id == "a3"


def test_indexes_sharing_a_server_keep_to_their_own_articles(chroma_server, feed, tmp_path):
    first = on_server(tmp_path / "first", chroma_server)
    second = on_server(tmp_path / "second", chroma_server)
    assert first.ingest(SEEDS).ok
    assert second.ingest(tmp_path / "feed.jsonl").ok
    assert first.index.vectors.collection.name != second.index.vectors.collection.name
    assert {p.doc_id for p in first.search("Google search deal", 20)} <= {f.stem for f in SEEDS.glob("*.txt")}
    assert {p.doc_id for p in second.search("rare earth tariffs", 20)} <= {"v1", "w1", "t1"}
    # The id survives reopening: the same index finds its collection again.
    assert on_server(tmp_path / "first", chroma_server).index.vectors.count() == first.index.vectors.count()


def test_processes_sharing_an_index_and_a_server_see_each_others_writes(chroma_server, tmp_path):
    directory = tmp_path / "index"
    reader = on_server(directory, chroma_server)
    assert reader.search(tag(7), 5) == []
    feed = write_articles(tmp_path / "feed.jsonl", 10)
    env = os.environ | server_env(chroma_server)
    subprocess.run([NEWSDESK, "--index", directory, "ingest", feed], env=env, check=True, capture_output=True)
    assert reader.search(tag(7), 1)[0].doc_id == "a7"
    subprocess.run([NEWSDESK, "--index", directory, "docs", "delete", "a7"], env=env, check=True, capture_output=True)
    assert all(p.doc_id != "a7" for p in reader.search(tag(7), 10))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_ingest_killed_on_a_server_leaves_nothing_behind_after_a_rerun(chroma_server, tmp_path, seed):
    directory = tmp_path / "index"
    feed = write_articles(tmp_path / "feed.jsonl", 400, seed=seed)
    env = os.environ | server_env(chroma_server)
    command = [NEWSDESK, "--index", directory, "ingest", feed]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Killed while it writes: once the first batch is committed, after a random further while.
    deadline = time.monotonic() + 120
    while not written(directory) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(random.Random(seed).uniform(0, 1.5))
    process.send_signal(signal.SIGKILL)
    process.wait()
    rerun = subprocess.run(command, check=False, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    served = on_server(directory, chroma_server)
    assert len(catalog_chunk_ids(directory)) >= 400
    assert server_chunk_ids(served) == catalog_chunk_ids(directory)
    assert served.search(tag(399), 1)[0].doc_id == "a399"


def tag(i: int) -> str:
    """A made-up word for article i, which search finds in it alone."""
    return "zq" + "".join(chr(ord("a") + int(d)) for d in str(i))


def written(directory: Path) -> bool:
    try:
        with sqlite3.connect(directory / "catalog.sqlite3") as db:
            return db.execute("SELECT count(*) FROM documents").fetchone()[0] > 0
    except sqlite3.Error:
        return False
