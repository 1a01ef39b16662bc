"""The index on disk: a catalog (documents, chunks, statements) and a vector store kept in step with it, searched
through structures held in memory while the index is unchanged."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..document import Chunk, Document
from ..embedding import TextEmbedder
from ..loading.metadata import date_to_timestamp
from ..statements import STATEMENT_RULES, statements
from .catalog import Catalog, StoredChunk, chunk_id
from .filters import Filters
from .search import MemorySearch, Ranking
from .vectors import VectorStore, open_client

log = logging.getLogger(__name__)


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
    ):
        """Up to ``exact_search_chunks`` chunks in an embedded store, their vectors are searched exactly in memory;
        beyond that, or on a Chroma server, Chroma searches them."""
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self.catalog = Catalog(self.directory / "catalog.sqlite3")
        if self.catalog.statement_rules() != STATEMENT_RULES:
            self.restate()
        if chroma_host:  # a server holds the collections of many indexes: each is named after its catalog's id
            collection = f"{collection}-{self.catalog.index_id()}"
        self.vectors = VectorStore(
            open_client(self.directory / "chroma", chroma_host, chroma_port), collection, embedder.name
        )
        self.exact_search_chunks = 0 if chroma_host else exact_search_chunks
        self._memory: MemorySearch | None = None
        self._loading = threading.Lock()  # the lexical and the dense search ask for it at once

    def write(self, items: Sequence[tuple[Document, list[Chunk]]]) -> None:
        """Adds new versions first, commits the catalog, then drops old vectors: a crash never leaves a document unfindable."""
        if not items:
            return
        ids, texts, metadatas = [], [], []
        for document, chunks in items:
            for chunk in chunks:
                ids.append(chunk_id(document.doc_id, document.content_hash, chunk.index))
                # The headline gives a chunk the context its sentences lack ("he said", "the deal").
                texts.append(f"{document.title}\n{chunk.text}" if document.title else chunk.text)
                metadatas.append(vector_metadata(document))
        self.vectors.add(ids, self.embedder.embed(texts), metadatas)
        self.catalog.replace([(document, chunks, statements(document)) for document, chunks in items])
        for document, _ in items:
            self.vectors.delete_document(document.doc_id, keep_version=document.content_hash)

    def restate(self) -> None:
        """Finds who said what again in every document, with today's rules."""
        log.info("finding statements again with the rules of version %d", STATEMENT_RULES)
        documents = self.catalog.documents()
        self.catalog.restate((statements(d) for d in documents), STATEMENT_RULES)

    def delete(self, doc_id: str) -> bool:
        existed = self.catalog.delete(doc_id)
        self.vectors.delete_document(doc_id)
        return existed

    def dense_search(self, vector: np.ndarray, k: int, filters: Sequence[Filters | None]) -> list[Ranking]:
        """The vector ranked under each of several filters."""
        memory = self.memory()
        if memory.vectors is not None:
            return memory.dense(vector, k, filters)
        return [self.vectors.search(vector, k, (f or Filters()).chroma_where()) for f in filters]

    def lexical_search(self, query: str, k: int, filters: Filters | None = None) -> Ranking:
        """BM25 over chunk headlines and texts."""
        return self.memory().lexical(query, k, filters)

    def rarity(self, words: Iterable[str]) -> dict[str, float]:
        """Inverse document frequency of stemmed words over the chunks: how much a word tells one chunk from another."""
        return self.memory().rarity(words)

    def vectors_of(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks, from memory when it holds them."""
        return self.memory().vectors_of(chunk_ids) or self.vectors.get(list(chunk_ids))

    def memory(self) -> MemorySearch:
        """The search structures for the index as it is now: loaded as saved by whichever process built them for
        this version of the catalog, else built (and saved) again after any write, here or elsewhere."""
        with self._loading:
            version = self.catalog.version()
            if self._memory is None or self._memory.version != version:
                exact = self.catalog.count()[1] <= self.exact_search_chunks
                saved = MemorySearch.load(self.saved_search(self.catalog.generation()), version)
                if saved is None or (saved.vectors is not None) != exact:
                    saved = self.built_memory(version, exact)
                self._memory = saved
            return self._memory

    def built_memory(self, version: tuple[int, int], exact: bool) -> MemorySearch:
        generation, rows = self.catalog.search_rows()
        matrix = None
        if exact:
            vectors = self.known_vectors()
            vectors |= self.vectors.get([row.chunk_id for row in rows if row.chunk_id not in vectors])
            rows = [row for row in rows if row.chunk_id in vectors]  # a chunk without its vector is not found
            matrix = np.array([vectors[row.chunk_id] for row in rows], np.float32).reshape(
                len(rows), self.embedder.dimension
            )
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

    def saved_search(self, generation: int) -> Path:
        return self.directory / "search" / self.vectors.collection.name / str(generation)

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


def vector_metadata(document: Document) -> dict:
    """What Chroma needs to filter on; Chroma rejects None values, so absent fields are left out."""
    metadata: dict[str, str | int] = {
        "doc_id": document.doc_id,
        "version": document.content_hash,
        "source_key": (document.source or "").lower(),
        "author_key": (document.author or "").lower(),
    }
    timestamp = date_to_timestamp(document.published_at)
    if timestamp is not None:
        metadata["published_ts"] = timestamp
    return metadata
