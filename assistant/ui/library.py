"""The library view: the indexed articles as a table the page can search, sort and select in, and what became of
each uploaded file."""

from __future__ import annotations

from html import escape
from pathlib import Path

from ingest import Document, IngestReport
from ingest.subscriptions import FOLDER, Subscription

from .render import reader_link

UPLOAD_TYPES = [".txt", ".md", ".html", ".jsonl"]
COLUMNS = [("title", "Title"), ("outlet", "Outlet"), ("author", "Author"), ("date", "Date"), ("chunks", "Chunks")]


def library_html(entries: list[tuple[Document, int]]) -> str:
    """One row an article; its data-* keys are what the page sorts and searches on."""
    if not entries:
        return '<p class="library-empty">No articles yet: add some above.</p>'
    head = "".join(
        f'<th scope="col"><button type="button" class="sort" data-key="{key}">{label}</button></th>'
        for key, label in COLUMNS
    )
    rows = []
    for d, chunks in entries:
        date = (d.published_at or "")[:10]
        searched = " ".join(x for x in (d.title, d.source, d.author, d.doc_id) if x).lower()
        title = reader_link(escape(d.title or d.doc_id), d.doc_id, None, None, "title")
        rows.append(
            f'<tr data-title="{escape(d.title.lower())}" data-outlet="{escape((d.source or "").lower())}" '
            f'data-author="{escape((d.author or "").lower())}" data-date="{escape(date)}" data-chunks="{chunks}" '
            f'data-search="{escape(searched)}">'
            f'<td><input type="checkbox" class="pick" value="{escape(d.doc_id)}" '
            f'aria-label="Select {escape(d.title or d.doc_id)}"></td>'
            f'<td>{title}<small class="doc-id">{escape(d.doc_id)}</small></td>'
            f"<td>{escape(d.source or '')}</td><td>{escape(d.author or '')}</td><td>{escape(date)}</td>"
            f'<td class="num">{chunks}</td></tr>'
        )
    return (
        '<table class="library-table"><thead><tr><th scope="col">'
        '<input type="checkbox" class="pick-all" aria-label="Select all shown"></th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def dates_html(entries: list[tuple[Document, int]]) -> str:
    """The dates the library's articles span, beside the date filters."""
    days = sorted(d.published_at[:10] for d, _ in entries if d.published_at)
    if not days:
        return '<p class="dates">None of the articles in the library has a date, so a date filter matches none.</p>'
    undated = len(entries) - len(days)
    rest = f"; {undated} undated, which no date filter matches" if undated else ""
    return f'<p class="dates">The articles are dated {days[0]} to {days[-1]}{rest}.</p>'


def file_outcome(name: str, report: IngestReport) -> str:
    done = [
        f"{len(ids)} {what}"
        for ids, what in ((report.added, "added"), (report.updated, "updated"), (report.unchanged, "unchanged"))
        if ids
    ]
    problems = "".join(
        f"<li>{f'line {p.line}: ' if p.line is not None else ''}"
        f"{f'{escape(p.path)}: ' if p.path != name and p.line is None else ''}{escape(p.message)}</li>"
        for p in report.problems
    )
    return (
        f'<li class="file{" has-problems" if report.problems else ""}"><b>{escape(name)}</b>: '
        f"{escape(', '.join(done) or 'nothing added')}"
        + (f'<ul class="problems">{problems}</ul>' if problems else "")
        + "</li>"
    )


def ingest_report_html(reports: list[tuple[str, IngestReport]]) -> str:
    """What became of each uploaded file: how many articles it added, updated or left, and each problem with its
    line."""
    added = sum(len(r.added) + len(r.updated) for _, r in reports)
    chunks = sum(r.chunks for _, r in reports)
    troubled = sum(1 for _, r in reports if r.problems)
    summary = f"{added} article{'s' * (added != 1)} added or updated ({chunks} chunks)"
    if troubled:
        summary += f"; {troubled} file{'s' * (troubled != 1)} with problems"
    files = "".join(file_outcome(name, report) for name, report in reports)
    return f'<div class="ingest-report"><p>{summary}.</p><ul>{files}</ul></div>'


def deleted_html(deleted: list[str], missing: list[str]) -> str:
    text = f"Deleted {len(deleted)} article{'s' * (len(deleted) != 1)}."
    if missing:
        text += " Already gone: " + ", ".join(missing) + "."
    return f'<div class="ingest-report"><p>{escape(text)}</p></div>'


def shown_name(path: str) -> str:
    """The name the person uploaded, not the server's temporary path."""
    return Path(path).name


def sources_html(sources: list[Subscription]) -> str:
    """The sources followed: when each was last read, what that brought and its last error."""
    if not sources:
        return (
            '<p class="sources-empty">No sources followed. Add a feed or page URL above, or a folder with '
            "<code>newsdesk sources add FOLDER</code>.</p>"
        )
    rows = []
    for s in sources:
        kind = "Folder" if s.kind == FOLDER else "Feed or page"
        read = escape((s.last_read or "").replace("T", " ")[:16]) or "not read yet"
        error = (
            '<ul class="problems">'
            + "".join(f"<li>{escape(line)}</li>" for line in s.last_error.splitlines())
            + "</ul>"
            if s.last_error
            else ""
        )
        rows.append(
            f'<tr class="source{" has-problems" if s.last_error else ""}" data-location="{escape(s.location)}">'
            f'<td><span class="location">{escape(s.location)}</span>{error}</td><td>{kind}</td>'
            f"<td>{read}</td><td>{escape(s.brought or '')}</td></tr>"
        )
    return (
        '<table class="sources-table"><thead><tr><th scope="col">Source</th><th scope="col">Kind</th>'
        '<th scope="col">Last read</th><th scope="col">Brought</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
