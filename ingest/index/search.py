"""The collection's search structures in memory: BM25 (bm25s) over every chunk and, when the vectors are local and
few enough, every vector for an exact dense search.

Built from the index the first time it is searched after it changes, and saved beside it, so that the next process
(a CLI question) loads them in a few milliseconds instead of building them again (about 2.5 s on 11,000 chunks,
stemming and fetching vectors from Chroma). On 11,000 chunks a BM25 query costs under 1 ms here against 15 ms for
SQLite FTS5, and scoring every vector about 1 ms, where a Chroma query with an outlet filter took 15 ms.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import zipfile
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from threadpoolctl import ThreadpoolController

from ..text.terms import stems
from .filters import Filters

log = logging.getLogger(__name__)
Ranking = list[tuple[str, float]]  # (chunk_id, score), best first
# One core scores 100,000 vectors in a few milliseconds; more BLAS threads spin for a long while after their share,
# which took a core from the embedding of the next question (+9 ms a search, measured).
BLAS = ThreadpoolController()


@dataclass(frozen=True)
class SearchRow:
    """What search needs of one chunk, from the catalog."""

    chunk_id: str
    text: str  # its headline and text: what BM25 matches
    source: str | None
    author: str | None
    published_ts: int | None


class MemorySearch:
    def __init__(
        self,
        version: Hashable,
        chunk_ids: list[str],
        sources: tuple[np.ndarray, dict[str, int]],
        authors: tuple[np.ndarray, dict[str, int]],
        published: np.ndarray,
        vectors: np.ndarray | None,
        bm25: bm25s.BM25 | None,
    ):
        """``vectors`` holds chunk i's vector in its row i; None leaves dense search to the vector store. ``sources``
        and ``authors``: each chunk's code, and the code of each lower-cased name. ``bm25``: None when there are no chunks."""
        self.version = version
        self.chunk_ids = chunk_ids
        self.sources, self.source_codes = sources
        self.authors, self.author_codes = authors
        self.published = published
        self.vectors = vectors
        self.bm25 = bm25
        self._rows: dict[str, int] | None = None

    @classmethod
    def build(cls, version: Hashable, rows: Sequence[SearchRow], vectors: np.ndarray | None) -> MemorySearch:
        bm25 = None
        if rows:
            bm25 = bm25s.BM25()
            bm25.index([stems(row.text) for row in rows], show_progress=False)
        return cls(
            version,
            [row.chunk_id for row in rows],
            codes([(row.source or "").lower() for row in rows]),
            codes([(row.author or "").lower() for row in rows]),
            np.array([np.nan if row.published_ts is None else row.published_ts for row in rows], dtype=np.float64),
            vectors,
            bm25,
        )

    def save(self, directory: Path) -> None:
        """Writes into a fresh folder renamed into place, so that a reader finds a whole copy or none."""
        work = directory.with_name(f".{directory.name}-{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        meta = {"chunk_ids": self.chunk_ids, "source_codes": self.source_codes, "author_codes": self.author_codes}
        (work / "chunks.json").write_text(json.dumps(meta))
        arrays: dict[str, np.ndarray] = {"sources": self.sources, "authors": self.authors, "published": self.published}
        if self.vectors is not None:
            arrays["vectors"] = self.vectors
        np.savez(work / "arrays.npz", **arrays)  # type: ignore[arg-type]  # numpy's stubs type **kwds as bool
        if self.bm25 is not None:
            self.bm25.save(str(work / "bm25"))
        # What is there already was saved for this version by another process, with other settings (or none).
        shutil.rmtree(directory, ignore_errors=True)
        try:
            work.rename(directory)
        except OSError:  # another process saved it in the meantime
            shutil.rmtree(work, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, version: Hashable) -> MemorySearch | None:
        """What ``save`` wrote into ``directory``, or None if nothing (whole) is there."""
        if not directory.is_dir():
            return None
        try:
            meta = json.loads((directory / "chunks.json").read_text())
            with np.load(directory / "arrays.npz") as arrays:
                found = {name: arrays[name] for name in arrays.files}
            bm25 = bm25s.BM25.load(str(directory / "bm25")) if meta["chunk_ids"] else None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            # They are a cache of the catalog: built again rather than trusted.
            log.warning("the saved search structures in %s are damaged (%s); building them again", directory, error)
            return None
        return cls(
            version,
            meta["chunk_ids"],
            (found["sources"], meta["source_codes"]),
            (found["authors"], meta["author_codes"]),
            found["published"],
            found.get("vectors"),
            bm25,
        )

    def mask(self, filters: Filters | None) -> np.ndarray:
        """Which chunks pass the filters; a chunk without a date passes no date filter."""
        keep = np.ones(len(self.chunk_ids), dtype=bool)
        if not filters:
            return keep
        if filters.sources:
            keep &= np.isin(self.sources, [self.source_codes.get(s.lower(), -1) for s in filters.sources])
        if filters.authors:
            keep &= np.isin(self.authors, [self.author_codes.get(a.lower(), -1) for a in filters.authors])
        with np.errstate(invalid="ignore"):
            if filters.after_ts is not None:
                keep &= self.published >= filters.after_ts
            if filters.before_ts is not None:
                keep &= self.published <= filters.before_ts
        return keep

    def lexical(self, query: str, k: int, filters: Filters | None = None) -> Ranking:
        """BM25, over the chunks that hold at least one of the query's words."""
        if self.bm25 is None:
            return []
        words = [w for w in dict.fromkeys(stems(query)) if w in self.bm25.vocab_dict]
        if not words:
            return []
        scores = self.bm25.get_scores(words)
        return self.best(scores, k, self.mask(filters) & (scores > 0))

    def dense(self, vector: np.ndarray, k: int, filters: Sequence[Filters | None]) -> list[Ranking]:
        """Cosine similarity (vectors are unit length) to every chunk, computed once: one ranking per filters."""
        if self.vectors is None:
            raise ValueError("this collection's vectors are searched in the vector store")
        with BLAS.limit(limits=1, user_api="blas"):
            scores = self.vectors @ vector
        return [self.best(scores, k, self.mask(f)) for f in filters]

    def rarity(self, words: Iterable[str]) -> dict[str, float]:
        """Each stemmed word's inverse document frequency over the chunks, log(N / df); a word no chunk holds
        counts as rare as one chunk's."""
        if self.bm25 is None:
            return {}
        indptr = self.bm25.scores["indptr"]
        total = len(self.chunk_ids)
        found = {}
        for word in words:
            column = self.bm25.vocab_dict.get(word)
            frequency = int(indptr[column + 1] - indptr[column]) if column is not None else 1
            found[word] = math.log(total / max(frequency, 1)) + 1.0
        return found

    def vectors_of(self, chunk_ids: Iterable[str]) -> dict[str, np.ndarray]:
        """The vectors held for these chunks; none when the vector store holds them."""
        if self.vectors is None:
            return {}
        rows = self.rows()
        return {cid: self.vectors[rows[cid]] for cid in chunk_ids if cid in rows}

    def rows(self) -> dict[str, int]:
        if self._rows is None:
            self._rows = {cid: i for i, cid in enumerate(self.chunk_ids)}
        return self._rows

    def best(self, scores: np.ndarray, k: int, keep: np.ndarray) -> Ranking:
        if k <= 0:
            return []
        candidates = np.flatnonzero(keep)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        ranked = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(self.chunk_ids[i], float(scores[i])) for i in ranked]


def codes(values: list[str]) -> tuple[np.ndarray, dict[str, int]]:
    """Values as small integers, so that filtering compares numbers rather than strings."""
    table: dict[str, int] = {}
    return np.array([table.setdefault(v, len(table)) for v in values], dtype=np.int32), table
