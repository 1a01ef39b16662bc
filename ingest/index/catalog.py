"""The index's source of truth in SQLite: documents, their chunks, and who said what in them.

SQLite transactions keep the three in step; the vector store and the in-memory search structures are reconciled
against this catalog, not the reverse.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from ..document import Chunk, Document
from ..loading.metadata import date_to_timestamp
from ..statements import STATEMENT_RULES, Statement, speaker_key
from ..stories import Placement, Profile, StoryBook, StoryRules
from ..subscriptions import Subscription
from ..web.fetch import Validators
from . import story_tables
from .filters import Filters
from .search import SearchRow
from .story_tables import Member

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source TEXT,
    author TEXT,
    published_at TEXT,
    published_ts INTEGER,
    url TEXT,
    path TEXT,
    content_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE INDEX IF NOT EXISTS documents_published ON documents(published_ts);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS statements (
    doc_id TEXT NOT NULL,
    speaker TEXT NOT NULL,
    speaker_key TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    quoted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS statements_doc ON statements(doc_id);
CREATE INDEX IF NOT EXISTS statements_speaker ON statements(speaker_key);
-- Which version of the rules for who said what (ingest/statements.py) found the statements.
CREATE TABLE IF NOT EXISTS statement_rules (version INTEGER NOT NULL);
INSERT INTO statement_rules SELECT CASE WHEN EXISTS (SELECT 1 FROM documents) THEN 0 ELSE {rules} END
    WHERE NOT EXISTS (SELECT 1 FROM statement_rules);
-- Counts committed writes that changed something, by any process: names the version saved search structures are of.
CREATE TABLE IF NOT EXISTS generation (n INTEGER NOT NULL);
INSERT INTO generation SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM generation);
-- 1 from before a write touches the vector store until it and the catalog agree again: still 1 after a crash, which
-- tells the next writer to reconcile the vectors with the catalog.
CREATE TABLE IF NOT EXISTS vector_sync (dirty INTEGER NOT NULL);
INSERT INTO vector_sync SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM vector_sync);
-- Names this index for good: its collection on a Chroma server that many indexes share is called after it.
CREATE TABLE IF NOT EXISTS identity (id TEXT NOT NULL);
INSERT INTO identity SELECT lower(hex(randomblob(8))) WHERE NOT EXISTS (SELECT 1 FROM identity);
-- Sources followed (`newsdesk sources`): what each last brought, and its last error.
CREATE TABLE IF NOT EXISTS subscriptions (
    location TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    added_at TEXT NOT NULL,
    last_read TEXT,
    brought TEXT,
    last_error TEXT,
    signature TEXT
);
-- What was last fetched from a URL (or a feed entry, by its id): validators for a conditional request, the entry's
-- stamp, and the articles it brought (JSON).
CREATE TABLE IF NOT EXISTS fetched (
    key TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    stamp TEXT NOT NULL,
    doc_ids TEXT NOT NULL
);
-- BM25 moved to memory (ingest/memory_search.py): indexes made before that drop their full-text table.
DROP TRIGGER IF EXISTS chunks_fts_insert;
DROP TRIGGER IF EXISTS chunks_fts_delete;
DROP TABLE IF EXISTS chunks_fts;
"""


@dataclass(frozen=True)
class ChunkToEmbed:
    """A chunk as the vector store holds it, rebuilt from the catalog."""

    chunk_id: str
    text: str  # what is embedded: its headline and text
    document: Document  # without its text: what the vector's metadata is made of
    version: str  # the document's content hash when it was ingested


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    doc_id: str
    position: int
    start: int
    end: int
    text: str


def chunk_id(doc_id: str, content_hash: str, position: int) -> str:
    """Names one version of one chunk, so a new version can be written before the old one is removed."""
    return f"{doc_id}::{content_hash}::{position}"


