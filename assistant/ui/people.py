"""Who said what: a person's statements across the articles, verbatim, newest first, each opening the reader at its
sentence."""

from __future__ import annotations

from html import escape

from ingest import Document, Statement

from .render import byline, reader_link


def speaker_choices(speakers: list[tuple[str, int]]) -> list[tuple[str, str]]:
    """'Howard Lutnick (4)' shown, the name chosen."""
    return [(f"{name} ({n})", name) for name, n in speakers]


def statements_html(asked: str, statements: list[Statement], documents: dict[str, Document]) -> str:
    if not asked.strip():
        return '<p class="people-empty">Pick or type a name to see everything the articles quote them saying.</p>'
    if not statements:
        return (
            f'<p class="people-empty">The articles quote no one called “{escape(asked)}”. '
            "Pick a name from the list, or try a surname.</p>"
        )
    articles = len({s.doc_id for s in statements})
    items = []
    for s in statements:
        d = documents.get(s.doc_id)
        about = byline(d.source, d.published_at) if d else ""
        title = escape(d.title) if d and d.title else escape(s.doc_id)
        inner = (
            f'<blockquote class="said">{escape(s.text)}</blockquote>'
            f'<span class="meta"><b>{escape(s.speaker)}</b>{f" · {about}" if about else ""} · {title}</span>'
        )
        items.append(f'<li class="statement">{reader_link(inner, s.doc_id, s.start, s.end, "source")}</li>')
    return (
        f'<p class="people-count">{len(statements)} statement{"s" * (len(statements) != 1)} in {articles} '
        f'article{"s" * (articles != 1)}, newest first.</p><ol class="statements">{"".join(items)}</ol>'
    )
