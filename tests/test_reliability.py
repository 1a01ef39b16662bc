"""The index under crashes, lost or damaged parts, and several processes at once: catalog, vectors and search
structures agree, nothing is lost, and what cannot be helped is said in one line naming the repair."""

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from ingest.index.index import IndexIncomplete

pytestmark = pytest.mark.slow  # processes started, killed and raced: make test, not make check

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


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """An index of 8 economy articles, built once by the command (which closes it whole); tests copy it."""
    folder = tmp_path_factory.mktemp("built")
    index = folder / "index"
    assert newsdesk("ingest", str(corpus(folder / "first.jsonl", 8)), index=index).returncode == 0
    return index


@pytest.fixture
def index(built, tmp_path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    return copy


def found_ids(index: Path, query: str = "economy officials", k: int = 100) -> set[str]:
    return {p.doc_id for p in Assistant(index, max_per_document=100).search(query, k)}


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_a_lost_chroma_folder_is_reported_and_the_next_ingest_restores_it(index, tmp_path):
    shutil.rmtree(index / "chroma")
    shutil.rmtree(index / "search")
    searched = newsdesk("search", "economy", index=index)
    assert searched.returncode == 1 and f"newsdesk --index {index} reindex" in one_line(searched)

    ingested = newsdesk("ingest", str(corpus(tmp_path / "new.jsonl", 1, prefix="n")), index=index)
    assert ingested.returncode == 0 and "1 added" in ingested.stdout and "vectors repaired" in ingested.stdout
    assert found_ids(index) == {f"a{i}" for i in range(8)} | {"n0"}  # older articles are not dropped


def test_a_lost_chroma_folder_is_reported_when_chroma_searches_the_vectors(index):
    shutil.rmtree(index / "chroma")
    shutil.rmtree(index / "search")
    with pytest.raises(IndexIncomplete, match="reindex"):
        Assistant(index, exact_search_chunks=0).search("economy", 5)


def test_reingesting_after_a_lost_chroma_folder_does_not_call_missing_vectors_unchanged(index, tmp_path):
    shutil.rmtree(index / "chroma")
    again = newsdesk("ingest", str(corpus(tmp_path / "first.jsonl", 8)), index=index)
    assert "8 unchanged" in again.stdout and "vectors repaired" in again.stdout
    catalog, vectors, search = agreement(index)
    assert len(catalog) > 8 and catalog == vectors == search


def test_reindex_rebuilds_vectors_and_search_from_the_catalog(index):
    shutil.rmtree(index / "chroma")
    rebuilt = newsdesk("reindex", index=index)
    assert rebuilt.returncode == 0, rebuilt.stderr
    catalog, vectors, search = agreement(index)
    assert f"reindexed {len(catalog)} chunks" in rebuilt.stdout
    assert catalog == vectors == search and found_ids(index) == {f"a{i}" for i in range(8)}


def test_a_truncated_search_cache_is_built_again(index):
    (saved,) = (index / "search" / "newsdesk").glob("*/arrays.npz")
    saved.write_bytes(saved.read_bytes()[:100])
    searched = newsdesk("search", "economy officials", "--json", "-k", "100", index=index)
    assert searched.returncode == 0, searched.stderr
    assert {p["doc_id"] for p in json.loads(searched.stdout)} == {f"a{i}" for i in range(8)}
    assert "damaged" in searched.stderr


def test_a_truncated_catalog_is_reported_in_one_line(index):
    catalog = index / "catalog.sqlite3"
    catalog.write_bytes(catalog.read_bytes()[:8192])
    for command in (["search", "economy"], ["docs", "list"]):
        result = newsdesk(*command, index=index)
        assert result.returncode == 1 and "catalog" in one_line(result) and "newsdesk ingest" in one_line(result)


def test_two_writers_and_a_long_lived_reader_on_one_index(tmp_path):
    index = tmp_path / "index"
    # Like `serve --ingest`: a process that ingested, then keeps searching while others write.
    reader = Assistant(index, chunk_chars=300)
    assert reader.ingest(corpus(tmp_path / "first.jsonl", 6)).ok
    writers = [
        start("ingest", str(corpus(tmp_path / f"{prefix}.jsonl", 16, prefix=prefix, topic=topic)), index=index)
        for prefix, topic in (("b", "trade"), ("c", "farming"))
    ]
    failures, searches = [], 0
    while any(w.poll() is None for w in writers):
        try:
            assert reader.search("economy officials", 10)
            searches += 1
        except Exception as error:  # every failure counts, whatever its kind
            failures.append(repr(error))
    results = [(w.returncode, w.stdout.read(), w.stderr.read()) for w in writers]
    for code, out, err in results:
        assert code == 0 and "16 added" in out and "Traceback" not in err, err
    assert not failures and searches > 0
    # The reader sees what the others wrote, once they are done, and writes after them.
    assert {p.doc_id[0] for p in reader.search("farming officials", 10)} >= {"c"}
    assert reader.ingest(corpus(tmp_path / "d.jsonl", 2, prefix="d", topic="fishing")).ok
    catalog, vectors, search = agreement(index)
    assert catalog == vectors == search
    expected = {f"{p}{i}" for p, n in (("a", 6), ("b", 16), ("c", 16), ("d", 2)) for i in range(n)}
    assert {cid.split("::")[0] for cid in catalog} == expected


def as_reader(index: Path) -> list[str]:
    """The command prefix that runs newsdesk as a user who cannot write ``index``: root ignores permissions."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root ignores file permissions and setpriv (util-linux) is not installed to run as nobody")
    return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


@pytest.fixture
def shared():
    """A folder another user can reach (pytest's own are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="newsdesk-shared-"))
    folder.chmod(0o755)
    yield folder
    subprocess.run(["chmod", "-R", "u+w", str(folder)], check=True)
    shutil.rmtree(folder)


@pytest.mark.parametrize("saved_search", [True, False])
def test_a_read_only_index_still_lists_searches_and_answers(built, shared, saved_search):
    from .model_server import backend, model_server

    index = Path(shutil.copytree(built, shared / "index"))
    if not saved_search:  # then it is built from the vector store, in memory only
        shutil.rmtree(index / "search")
    home = shared / "home"  # the reader's own, writable
    home.mkdir()
    home.chmod(0o777)
    models = shared / "models"  # the exported embedder, where the reader can read it (root's home is closed)
    models.mkdir()
    for exported in Settings().model_cache_dir.glob("embedder-*.onnx"):
        shutil.copyfile(exported, models / exported.name)
    subprocess.run(["chmod", "-R", "a-w", str(index)], check=True)
    with model_server() as (url, prompts):
        env = {**os.environ, **FAST, **backend(url), "NEWSDESK_MODEL_CACHE_DIR": str(models), "HOME": str(home)}

        def run(*args: str) -> subprocess.CompletedProcess:
            command = [*as_reader(index), str(NEWSDESK), "--index", str(index), *args]
            return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, check=False)

        listed = run("docs", "list")
        searched = run("search", "region a5", "--json", "-k", "3")
        asked = run("ask", "What changed in the economy of region a5?", "--json")
        deleted = run("docs", "delete", "a5")
    for result in (listed, searched, asked):
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert deleted.returncode == 1 and "is read-only" in one_line(deleted)
    assert listed.stdout.count("\n") == 8
    assert json.loads(searched.stdout)[0]["doc_id"] == "a5"
    assert json.loads(asked.stdout)["citations"][0]["doc_id"] == "a5" and prompts


OPEN_WHEN_TOLD = """
import sys, time
from pathlib import Path
from ingest.index.index import Index

class Named:  # opening an index needs only the embedder's name
    name = "test-embedder"

go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
index = Index(Path(sys.argv[1]), Named())
print(index.vectors.count())
"""


def test_processes_making_the_same_new_index_at_once_all_open_it(tmp_path):
    """Chroma creates its tables as its store opens: without the lock, two processes opening a new index together
    both create them, and one dies ("table collections already exists")."""
    for attempt in range(3):  # the race is a matter of milliseconds: a few rounds, each on a new index
        go = tmp_path / f"go-{attempt}"
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_WHEN_TOLD, str(tmp_path / f"index-{attempt}"), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        time.sleep(8)  # each has imported Chroma and waits
        go.touch()
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err.strip().splitlines()[-1:]
            assert out.strip() == "0"
