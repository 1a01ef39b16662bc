"""The index under crashes, lost or damaged parts, and several processes at once: catalog, vectors and search
structures agree, nothing is lost, and what cannot be helped is said in one line naming the repair."""

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

NEWSDESK = Path(sys.executable).parent / "newsdesk"
FAST = {"NEWSDESK_INGEST_BATCH_SIZE": "4", "NEWSDESK_CHUNK_CHARS": "300"}


def corpus(path: Path, n: int, prefix: str = "a", topic: str = "economy") -> Path:
    """``n`` articles of three or four chunks each, dated, one outlet."""
    with path.open("w") as out:
        for i in range(n):
            body = " ".join(
                f"The {topic} of region {prefix}{i} changed in week {w}, officials in district {i} said on Monday."
                for w in range(12)
            )
            record = {"id": f"{prefix}{i}", "source": "Wire", "published_at": f"2024-02-{i % 28 + 1:02d}"}
            out.write(json.dumps(record | {"title": f"{topic.title()} report {prefix}{i}", "body": body}) + "\n")
    return path


def newsdesk(*args, index: Path, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NEWSDESK), "--index", str(index), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **FAST, **(env or {})},
    )


def start(*args, index: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(NEWSDESK), "--index", str(index), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **FAST},
    )


def catalog_rows(index: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{index / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=0.2) as db:
            return db.execute(sql).fetchone()[0]
    except sqlite3.Error:  # not made yet, or being written
        return -1


def kill_when(process: subprocess.Popen, ready, delay: float) -> None:
    """SIGKILL ``delay`` seconds after ``ready()`` first holds (or when the process ends by itself)."""
    while process.poll() is None and not ready():
        time.sleep(0.01)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()


def agreement(index: Path) -> tuple[set[str], set[str], set[str]]:
    """The chunk ids of the catalog, of the vector store, and of the search structures a new process loads."""
    with sqlite3.connect(index / "catalog.sqlite3") as db:
        catalog = {row[0] for row in db.execute("SELECT chunk_id FROM chunks")}
    assistant = Assistant(index)
    vectors = set(assistant.index.vectors.collection.get(include=[])["ids"])
    return catalog, vectors, set(assistant.index.memory().chunk_ids)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_ingest_and_delete_leave_catalog_vectors_and_search_in_step(tmp_path, seed):
    rng = random.Random(seed)
    index = tmp_path / "index"
    first = corpus(tmp_path / "first.jsonl", 24)
    assert newsdesk("ingest", str(first), index=index).returncode == 0
    # Changed versions of half of them and new ones: a kill can fall between any two steps of a write.
    second = corpus(tmp_path / "second.jsonl", 36, topic="trade")
    ingest = start("ingest", str(second), index=index)
    kill_when(ingest, lambda: catalog_rows(index, "SELECT n FROM generation") >= 2, rng.uniform(0, 1.5))
    doomed = [f"a{i}" for i in range(0, 36, 3)]
    delete = start("docs", "delete", *doomed, index=index)
    kill_when(delete, lambda: catalog_rows(index, "SELECT count(*) FROM documents") < 36, rng.uniform(0, 0.05))

    rerun = newsdesk("ingest", str(second), index=index)
    assert rerun.returncode == 0, rerun.stderr
    finished = newsdesk("docs", "delete", *doomed, index=index)
    assert finished.returncode in (0, 1), finished.stderr  # some were deleted before the kill

    catalog, vectors, search = agreement(index)
    assert catalog == vectors == search
    kept = {json.loads(line)["id"] for line in second.read_text().splitlines()} - set(doomed)
    assert {cid.split("::")[0] for cid in catalog} == kept