class Catalog:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.read_only = path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
        if self.read_only:
            # Nothing can write it, and SQLite could not make the WAL's shared-memory file beside it: opened as an
            # unchanging file, it is read without either.
            log.info("the catalog %s is read-only: opened for reading", path)
            target, uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1", True
        else:
            target, uri = str(path), False
        self.db = sqlite3.connect(target, uri=uri, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        if not self.read_only:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA.format(rules=STATEMENT_RULES) + story_tables.SCHEMA)
        self._writes = 0  # commits on this connection, which data_version does not count
        # Threads share the connection (a watcher ingests while questions are searched): one transaction at a time.
        self._transacting = threading.RLock()
        self._cache: dict[str, tuple[tuple[int, int], object]] = {}
        # The stories as this connection last wrote them: the next batch places its articles without reading them all
        # again, unless another connection wrote since.
        self._book: tuple[tuple[int, int], StoryBook] | None = None

    def close(self) -> None:
        self.db.close()

    def hashes(self, doc_ids: Iterable[str] | None = None) -> dict[str, str]:
        """Each document's content hash: of the ones asked for, or of all, which tells whether anything changed."""
        if doc_ids is None:
            return {
                row["doc_id"]: row["content_hash"]
                for row in self.db.execute("SELECT doc_id, content_hash FROM documents")
            }
        rows = self._rows_for("SELECT doc_id, content_hash FROM documents WHERE doc_id IN ({marks})", list(doc_ids))
        return {row["doc_id"]: row["content_hash"] for row in rows}

    def paths(self, doc_ids: Iterable[str]) -> dict[str, str | None]:
        """The file each of these documents was ingested from, for those the catalog holds."""
        rows = self._rows_for("SELECT doc_id, path FROM documents WHERE doc_id IN ({marks})", list(doc_ids))
        return {row["doc_id"]: row["path"] for row in rows}

    def _rows_for(self, sql: str, ids: Sequence[str]) -> Iterator[sqlite3.Row]:
        """The rows of ``sql`` for ``ids``, its ``{marks}`` standing for their placeholders, 500 ids at a time:
        SQLite limits the parameters of one statement."""
        for i in range(0, len(ids), 500):
            batch = list(ids[i : i + 500])
            yield from self.db.execute(sql.format(marks=",".join("?" * len(batch))), batch)

    def replace(
        self,
        items: Sequence[tuple[Document, list[Chunk], list[Statement]]],
        profiles: Sequence[Profile] = (),
        rules: StoryRules | None = None,
    ) -> list[Placement]:
        """Writes documents, their chunks and statements in one transaction, dropping any earlier version, and
        places the ``profiles`` (of these documents) in stories by ``rules``."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction():
            if story_tables.unplace(self.db, [document.doc_id for document, _, _ in items]):
                self._book = None  # a story lost an article: read again
            placements = self._place(profiles, rules or StoryRules())
            for document, chunks, said in items:
                self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (document.doc_id,))
                self.db.execute("DELETE FROM statements WHERE doc_id = ?", (document.doc_id,))
                self.db.executemany(
                    "INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?)",
                    [(s.doc_id, s.speaker, speaker_key(s.speaker), s.start, s.end, s.quoted) for s in said],
                )
                self.db.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        document.doc_id,
                        document.title,
                        document.source,
                        document.author,
                        document.published_at,
                        date_to_timestamp(document.published_at),
                        document.url,
                        document.path,
                        document.content_hash,
                        document.text,
                        len(chunks),
                        now,
                    ),
                )
                self.db.executemany(
                    "INSERT INTO chunks (chunk_id, doc_id, position, start_char, end_char, title, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            chunk_id(c.doc_id, document.content_hash, c.index),
                            c.doc_id,
                            c.index,
                            c.start,
                            c.end,
                            document.title,
                            c.text,
                        )
                        for c in chunks
                    ],
                )
        if self._book is not None:
            self._book = (self.version(), self._book[1])
        return placements

    def place(self, profiles: Sequence[Profile], rules: StoryRules) -> list[Placement]:
        """Places articles held already (of an index made before stories) in stories, in one transaction."""
        with self.transaction():
            placements = self._place(profiles, rules)
        if self._book is not None:
            self._book = (self.version(), self._book[1])
        return placements

    def _place(self, profiles: Sequence[Profile], rules: StoryRules) -> list[Placement]:
        if not profiles:
            return []
        if self._book is None or self._book[0] != self.version() or self._book[1].rules != rules:
            self._book = (self.version(), story_tables.load_book(self.db, rules, len(profiles[0].vector)))
        return story_tables.place(self.db, self._book[1], profiles)

    def story_members(self, story_id: int | None = None) -> list[Member]:
        """Which story each article is in (and which article it copies, if any), or the articles of one story."""
        return story_tables.members(self.db, story_id)

    def to_place(self, doc_ids: Sequence[str]) -> list[tuple[Document, list[str], list[Statement], int | None]]:
        """What placing these documents in stories needs: each with its chunk ids, its statements and its date."""
        chunk_ids: dict[str, list[str]] = {}
        for row in self._rows_for(
            "SELECT doc_id, chunk_id FROM chunks WHERE doc_id IN ({marks}) ORDER BY rowid", doc_ids
        ):
            chunk_ids.setdefault(row[0], []).append(row[1])
        said: dict[str, list[Statement]] = {}
        for row in self._rows_for(
            "SELECT doc_id, speaker, start_char, end_char, quoted FROM statements WHERE doc_id IN ({marks})", doc_ids
        ):
            said.setdefault(row[0], []).append(Statement(row[0], row[1], "", row[2], row[3], bool(row[4])))
        rows = self._rows_for("SELECT * FROM documents WHERE doc_id IN ({marks})", doc_ids)
        return [
            (_document(row), chunk_ids.get(row["doc_id"], []), said.get(row["doc_id"], []), row["published_ts"])
            for row in rows
        ]

    def story_rows(self, min_articles: int) -> list[tuple]:
        """For each article of a story of at least ``min_articles`` (copies included): story id, the story's label
        article, doc id, the article it copies, outlet, publication date, headline."""
        return self.db.execute(
            """SELECT s.story_id, s.label_doc, m.doc_id, m.copy_of, d.source, d.published_at, d.title
               FROM stories s JOIN story_members m ON m.story_id = s.story_id JOIN documents d ON d.doc_id = m.doc_id
               WHERE s.n >= ?""",
            (min_articles,),
        ).fetchall()

    def story_label(self, story_id: int) -> str | None:
        """The article whose headline labels the story."""
        row = self.db.execute("SELECT label_doc FROM stories WHERE story_id = ?", (story_id,)).fetchone()
        return row[0] if row else None

    def story_of(self, doc_id: str) -> int | None:
        row = self.db.execute("SELECT story_id FROM story_members WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def statements_in(self, doc_ids: Sequence[str]) -> list[Statement]:
        """Everything said in these articles, oldest article first, in reading order."""
        rows = self._rows_for(
            """SELECT s.doc_id, s.speaker, s.start_char, s.end_char, s.quoted, d.text, d.published_ts
               FROM statements s JOIN documents d ON d.doc_id = s.doc_id WHERE s.doc_id IN ({marks})""",
            doc_ids,
        )
        found = [
            (ts or 0, Statement(doc_id, speaker, text[start:end], start, end, bool(quoted)))
            for doc_id, speaker, start, end, quoted, text, ts in rows
        ]
        return [s for _, s in sorted(found, key=lambda p: (p[0], p[1].doc_id, p[1].start))]

    def unplaced(self) -> list[str]:
        """The articles no story holds yet."""
        return story_tables.unplaced(self.db)

    def statement_rules(self) -> int:
        """The version of the rules that found the statements held."""
        return self.db.execute("SELECT version FROM statement_rules").fetchone()[0]

    def restate(self, found: Iterable[list[Statement]], version: int) -> None:
        """Replaces every document's statements with those found by rules of ``version``, in one transaction."""
        with self.transaction():
            self.db.execute("DELETE FROM statements")
            for said in found:
                self.db.executemany(
                    "INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?)",
                    [(s.doc_id, s.speaker, speaker_key(s.speaker), s.start, s.end, s.quoted) for s in said],
                )
            self.db.execute("UPDATE statement_rules SET version = ?", (version,))

    def delete(self, doc_id: str) -> bool:
        with self.transaction():
            if story_tables.unplace(self.db, [doc_id]):
                self._book = None
            self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            self.db.execute("DELETE FROM statements WHERE doc_id = ?", (doc_id,))
            return self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,)).rowcount > 0

    def transaction(self):
        return _Transaction(self)

    def version(self) -> tuple[int, int]:
        """Changes with every write, here or by another connection (data_version counts the other connections'
        commits), and only then."""
        return self.db.execute("PRAGMA data_version").fetchone()[0], self._writes

    def _cached(self, name: str, compute):
        """Every search asks for the outlets and speakers: read them again only after a write."""
        version = self.version()
        stamp, value = self._cache.get(name, (None, None))
        if stamp != version:
            value = compute()
            self._cache[name] = (version, value)
        return value

    def document(self, doc_id: str) -> Document | None:
        row = self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return _document(row) if row else None

    def metadata(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        """Documents without their text: what a search result shows."""
        rows = self._rows_for(
            "SELECT doc_id, title, source, author, published_at, url, path, '' AS text FROM documents "
            "WHERE doc_id IN ({marks})",
            list(dict.fromkeys(doc_ids)),
        )
        return {row["doc_id"]: _document(row) for row in rows}

    def documents(self, filters: Filters | None = None, limit: int | None = None) -> list[Document]:
        """Every document that passes the filters, newest first; the first ``limit`` of them."""
        where, params = _where(filters or Filters())
        rows = self.db.execute(
            f"SELECT * FROM documents d {where} ORDER BY published_ts DESC NULLS LAST, doc_id"
            + (" LIMIT ?" if limit is not None else ""),
            [*params, *([limit] if limit is not None else [])],
        )
        return [_document(row) for row in rows]

    def speaker_keys(self) -> frozenset[str]:
        return self._cached(
            "speaker_keys",
            lambda: frozenset(row[0] for row in self.db.execute("SELECT DISTINCT speaker_key FROM statements")),
        )

    def speakers(self) -> list[tuple[str, int]]:
        """Every speaker's name with the number of their statements, most first."""
        rows = self.db.execute(
            "SELECT speaker, count(*) AS n FROM statements GROUP BY speaker ORDER BY n DESC, speaker"
        )
        return [(row[0], row[1]) for row in rows]

    def statements(self, keys: Sequence[str], filters: Filters | None = None) -> list[tuple[Statement, str]]:
        """What the speakers with these keys said, each with the id of the chunk that holds it."""
        if not keys:
            return []
        where, params = _where(filters or Filters(), prefix="AND")
        rows = self.db.execute(
            f"""SELECT s.doc_id, s.speaker, s.start_char, s.end_char, s.quoted, c.chunk_id, c.start_char, c.text
                FROM statements s JOIN documents d ON d.doc_id = s.doc_id
                JOIN chunks c ON c.doc_id = s.doc_id AND c.start_char <= s.start_char AND c.end_char >= s.end_char
                WHERE s.speaker_key IN ({",".join("?" * len(keys))}) {where}
                ORDER BY d.published_ts DESC, s.doc_id, s.start_char""",
            (*keys, *params),
        )
        return [
            (Statement(doc_id, speaker, text[start - chunk_start : end - chunk_start], start, end, bool(quoted)), cid)
            for doc_id, speaker, start, end, quoted, cid, chunk_start, text in rows
        ]

    def sources(self) -> tuple[str, ...]:
        return self._cached(
            "sources",
            lambda: tuple(
                row[0] for row in self.db.execute("SELECT DISTINCT source FROM documents WHERE source IS NOT NULL")
            ),
        )

    def text_chars(self) -> int:
        return self.db.execute("SELECT COALESCE(SUM(LENGTH(text)), 0) FROM documents").fetchone()[0]

    def chunk_counts(self) -> dict[str, int]:
        """How many chunks each document is indexed in."""
        return {row[0]: row[1] for row in self.db.execute("SELECT doc_id, chunk_count FROM documents")}

    def count(self) -> tuple[int, int]:
        docs = self.db.execute("SELECT count(*) FROM documents").fetchone()[0]
        chunks = self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return docs, chunks

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, StoredChunk]:
        rows = self._rows_for(
            "SELECT chunk_id, doc_id, position, start_char, end_char, text FROM chunks WHERE chunk_id IN ({marks})",
            chunk_ids,
        )
        return {row[0]: StoredChunk(*row) for row in rows}

    def chunk_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT chunk_id FROM chunks")}

    def chunks_to_embed(self, chunk_ids: Sequence[str]) -> list[ChunkToEmbed]:
        """These chunks as they were embedded at ingest (see Index.write), in catalog order."""
        rows = self._rows_for(
            """SELECT c.chunk_id, c.title, c.text, d.doc_id, d.title, d.source, d.author, d.published_at,
                      d.url, d.path, d.content_hash
               FROM chunks c JOIN documents d ON d.doc_id = c.doc_id
               WHERE c.chunk_id IN ({marks}) ORDER BY c.rowid""",
            chunk_ids,
        )
        found: list[ChunkToEmbed] = []
        for cid, headline, text, doc_id, title, source, author, published_at, url, path, version in rows:
            document = Document(doc_id, "", title, source, published_at, url, author, path)
            found.append(ChunkToEmbed(cid, f"{headline}\n{text}" if headline else text, document, version))
        return found

    def vectors_dirty(self) -> bool:
        """Whether a write may have left the vector store out of step with the catalog (it crashed, or runs now)."""
        try:
            return bool(self.db.execute("SELECT dirty FROM vector_sync").fetchone()[0])
        except sqlite3.OperationalError:  # a read-only catalog made before the mark existed: no write marked it
            return False

    def mark_vectors(self, dirty: bool) -> None:
        """Outside any transaction that counts as a new version: the catalog's content does not change."""
        self.db.execute("UPDATE vector_sync SET dirty = ?", (int(dirty),))

    def generation(self) -> int:
        """How many writes have changed the catalog, by any process, since it was made."""
        return self.db.execute("SELECT n FROM generation").fetchone()[0]

    def index_id(self) -> str:
        """This index's id, made at random when the catalog was."""
        return self.db.execute("SELECT id FROM identity").fetchone()[0]

    def search_rows(self) -> tuple[int, list[SearchRow]]:
        """Every chunk with what search matches and filters on, and the generation they are of."""
        with self._transacting:
            self.db.execute("BEGIN")  # one snapshot for both reads
            try:
                generation = self.generation()
                rows = self.db.execute(
                    """SELECT c.chunk_id, c.title || '\n' || c.text, d.source, d.author, d.published_ts
                       FROM chunks c JOIN documents d ON d.doc_id = c.doc_id ORDER BY c.rowid"""
                )
                return generation, [SearchRow(*row) for row in rows]
            finally:
                self.db.execute("COMMIT")

    # --- sources followed, and what was fetched: written outside transactions, since no search depends on them

    def subscribe(self, location: str, kind: str) -> bool:
        """False when it was already followed."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transacting:
            added = self.db.execute(
                "INSERT OR IGNORE INTO subscriptions (location, kind, added_at) VALUES (?, ?, ?)", (location, kind, now)
            )
            return added.rowcount > 0

    def unsubscribe(self, location: str) -> bool:
        with self._transacting:
            return self.db.execute("DELETE FROM subscriptions WHERE location = ?", (location,)).rowcount > 0

    def subscriptions(self) -> list[Subscription]:
        try:
            rows = self.db.execute("SELECT * FROM subscriptions ORDER BY added_at, location").fetchall()
        except sqlite3.OperationalError:  # a read-only catalog from before sources were followed
            return []
        return [Subscription(**dict(row)) for row in rows]

    def record_read(self, subscription: Subscription) -> None:
        """What the last read of a source found; a source removed meanwhile stays removed."""
        with self._transacting:
            self.db.execute(
                "UPDATE subscriptions SET last_read = ?, brought = ?, last_error = ?, signature = ? WHERE location = ?",
                (
                    subscription.last_read,
                    subscription.brought,
                    subscription.last_error,
                    subscription.signature,
                    subscription.location,
                ),
            )

    def fetch_state(self, key: str) -> tuple[Validators, str, list[str]] | None:
        try:
            row = self.db.execute("SELECT * FROM fetched WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:
            return None
        if row is None:
            return None
        return Validators(row["etag"], row["last_modified"]), row["stamp"], json.loads(row["doc_ids"])

    def remember_fetch(self, key: str, validators: Validators, stamp: str, doc_ids: list[str]) -> None:
        with self._transacting:
            self.db.execute(
                "INSERT OR REPLACE INTO fetched VALUES (?, ?, ?, ?, ?)",
                (key, validators.etag, validators.last_modified, stamp, json.dumps(doc_ids)),
            )

    def paths_under(self, folder: str) -> dict[str, str]:
        """doc_id -> file, for the documents ingested from files inside ``folder``."""
        prefix = folder.rstrip(os.sep) + os.sep
        rows = self.db.execute("SELECT doc_id, path FROM documents WHERE substr(path, 1, ?) = ?", (len(prefix), prefix))
        return {row[0]: row[1] for row in rows}


class _Transaction:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def __enter__(self):
        self.catalog._transacting.acquire()
        try:
            self.catalog.db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.catalog._transacting.release()
            raise
        self.changes = self.catalog.db.total_changes

    def __exit__(self, kind, value, traceback):
        if kind is None and self.catalog.db.total_changes != self.changes:  # deleting nothing is no new version
            self.catalog.db.execute("UPDATE generation SET n = n + 1")
        try:
            self.catalog.db.execute("COMMIT" if kind is None else "ROLLBACK")
            self.catalog._writes += 1
            if kind is not None:
                self.catalog._book = None  # it may hold stories the rollback undid
        finally:
            self.catalog._transacting.release()


def _document(row: sqlite3.Row) -> Document:
    return Document(
        doc_id=row["doc_id"],
        text=row["text"],
        title=row["title"],
        source=row["source"],
        published_at=row["published_at"],
        url=row["url"],
        author=row["author"],
        path=row["path"],
    )


def _where(filters: Filters, prefix: str = "WHERE") -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    for column, values in (("source", filters.sources), ("author", filters.authors)):
        if values:
            clauses.append(f"lower(d.{column}) IN ({','.join('?' * len(values))})")
            params.extend(v.lower() for v in values)
    if filters.after_ts is not None:
        clauses.append("d.published_ts >= ?")
        params.append(filters.after_ts)
    if filters.before_ts is not None:
        clauses.append("d.published_ts <= ?")
        params.append(filters.before_ts)
    return (f"{prefix} {' AND '.join(clauses)}" if clauses else "", params)
