"""Paths in, an IngestReport out: load, skip what is unchanged, chunk, embed and write in batches."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from tqdm import tqdm

from .chunking import chunk_document
from .document import Document, IngestProblem, IngestReport
from .index import Index
from .loading.loaders import expand, load


def ingest(
    paths: Iterable[str | Path],
    index: Index,
    chunk_chars: int,
    max_bytes: int,
    batch_size: int = 128,
    progress: bool = False,
) -> IngestReport:
    """Streams documents through in batches so memory stays flat however large the collection is."""
    started = time.perf_counter()
    report = IngestReport()
    with index.locked():  # one ingest at a time: another one waits for this one to finish
        report.repaired = sum(index.reconcile())  # before "unchanged" is believed of anything
        ingest_batches(paths, index, chunk_chars, max_bytes, batch_size, progress, report)
    report.seconds = time.perf_counter() - started
    return report


def ingest_batches(
    paths: Iterable[str | Path],
    index: Index,
    chunk_chars: int,
    max_bytes: int,
    batch_size: int,
    progress: bool,
    report: IngestReport,
) -> None:
    origins: dict[str, str] = {}
    batch: list[Document] = []
    bar = tqdm(unit=" docs", desc="ingest", disable=not progress, dynamic_ncols=True)
    for item in loaded(paths, max_bytes, index.directory):
        bar.update(1)
        if isinstance(item, IngestProblem):
            report.problems.append(item)
            continue
        if item.doc_id in origins:
            first = origins[item.doc_id]
            report.problems.append(
                IngestProblem(item.path or "", f"duplicate id '{item.doc_id}' (first seen in {first}); kept the first")
            )
            continue
        origins[item.doc_id] = item.path or ""
        batch.append(item)
        if len(batch) >= batch_size:
            write_batch(batch, index, chunk_chars, report)
            batch = []
    write_batch(batch, index, chunk_chars, report)
    bar.close()


def loaded(paths: Iterable[str | Path], max_bytes: int, skip: Path) -> Iterator[Document | IngestProblem]:
    for path in expand(paths, skip):
        if isinstance(path, IngestProblem):
            yield path
        else:
            yield from load(path, max_bytes)


def write_batch(batch: list[Document], index: Index, chunk_chars: int, report: IngestReport) -> None:
    known = index.catalog.hashes(d.doc_id for d in batch)
    changed = []
    for document in batch:
        previous = known.get(document.doc_id)
        if previous == document.content_hash:
            report.unchanged.append(document.doc_id)
            continue
        (report.updated if previous else report.added).append(document.doc_id)
        changed.append((document, chunk_document(document, chunk_chars)))
    index.write(changed)
    report.chunks += sum(len(chunks) for _, chunks in changed)
