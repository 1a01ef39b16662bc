"""Search in memory: our own filtering and ranking on fixed rows, and against Chroma and another writer on disk."""

import json
import sqlite3

import numpy as np

from assistant import Assistant
from ingest import Filters
from ingest.index.catalog import Catalog
from ingest.index.search import MemorySearch, SearchRow

ROWS = [
    SearchRow("a", "Harbour strike ends as dockers accept pay offer", "BBC News", "Ann Lee", 1_700_000_000),
    SearchRow("b", "Dockers vote on a new pay offer at the harbour", "Reuters", None, 1_700_500_000),
    SearchRow("c", "Central bank holds interest rates", "Reuters", "Bo Chen", None),
]
VECTORS = np.eye(3, dtype=np.float32)


def ids(ranking):
    return [cid for cid, _ in ranking]


def test_filters_match_outlet_and_author_in_any_case_and_dates_inclusively():
    memory = MemorySearch.build(0, ROWS, VECTORS)
    assert memory.mask(Filters(source="reuters")).tolist() == [False, True, True]
    assert memory.mask(Filters(source=["bbc news", "Nobody"], author="ANN LEE")).tolist() == [True, False, False]
    # The day 1_700_000_000 falls on counts as after it; an article without a date passes no date filter.
    assert memory.mask(Filters(published_after="2023-11-14")).tolist() == [True, True, False]
    assert memory.mask(Filters(published_before="2023-11-14")).tolist() == [True, False, False]


def test_bm25_ranks_only_chunks_holding_a_word_of_the_query():
    memory = MemorySearch.build(0, ROWS, VECTORS)
    assert ids(memory.lexical("Did the dockers' strike end?", 10)) == ["a", "b"]
    assert ids(memory.lexical("dockers pay", 10, Filters(source="Reuters"))) == ["b"]
    assert memory.lexical("volcano", 10) == [] and memory.lexical("the of and", 10) == []


def test_dense_ranks_every_filtered_chunk_by_cosine_once_per_filter():
    memory = MemorySearch.build(0, ROWS, VECTORS)
    vector = np.array([0.6, 0.0, 0.8], dtype=np.float32)
    everything, reuters, none = memory.dense(vector, 2, [None, Filters(source="Reuters"), Filters(source="AP")])
    assert ids(everything) == ["c", "a"] and abs(everything[0][1] - 0.8) < 1e-6
    assert ids(reuters) == ["c", "b"] and none == []


def test_exact_search_ranks_as_chromas_own(feed):
    chroma = Assistant(feed.settings.index_dir, exact_search_chunks=0)
    vector = feed.embedder.embed_one("Google search deal")
    filters = [None, Filters(source="wired"), Filters(published_after="2023-11-25")]
    exact = feed.index.dense_search(vector, 10, filters)
    approximate = chroma.index.dense_search(vector, 10, filters)
    assert feed.index.memory().vectors is not None and chroma.index.memory().vectors is None
    assert [ids(r) for r in exact] == [ids(r) for r in approximate] and [len(r) for r in exact] == [3, 1, 2]
    assert np.allclose([s for r in exact for _, s in r], [s for r in approximate for _, s in r], atol=1e-4)


def test_what_another_connection_writes_or_deletes_is_searched_next(feed, tmp_path):
    reader = Assistant(feed.settings.index_dir)
    found = {p.doc_id for p in reader.search("harbour cranes", k=5)}
    assert found and found <= {"v1", "w1", "t1"}
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps({"id": "n1", "body": "New harbour cranes arrived in Rotterdam."}))
    assert feed.ingest(path).ok
    assert reader.search("harbour cranes", k=1)[0].doc_id == "n1"
    assert feed.delete("n1")
    assert "n1" not in {p.doc_id for p in reader.search("harbour cranes", k=5)}


def test_after_a_write_only_new_chunks_vectors_are_fetched_and_every_row_keeps_its_own(feed, tmp_path, monkeypatch):
    feed.index.memory()
    fetch = feed.index.vectors.get
    asked: list[str] = []
    monkeypatch.setattr(feed.index.vectors, "get", lambda chunk_ids: asked.extend(chunk_ids) or fetch(chunk_ids))
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps({"id": "n1", "body": "New harbour cranes arrived in Rotterdam."}))
    assert feed.ingest(path).ok and feed.delete("w1")
    memory = feed.index.memory()
    assert [cid.split("::")[0] for cid in asked] == ["n1"]
    stored = fetch(memory.chunk_ids)
    assert sorted(cid.split("::")[0] for cid in memory.chunk_ids) == ["n1", "t1", "v1"]
    assert np.array_equal(memory.vectors, np.array([stored[cid] for cid in memory.chunk_ids]))


def test_the_next_process_loads_the_saved_search_structures_until_a_write_makes_them_old(feed, tmp_path, monkeypatch):
    built = feed.index.memory()
    generation = feed.index.catalog.generation()
    monkeypatch.setattr(MemorySearch, "build", None)  # a reader that built them again would fail here
    reader = Assistant(feed.settings.index_dir)
    loaded = reader.index.memory()
    assert loaded.chunk_ids == built.chunk_ids and np.array_equal(loaded.vectors, built.vectors)
    assert [p.chunk_id for p in reader.search("harbour cranes", k=5)] == [
        p.chunk_id for p in feed.search("harbour cranes", k=5)
    ]
    monkeypatch.undo()

    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps({"id": "n1", "body": "New harbour cranes arrived in Rotterdam."}))
    assert feed.ingest(path).ok and feed.delete("w1")
    assert not feed.delete("nope")  # deleting nothing makes no new version
    assert reader.index.catalog.generation() == generation + 2
    assert reader.search("harbour cranes", k=1)[0].doc_id == "n1"
    saved = feed.settings.index_dir / "search" / "newsdesk"
    assert [p.name for p in saved.iterdir()] == [str(generation + 2)]  # older versions are removed


def test_an_index_made_with_a_full_text_table_loses_it_on_opening(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE VIRTUAL TABLE chunks_fts USING fts5(title, text)")
    Catalog(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'chunks_fts'").fetchone() == (0,)
