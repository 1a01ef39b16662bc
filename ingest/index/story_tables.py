"""Stories in the catalog: each story's running state and each article's place in one, written in the catalog's
own transactions (the caller's), so that a story never names an article the catalog lost, nor misses one it holds.

The tables are added beside the catalog's own (``CREATE TABLE IF NOT EXISTS``): an index made before stories gets
them on opening, and its articles are placed from their stored vectors on the next write (``Index.place_unplaced``).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..stories import Placement, Profile, StoryBook, StoryRules, StoryState

SCHEMA = """
CREATE TABLE IF NOT EXISTS stories (
    story_id INTEGER PRIMARY KEY,
    total BLOB NOT NULL,
    n INTEGER NOT NULL,
    names TEXT NOT NULL,
    first_ts INTEGER,
    last_ts INTEGER,
    label_doc TEXT  -- its most representative article: the one nearest its centroid, whose headline labels it
);
CREATE TABLE IF NOT EXISTS story_members (
    doc_id TEXT PRIMARY KEY,
    story_id INTEGER NOT NULL,
    copy_of TEXT,
    vector BLOB NOT NULL,
    names TEXT NOT NULL,
    published_ts INTEGER
);
CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story_id);
"""


@dataclass(frozen=True)
class Member:
    doc_id: str
    story_id: int
    copy_of: str | None


def _blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, np.float32).tobytes()


def _vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, np.float32)


def load_book(db: sqlite3.Connection, rules: StoryRules, dimension: int) -> StoryBook:
    """Every story, as the book that places the next articles."""
    states = [
        StoryState(sid, _vector(total).copy(), n, Counter(json.loads(names)), first, last)
        for sid, total, n, names, first, last in db.execute(
            "SELECT story_id, total, n, names, first_ts, last_ts FROM stories ORDER BY story_id"
        )
    ]
    next_id = (db.execute("SELECT max(story_id) FROM stories").fetchone()[0] or 0) + 1
    return StoryBook(states, next_id, rules, dimension)


def place(db: sqlite3.Connection, book: StoryBook, articles: Sequence[Profile]) -> list[Placement]:
    """Places each article in the book and writes the stories that changed; inside the caller's transaction."""
    members: dict[int, list[tuple[str, np.ndarray]]] = {}
    labels: dict[int, str | None] = {}
    placements = []
    for article in articles:
        best = book.best(article)
        if best is not None:
            sid = book.stories[best].story_id
            if sid not in members:
                members[sid] = [
                    (doc_id, _vector(v))
                    for doc_id, v in db.execute(
                        "SELECT doc_id, vector FROM story_members WHERE story_id = ? AND copy_of IS NULL", (sid,)
                    )
                ]
        placement = book.place(article, members, best)
        placements.append(placement)
        labels[placement.story_id] = nearest(members[placement.story_id], book.centroid_of(placement.story_id))
        db.execute(
            "INSERT OR REPLACE INTO story_members VALUES (?, ?, ?, ?, ?, ?)",
            (
                article.doc_id,
                placement.story_id,
                placement.copy_of,
                _blob(article.vector),
                json.dumps(sorted(article.names)),
                article.published_ts,
            ),
        )
    by_id = {s.story_id: s for s in book.stories}
    for sid in book.changed:
        s = by_id[sid]
        db.execute(
            "INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sid, _blob(s.total), s.n, json.dumps(dict(s.names)), s.first_ts, s.last_ts, labels.get(sid)),
        )
    book.changed.clear()
    return placements


def nearest(members: Sequence[tuple[str, np.ndarray]], centroid: np.ndarray) -> str | None:
    """The article nearest the story's centroid: its most representative."""
    if not members:
        return None
    return max(members, key=lambda m: (float(m[1] @ centroid), m[0]))[0]


def unplace(db: sqlite3.Connection, doc_ids: Iterable[str]) -> bool:
    """Takes these articles out of their stories (a story left empty goes); inside the caller's transaction. Whether
    any was in one."""
    removed = False
    for doc_id in doc_ids:
        row = db.execute(
            "SELECT story_id, vector, names, published_ts FROM story_members WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            continue
        removed = True
        sid, vector, names, _ = row
        db.execute("DELETE FROM story_members WHERE doc_id = ?", (doc_id,))
        # The first copy of an article that goes stands for it.
        copies = [
            r[0] for r in db.execute("SELECT doc_id FROM story_members WHERE copy_of = ? ORDER BY doc_id", (doc_id,))
        ]
        if copies:
            db.execute("UPDATE story_members SET copy_of = NULL WHERE doc_id = ?", (copies[0],))
            db.execute("UPDATE story_members SET copy_of = ? WHERE copy_of = ?", (copies[0], doc_id))
        total, n, story_names = db.execute("SELECT total, n, names FROM stories WHERE story_id = ?", (sid,)).fetchone()
        if n <= 1:
            db.execute("DELETE FROM stories WHERE story_id = ?", (sid,))
            continue
        counts = Counter(json.loads(story_names))
        counts.subtract(json.loads(names))
        first_ts, last_ts = db.execute(
            "SELECT min(published_ts), max(published_ts) FROM story_members WHERE story_id = ?", (sid,)
        ).fetchone()
        left = _vector(total) - _vector(vector)
        rest = [
            (other, _vector(v))
            for other, v in db.execute(
                "SELECT doc_id, vector FROM story_members WHERE story_id = ? AND copy_of IS NULL", (sid,)
            )
        ]
        db.execute(
            "UPDATE stories SET total = ?, n = ?, names = ?, first_ts = ?, last_ts = ?, label_doc = ? "
            "WHERE story_id = ?",
            (
                _blob(left),
                n - 1,
                json.dumps({k: v for k, v in counts.items() if v > 0}),
                first_ts,
                last_ts,
                nearest(rest, left),
                sid,
            ),
        )
    return removed


def members(db: sqlite3.Connection, story_id: int | None = None) -> list[Member]:
    """Every article's place, or those of one story."""
    where, params = ("WHERE story_id = ?", (story_id,)) if story_id is not None else ("", ())
    return [
        Member(*row)
        for row in db.execute(f"SELECT doc_id, story_id, copy_of FROM story_members {where} ORDER BY doc_id", params)
    ]


def unplaced(db: sqlite3.Connection) -> list[str]:
    """The articles no story holds yet (those of an index made before stories), in the order they came."""
    return [
        row[0]
        for row in db.execute(
            "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM story_members) ORDER BY rowid"
        )
    ]
