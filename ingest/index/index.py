"""The index on disk: a catalog (documents, chunks, statements) and a vector store kept in step with it, searched
through structures held in memory while the index is unchanged."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

import numpy as np
from chromadb.api.client import SharedSystemClient
from chromadb.errors import ChromaError
from filelock import FileLock

from ..document import Chunk, Document
from ..embedding import TextEmbedder
from ..loading.metadata import date_to_timestamp
from ..statements import STATEMENT_RULES, statements
from ..stories import StoryRules, profile
from .catalog import Catalog, StoredChunk, chunk_id
from .filters import Filters
from .search import MemorySearch, Ranking
from .vectors import VectorStore, open_client

log = logging.getLogger(__name__)
T = TypeVar("T")
EMBED_BATCH = 256  # chunks embedded and stored at a time when vectors are rebuilt from the catalog


class IndexReadOnly(RuntimeError):
    """A write to an index whose files this process cannot write."""


class IndexIncomplete(RuntimeError):
    """The catalog holds chunks the vector store has no vector for, outside any write: a part of the index is lost."""


class Index:
    def __init__(
        self,
        directory: Path,
        embedder: TextEmbedder,
        collection: str = "newsdesk",
        chroma_host: str | None = None,
        chroma_port: int = 8000,
        exact_search_chunks: int = 100_000,
        ef_search: int | None = None,
        story_rules: StoryRules | None = None,
    ):
        """Up to ``exact_search_chunks`` chunks in an embedded store, their vectors are searched exactly in memory;
        beyond that, or on a Chroma server, Chroma searches them."""
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self.story_rules = story_rules or StoryRules()
        # One writer at a time, across processes; readers never take it. Reentrant: an ingest holds it for its whole
        # run and each write takes it again.
        self.writing = FileLock(self.directory / "write.lock")
        self.chroma = (chroma_host, chroma_port)
        self._copy: tempfile.TemporaryDirectory | None = None
        # Two processes making a new index at once would both create the catalog's and Chroma's tables.
        new = not (self.directory / "catalog.sqlite3").exists() or not (
            chroma_host or (self.directory / "chroma").exists()
        )
        with self.writing if new else nullcontext():
            self.catalog = Catalog(self.directory / "catalog.sqlite3")
            if self.catalog.statement_rules() != STATEMENT_RULES and not self.catalog.read_only:
                self.restate()
            if chroma_host:  # a server holds the collections of many indexes: each is named after its catalog's id
                collection = f"{collection}-{self.catalog.index_id()}"
            self.collection = collection
            # Opened when first needed in a read-only index, whose saved search structures may spare it altogether.
            self._vectors = None if self.catalog.read_only else self.open_vectors()
        self.exact_search_chunks = 0 if chroma_host else exact_search_chunks
        self._memory: MemorySearch | None = None
        self._loading = threading.Lock()  # the lexical and the dense search ask for it at once
        self._seen = self.catalog.version()[0]  # other connections' commits when the vector store was opened

    def write(self, items: Sequence[tuple[Document, list[Chunk]]]) -> None:
        """Adds new versions first, commits the catalog, then drops old vectors: a crash never leaves a document
        unfindable, and what it leaves behind (vectors the catalog does not name) the next write removes."""
        if not items:
            return
        ids, texts, metadatas = [], [], []
        for document, chunks in items:
            for chunk in chunks:
                ids.append(chunk_id(document.doc_id, document.content_hash, chunk.index))
                # The headline gives a chunk the context its sentences lack ("he said", "the deal").
                texts.append(f"{document.title}\n{chunk.text}" if document.title else chunk.text)
                metadatas.append(vector_metadata(document))
        vectors = self.embedder.embed(texts)
        said = [statements(document) for document, _ in items]
        profiles, at = [], 0
        for (document, chunks), its in zip(items, said):
            if chunks:  # an article without text has no vector to place it by
                ts = date_to_timestamp(document.published_at)
                profiles.append(profile(document, vectors[at : at + len(chunks)], its, ts))
            at += len(chunks)
        with self.locked():
            self.reconcile()
            self.catalog.mark_vectors(dirty=True)
            self.vectors.add(ids, vectors, metadatas)
            self.catalog.replace(
                [(document, chunks, its) for (document, chunks), its in zip(items, said)], profiles, self.story_rules
            )
            for document, _ in items:
                self.vectors.delete_document(document.doc_id, keep_version=document.content_hash)
            self.catalog.mark_vectors(dirty=False)

    def reconcile(self) -> tuple[int, int]:
        """Makes the vector store hold a vector for exactly the catalog's chunks, if a crashed write or a lost
        folder may have left it otherwise: (vectors removed, vectors restored)."""
        with self.locked():
            if not self.catalog.vectors_dirty() and self.vectors.count() == self.catalog.count()[1]:
                return 0, 0
            self.catalog.mark_vectors(dirty=True)
            known, stored = self.catalog.chunk_ids(), self.vectors.ids()
            extra, missing = sorted(stored - known), sorted(known - stored)
            if extra:
                log.warning(
                    "removing %d vectors of chunks the catalog does not hold (left by an interrupted write)", len(extra)
                )
                self.vectors.delete(extra)
            if missing:
                log.warning("embedding again %d chunks that had no vector", len(missing))
                self.embed_again(missing)
            self.catalog.mark_vectors(dirty=False)
            return len(extra), len(missing)

    def place_unplaced(self) -> int:
        """Places in stories the articles no story holds (an index made before stories), from their stored vectors:
        how many were placed. An article whose vectors are lost waits for ``reindex``."""
        placed = 0
        with self.locked():
            waiting = self.catalog.unplaced()
            for i in range(0, len(waiting), EMBED_BATCH):
                inputs = self.catalog.to_place(waiting[i : i + EMBED_BATCH])
                wanted = [cid for _, cids, _, _ in inputs for cid in cids]
                vectors = self.stored_vectors(wanted)
                profiles = [
                    profile(document, np.stack([vectors[c] for c in cids]), said, ts)
                    for document, cids, said, ts in inputs
                    if cids and all(c in vectors for c in cids)
                ]
                placed += len(self.catalog.place(profiles, self.story_rules))
        return placed

    def stored_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """These chunks' vectors as the vector store holds them (no search structures built for it)."""
        return self.from_vectors(lambda store: store.get(list(chunk_ids)))

    def reindex(self) -> int:
        """Rebuilds every vector and the search structures from the catalog, the source of truth: the number of
        chunks embedded."""
        with self.locked():
            self.catalog.mark_vectors(dirty=True)
            self.vectors.delete(sorted(self.vectors.ids()))
            known = self.catalog.chunk_ids()
            self.embed_again(sorted(known))
            self.catalog.mark_vectors(dirty=False)
            self.place_unplaced()
            shutil.rmtree(self.directory / "search" / self.collection, ignore_errors=True)
            with self._loading:
                self._memory = None
            self.memory()
            return len(known)

    def embed_again(self, chunk_ids: Sequence[str]) -> None:
        for i in range(0, len(chunk_ids), EMBED_BATCH):
            chunks = self.catalog.chunks_to_embed(chunk_ids[i : i + EMBED_BATCH])
            self.vectors.add(
                [c.chunk_id for c in chunks],
                self.embedder.embed([c.text for c in chunks]),
                [vector_metadata(c.document, c.version) for c in chunks],
            )

    def restate(self) -> None:
        """Finds who said what again in every document, with today's rules."""
        log.info("finding statements again with the rules of version %d", STATEMENT_RULES)
        documents = self.catalog.documents()
        self.catalog.restate((statements(d) for d in documents), STATEMENT_RULES)

    def delete(self, doc_id: str) -> bool:
        """From the catalog first: vectors a crash leaves behind are found by no search and removed by the next write."""
        with self.locked():
            self.reconcile()
            self.catalog.mark_vectors(dirty=True)
            existed = self.catalog.delete(doc_id)
            self.vectors.delete_document(doc_id)
            self.catalog.mark_vectors(dirty=False)
            return existed

    def dense_search(self, vector: np.ndarray, k: int, filters: Sequence[Filters | None]) -> list[Ranking]:
        """The vector ranked under each of several filters."""
        memory = self.memory()
        if memory.vectors is not None:
            return memory.dense(vector, k, filters)
        return self.from_vectors(
            lambda store: [store.search(vector, k, (f or Filters()).chroma_where()) for f in filters]
        )

    def lexical_search(self, query: str, k: int, filters: Filters | None = None) -> Ranking:
        """BM25 over chunk headlines and texts."""
        return self.memory().lexical(query, k, filters)

    def rarity(self, words: Iterable[str]) -> dict[str, float]:
        """Inverse document frequency of stemmed words over the chunks: how much a word tells one chunk from another."""
        return self.memory().rarity(words)

    def vectors_of(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks, from memory when it holds them."""
        return self.memory().vectors_of(chunk_ids) or self.from_vectors(lambda store: store.get(list(chunk_ids)))

    def from_vectors(self, read: Callable[[VectorStore], T]) -> T:
        """``read`` of the vector store, opened again once if it fails: an embedded Chroma that another process
        wrote to fails to find the new ids ("Error finding id") until it is opened again."""
        try:
            return read(self.vectors)
        except (ChromaError, sqlite3.OperationalError) as error:
            log.info("the vector store failed (%s); opening it again", error)
        self.reopen_vectors()
        return read(self.vectors)

    def reopen_vectors(self) -> None:
        if not self.chroma[0]:
            # Chroma keeps one instance per folder in this process: forgotten, so that the next one reads the disk.
            SharedSystemClient.clear_system_cache()
        self._vectors = self.open_vectors()

    @property
    def vectors(self) -> VectorStore:
        if self._vectors is None:
            self._vectors = self.open_vectors()
        return self._vectors

    def open_vectors(self) -> VectorStore:
        folder = self.directory / "chroma"
        if self.catalog.read_only and not self.chroma[0]:
            # Chroma writes into its folder as it opens it: a read-only one is read from a writable copy.
            log.warning("the index is read-only: reading a copy of its vector store")
            self._copy = tempfile.TemporaryDirectory(prefix="newsdesk-chroma-")
            folder = Path(shutil.copytree(folder, Path(self._copy.name) / "chroma", copy_function=shutil.copyfile))
            for path in [folder, *folder.rglob("*")]:
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
        return VectorStore(open_client(folder, *self.chroma), self.collection, self.embedder.name)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Holds the write lock; a vector store that another process wrote to since this one last did is opened
        again first, since an embedded Chroma does not see another process's writes."""
        if self.catalog.read_only:
            raise IndexReadOnly(f"the index {self.directory} is read-only: it can be searched and asked, not changed")
        with self.writing:
            if self.writing.lock_counter == 1 and self.catalog.version()[0] != self._seen:
                self.reopen_vectors()
            try:
                yield
            finally:
                self._seen = self.catalog.version()[0]

    def memory(self) -> MemorySearch:
        """The search structures for the index as it is now: loaded as saved by whichever process built them for
        this version of the catalog, else built (and saved) again after any write, here or elsewhere."""
        with self._loading:
            memory, version = self._memory, self.catalog.version()
            while memory is None or memory.version != version:
                exact = self.catalog.count()[1] <= self.exact_search_chunks
                memory = MemorySearch.load(self.saved_search(self.catalog.generation()), version)
                if memory is None or (memory.vectors is not None) != exact:
                    memory = self.built_memory(version, exact)
                if memory is None:  # another process replaced chunks meanwhile: built again for what it wrote
                    version = self.catalog.version()
            self._memory = memory
            return memory

    def built_memory(self, version: tuple[int, int], exact: bool) -> MemorySearch | None:
        generation, rows = self.catalog.search_rows()
        matrix = None
        if exact:
            vectors = self.known_vectors()
            wanted = [row.chunk_id for row in rows if row.chunk_id not in vectors]
            vectors |= self.from_vectors(lambda store: store.get(wanted))
            missing = sum(row.chunk_id not in vectors for row in rows)
            if missing and self.catalog.generation() != generation:
                return None  # a writer replaced chunks after they were read: their old vectors may be gone
            if missing:
                raise self.incomplete(missing, len(rows))
            matrix = np.array([vectors[row.chunk_id] for row in rows], np.float32).reshape(
                len(rows), self.embedder.dimension
            )
        elif not self.catalog.vectors_dirty() and (held := self.from_vectors(VectorStore.count)) < len(rows):
            # Chroma searches the vectors: a chunk without one would only ever be found by its words.
            raise self.incomplete(len(rows) - held, len(rows))
        memory = MemorySearch.build(version, rows, matrix)
        folder = self.saved_search(generation)
        try:
            memory.save(folder)
            for old in folder.parent.iterdir():
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError:  # a read-only index is still searched, only built again by each process
            pass
        return memory

    def incomplete(self, missing: int, chunks: int) -> IndexIncomplete:
        return IndexIncomplete(
            f"{missing} of {chunks} passages in {self.directory} have no vector (is its chroma folder lost?): "
            f"run `newsdesk --index {self.directory} reindex`"
        )

    def saved_search(self, generation: int) -> Path:
        return self.directory / "search" / self.collection / str(generation)

    def known_vectors(self) -> dict[str, np.ndarray]:
        """The vectors already in memory, by chunk id: a chunk id names one version of one chunk, so its vector
        never changes, and only new chunks' vectors need fetching after a write."""
        memory = self._memory
        if memory is None or memory.vectors is None:
            return {}
        return dict(zip(memory.chunk_ids, memory.vectors))

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, StoredChunk]:
        return self.catalog.chunks(chunk_ids)

    def document(self, doc_id: str) -> Document | None:
        return self.catalog.document(doc_id)


def vector_metadata(document: Document, version: str | None = None) -> dict:
    """What Chroma needs to filter on; Chroma rejects None values, so absent fields are left out. ``version``: the
    document's content hash, when ``document`` is not whole."""
    metadata: dict[str, str | int] = {
        "doc_id": document.doc_id,
        "version": version or document.content_hash,
        "source_key": (document.source or "").lower(),
        "author_key": (document.author or "").lower(),
    }
    timestamp = date_to_timestamp(document.published_at)
    if timestamp is not None:
        metadata["published_ts"] = timestamp
    return metadata
