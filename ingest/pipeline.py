"""Paths in, an IngestReport out: load, skip what is unchanged, chunk, embed and write in batches."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal

from tqdm import tqdm

from .chunking import chunk_document
from .document import Document, IngestProblem, IngestReport, Unchanged
from .index import Index
from .loading.loaders import expand, load
from .text.repair import repaired
from .web.fetch import SCHEMES, Fetcher, FetchLimits, web_scheme
from .web.loader import Loaded, load_url

log = logging.getLogger(__name__)
# What becomes of a file whose name gives it the id of an article from another file (a/report.txt, then b/report.md).
OnConflict = Literal["refuse", "rename", "replace"]


def ingest(
    paths: Iterable[str | Path],
    index: Index,
    chunk_chars: int,
    max_bytes: int,
    batch_size: int = 128,
    progress: bool = False,
    on_conflict: OnConflict = "refuse",
    fetcher: Fetcher | None = None,
) -> IngestReport:
    """Streams documents through in batches so memory stays flat however large the collection is. ``paths`` may
    hold http(s) URLs of feeds and pages, which ``fetcher`` reads."""
    started = time.perf_counter()
    report = IngestReport()
    places = list(paths)
    # Sites are read politely, with a pause between two requests to one: read under the write lock, a feed would
    # hold up every other writer as long. What URLs bring is read first, and written under the lock.
    fetched = {
        place: list(load_url(place, fetcher or Fetcher(FetchLimits()), index.catalog))
        for place in places
        if isinstance(place, str) and web_scheme(place) in SCHEMES
    }
    with index.locked():  # one ingest at a time: another one waits for this one to finish
        report.repaired = sum(index.reconcile())  # before "unchanged" is believed of anything
        index.place_unplaced()  # articles of an index made before stories
        ingest_batches(places, index, chunk_chars, max_bytes, batch_size, progress, on_conflict, report, fetched)
    report.seconds = time.perf_counter() - started
    return report


def ingest_batches(
    paths: Iterable[str | Path],
    index: Index,
    chunk_chars: int,
    max_bytes: int,
    batch_size: int,
    progress: bool,
    on_conflict: OnConflict,
    report: IngestReport,
    fetched: dict[str, list[Loaded]] | None = None,
) -> None:
    origins: dict[str, str] = {}
    batch: list[Document] = []
    bar = tqdm(unit=" docs", desc="ingest", disable=not progress, dynamic_ncols=True)
    for item in loaded(paths, max_bytes, index.directory, fetched or {}):
        bar.update(1)
        if isinstance(item, IngestProblem):
            report.problems.append(item)
            continue
        if isinstance(item, Unchanged):
            report.unchanged.append(item.doc_id)
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
            write_batch(batch, index, chunk_chars, on_conflict, report)
            batch = []
    write_batch(batch, index, chunk_chars, on_conflict, report)
    bar.close()


def loaded(
    paths: Iterable[str | Path], max_bytes: int, skip: Path, fetched: dict[str, list[Loaded]]
) -> Iterator[Loaded]:
    for place in paths:
        for item in located(place, max_bytes, skip, fetched):
            yield repaired(item) if isinstance(item, Document) else item


def located(place: str | Path, max_bytes: int, skip: Path, fetched: dict[str, list[Loaded]]) -> Iterator[Loaded]:
    """What one named place holds: a file, a folder's files, or what a feed or page brought (``fetched``)."""
    scheme = web_scheme(str(place)) if isinstance(place, str) else None
    if scheme in SCHEMES:
        yield from fetched.get(str(place), [])
    elif scheme:
        yield IngestProblem(str(place), f"only http(s) URLs are fetched, not {scheme}:")
    else:
        for path in expand([place], skip):
            if isinstance(path, IngestProblem):
                yield path
            else:
                yield from load(path, max_bytes)


def write_batch(
    batch: list[Document], index: Index, chunk_chars: int, on_conflict: OnConflict, report: IngestReport
) -> None:
    batch = settled(batch, index.catalog.paths(d.doc_id for d in batch), on_conflict, report)
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


def settled(
    batch: list[Document], stored: dict[str, str | None], on_conflict: OnConflict, report: IngestReport
) -> list[Document]:
    """The batch with each id collision settled: a document named after its file whose id an article from another
    file holds is refused, renamed (an id of its own, the same on every run) or let replace it."""
    kept = []
    for document in batch:
        other = stored.get(document.doc_id)
        if other is None or not named_by_file(document) or same_file(other, document.path or ""):
            kept.append(document)
        elif on_conflict == "refuse":
            report.problems.append(
                IngestProblem(
                    document.path or "",
                    f"id '{document.doc_id}' is already taken by {other}; not ingested (--on-conflict rename keeps "
                    "both, --on-conflict replace replaces it)",
                )
            )
        elif on_conflict == "rename":
            where = hashlib.sha256(str(Path(document.path or "").resolve()).encode()).hexdigest()[:8]
            renamed = replace(document, doc_id=f"{document.doc_id}-{where}")
            log.info(
                "%s: id '%s' is taken by %s; ingested as '%s'", document.path, document.doc_id, other, renamed.doc_id
            )
            kept.append(renamed)
        else:
            log.info("%s replaces %s under id '%s'", document.path, other, document.doc_id)
            kept.append(document)
    return kept


def named_by_file(document: Document) -> bool:
    """A .txt, .md or .html file's article is named after the file; a JSONL record's id is chosen, and the same id
    from another feed is the same article."""
    return document.path is not None and Path(document.path).stem == document.doc_id


def same_file(a: str, b: str) -> bool:
    return Path(a).resolve() == Path(b).resolve()
