"""Chunk vectors in Chroma: embedded on disk by default, or a Chroma server when one machine is not enough."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings


def open_client(directory: Path, host: str | None = None, port: int = 8000):
    settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    return chromadb.PersistentClient(path=str(directory), settings=settings)


class EmbedderMismatch(RuntimeError):
    pass


class VectorStore:
    def __init__(self, client, collection: str, embedder: str, ef_search: int | None = None):
        """``ef_search``: how many candidates HNSW follows per query (Chroma's default 100): recall against time."""
        hnsw: dict = {"space": "cosine"} | ({"ef_search": ef_search} if ef_search else {})
        self.collection = client.get_or_create_collection(
            collection, embedding_function=None, configuration={"hnsw": hnsw}, metadata={"embedder": embedder}
        )
        if ef_search and self.collection.configuration.get("hnsw", {}).get("ef_search") != ef_search:
            self.collection.modify(configuration={"hnsw": {"ef_search": ef_search}})
        made_by = (self.collection.metadata or {}).get("embedder")
        if made_by != embedder:  # a question embedded by another model would be compared with the wrong vectors
            raise EmbedderMismatch(
                f"collection '{collection}' holds vectors made by embedder {made_by or '(unrecorded)'}, not {embedder}: "
                "use the settings it was built with, or ingest into a new index"
            )
        # Chroma refuses a single add larger than this.
        self.max_batch = client.get_max_batch_size()

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]) -> None:
        """Upserts: a chunk id names one version of one chunk, so a vector left by a crashed write is the same one."""
        for i in range(0, len(ids), self.max_batch):
            self.collection.upsert(
                ids=list(ids[i : i + self.max_batch]),
                embeddings=vectors[i : i + self.max_batch],
                metadatas=list(metadatas[i : i + self.max_batch]),
            )

    def delete_document(self, doc_id: str, keep_version: str | None = None) -> None:
        """Removes a document's vectors, or only those of versions other than ``keep_version``."""
        where: dict = {"doc_id": doc_id}
        if keep_version:
            where = {"$and": [where, {"version": {"$ne": keep_version}}]}
        self.collection.delete(where=where)

    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), self.max_batch):
            self.collection.delete(ids=list(ids[i : i + self.max_batch]))

    def ids(self) -> set[str]:
        """Every chunk id the store holds a vector for."""
        found: set[str] = set()
        while batch := self.collection.get(include=[], limit=self.max_batch, offset=len(found))["ids"]:
            found.update(batch)
        return found

    def search(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) best first; fewer than k when the collection holds fewer."""
        result = self.collection.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])
        return [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0])]

    def get(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks, by chunk id; ids without one are left out."""
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), self.max_batch):
            batch = self.collection.get(ids=list(ids[i : i + self.max_batch]), include=["embeddings"])
            found.update(zip(batch["ids"], np.asarray(batch["embeddings"], dtype=np.float32)))
        return found

    def count(self) -> int:
        return self.collection.count()
