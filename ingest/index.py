"""The index on disk: a catalog (documents, chunks, BM25) and a vector store kept in step with it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .catalog import Catalog, StoredChunk, chunk_id
from .document import Chunk, Document
from .embedding import Embedder
from .filters import Filters
from .metadata import date_to_timestamp
from .quotes import statements
from .vectors import VectorStore, open_client


class Index:
    def __init__(
        self,
        directory: Path,
        embedder: Embedder,
        collection: str = "newsdesk",
        chroma_host: str | None = None,
        chroma_port: int = 8000,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self.catalog = Catalog(self.directory / "catalog.sqlite3")
        self.vectors = VectorStore(open_client(self.directory / "chroma", chroma_host, chroma_port), collection, embedder.name)

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

    def delete(self, doc_id: str) -> bool:
        existed = self.catalog.delete(doc_id)
        self.vectors.delete_document(doc_id)
        return existed

    def dense_search(self, vectors: Sequence[np.ndarray], k: int, filters: Filters | None = None) -> list[list[tuple[str, float]]]:
        """One ranking per vector, all under the same filters."""
        return self.vectors.search(vectors, k, (filters or Filters()).chroma_where())

    def lexical_search(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        return self.catalog.lexical_search(query, k, filters)

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, StoredChunk]:
        return self.catalog.chunks(chunk_ids)

    def document(self, doc_id: str) -> Document | None:
        return self.catalog.document(doc_id)


def vector_metadata(document: Document) -> dict:
    """What Chroma needs to filter on; Chroma rejects None values, so absent fields are left out."""
    metadata = {
        "doc_id": document.doc_id,
        "version": document.content_hash,
        "source_key": (document.source or "").lower(),
        "author_key": (document.author or "").lower(),
    }
    timestamp = date_to_timestamp(document.published_at)
    if timestamp is not None:
        metadata["published_ts"] = timestamp
    return metadata
