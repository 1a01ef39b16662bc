"""The newsdesk command, run as a user runs it."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import LUTNICK_DOC, SEEDS

NEWSDESK = Path(sys.executable).parent / "newsdesk"


def run(*args, index: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NEWSDESK), "--index", str(index), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def saved_search(index: Path) -> list[str]:
    """The catalog generations the index holds saved search structures for."""
    return [folder.name for folder in (index / "search" / "newsdesk").iterdir()]


def catalog_generation(index: Path) -> str:
    with sqlite3.connect(index / "catalog.sqlite3") as db:
        return str(db.execute("SELECT n FROM generation").fetchone()[0])


@pytest.mark.slow  # five processes, each loading the index
def test_ingest_search_list_and_delete(tmp_path):
    index = tmp_path / "index"
    ingested = run("ingest", str(SEEDS), index=index)
    assert ingested.returncode == 0, ingested.stderr
    assert "2 added" in ingested.stdout
    after_ingest = saved_search(index)
    assert after_ingest == [catalog_generation(index)]  # built by the ingest, not left to the first question

    found = run("search", "rare earths", "--json", "-k", "3", index=index)
    passages = json.loads(found.stdout)
    assert passages[0]["doc_id"] == LUTNICK_DOC and {"start", "end", "score", "url"} <= set(passages[0])

    listed = run("docs", "list", index=index)
    assert LUTNICK_DOC in listed.stdout and "2 documents" in listed.stderr

    deleted = run("docs", "delete", LUTNICK_DOC, "nope", index=index)
    assert deleted.returncode == 1 and "no document 'nope'" in deleted.stderr
    assert LUTNICK_DOC not in run("docs", "list", index=index).stdout
    assert saved_search(index) == [catalog_generation(index)] != after_ingest


def test_bad_input_exits_non_zero_naming_the_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "body": "A fine line."}\n[1, 2]\n')
    result = run("ingest", str(bad), index=tmp_path / "index")
    assert result.returncode == 1
    assert f"{bad}:2: expected a JSON object" in result.stderr
    assert "1 added" in result.stdout


def test_ask_json_gives_the_answer_object(seeded, tiny_model):
    result = run(
        "ask",
        "What did Lutnick say about rare earths?",
        "--json",
        index=seeded,
        env={"NEWSDESK_LOCAL_MODEL_PATH": str(tiny_model)},
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {"text", "citations", "refused", "passages"} <= set(answer)
    assert answer["passages"][0]["doc_id"] == LUTNICK_DOC
