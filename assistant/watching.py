"""Keeping the collection current: each followed source read again when it is due (a feed or page every
``feed_poll_minutes``, a folder when its files change), what is new or changed ingested, what vanished from a folder
removed, and what each read brought recorded with the source. Writes take the index's write lock, as ``ingest``
does; questions take no lock, so they are answered meanwhile."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ingest import IngestProblem, IngestReport
from ingest.subscriptions import FOLDER, Subscription, due, folder_signature

if TYPE_CHECKING:
    from .api import Assistant

log = logging.getLogger(__name__)
ERRORS_KEPT = 5  # problems recorded with a source; the count of the rest follows them


def refresh(
    assistant: Assistant, only: list[str] | None = None, force: bool = False
) -> list[tuple[Subscription, IngestReport]]:
    """Reads every source that is due (or those in ``only``, or all with ``force``), newest state recorded; the
    search structures are readied after any change, so that the next question does not wait for them."""
    settings = assistant.settings
    now = datetime.now(UTC)
    results = []
    for source in assistant.index.catalog.subscriptions():
        if only is not None and source.location not in only:
            continue
        if source.kind == FOLDER:
            signature = folder_signature(Path(source.location), settings.index_dir)
            if signature is not None and signature == source.signature and not force:
                continue
            report = read_folder(assistant, source.location, signature)
        elif force or due(source, now, settings.feed_poll_minutes * 60):
            signature, report = None, assistant.ingest([source.location])
        else:
            continue
        read = recorded(source, report, signature, datetime.now(UTC))
        assistant.index.catalog.record_read(read)
        results.append((read, report))
    if any(report.added or report.updated or report.removed for _, report in results):
        assistant.prepare_search()
    return results


def read_folder(assistant: Assistant, folder: str, signature: str | None) -> IngestReport:
    """Ingests the folder and removes the articles of its files that are gone (and of a JSONL file, its lines
    that are gone). A folder that is itself gone (an unmounted disk) removes nothing: that is more likely a
    mistake than the end of every article."""
    if signature is None:
        return IngestReport(problems=[IngestProblem(folder, "the folder is gone; its articles are kept")])
    report = assistant.ingest([folder])
    seen = {*report.added, *report.updated, *report.unchanged}
    troubled = {problem.path for problem in report.problems}
    for doc_id, path in assistant.index.catalog.paths_under(folder).items():
        if doc_id not in seen and path not in troubled and assistant.delete(doc_id):
            report.removed.append(doc_id)
    return report


def recorded(source: Subscription, report: IngestReport, signature: str | None, when: datetime) -> Subscription:
    problems = [str(problem) for problem in report.problems]
    if len(problems) > ERRORS_KEPT:
        problems = [*problems[:ERRORS_KEPT], f"and {len(problems) - ERRORS_KEPT} more"]
    return replace(
        source,
        last_read=when.isoformat(timespec="seconds"),
        # What the last read that found something did: a later read finding nothing (a folder polled again while a
        # file was still being written) does not hide it.
        brought=report.changes() or source.brought or "nothing new",
        last_error="\n".join(problems) or None,
        signature=signature,
    )


class Watcher:
    """Reads the sources in a thread until stopped: ``newsdesk watch``, and ``newsdesk serve --watch``."""

    def __init__(self, assistant: Assistant, on_read: Callable[[Subscription, IngestReport], None] | None = None):
        self.assistant = assistant
        self.on_read = on_read
        self.stopped = threading.Event()
        settings = assistant.settings
        self.tick = min(settings.folder_poll_seconds, settings.feed_poll_minutes * 60)

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                for source, report in refresh(self.assistant):
                    if self.on_read:
                        self.on_read(source, report)
            except Exception:  # one bad round (a full disk, a locked index) must not end the watching
                log.exception("reading the sources failed; trying again in %.0fs", self.tick)
            self.stopped.wait(self.tick)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, daemon=True, name="newsdesk-watch")
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopped.set()
