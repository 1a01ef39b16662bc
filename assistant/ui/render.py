"""HTML made from typed data, in one place: everything that comes from an article or a person is escaped here, and
only http(s) URLs ever become links. Pure functions, so that tests need no browser to check them."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlencode, urlsplit

from ..types import Citation, Passage, Refusal
from .conversation import Phase, Turn

CITE = re.compile(r"\[(\d+)\]")
WHY = {
    Refusal.NOTHING_FOUND: "No article in the library is about this.",
    Refusal.NOT_STATED: "Articles about this were found, but none of them says it.",
    Refusal.NO_MATCHING_ARTICLES: "No articles match these filters: widen or clear them and ask again.",
    Refusal.NOT_QUOTED: "They are quoted in the articles, but not on this.",
}


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) with a host; anything else (javascript:, data:, relative) never becomes a link."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def reader_href(doc_id: str, start: int | None = None, end: int | None = None) -> str:
    """The reader's page for an article, scrolled to the span ``start:end`` marked; relative, so that the app
    works under any path prefix."""
    query = {"doc": doc_id} | ({"start": start, "end": end} if start is not None and end is not None else {})
    return "read?" + urlencode(query) + ("#cited" if "start" in query else "")


def reader_link(inner: str, doc_id: str, start: int | None, end: int | None, css: str, title: str = "") -> str:
    """A link that opens the reader beside the page (``data-reader``), or on its own page without scripts."""
    about = f' title="{escape(title)}"' if title else ""
    return f'<a class="{css}" data-reader href="{escape(reader_href(doc_id, start, end))}"{about}>{inner}</a>'


def byline(*parts: str | None) -> str:
    """'Reuters · 2025-06-11': the parts that are there, dates cut to the day."""
    shown = [p[:10] if re.match(r"\d{4}-\d{2}-\d{2}T", p) else p for p in parts if p]
    return escape(" · ".join(shown))


def shortened(text: str, chars: int) -> str:
    if len(text) <= chars:
        return text
    return text[:chars].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def repeats(title: str, text: str) -> bool:
    """A title made from the article's first sentence says nothing the quoted sentence does not."""
    head = title.rstrip("…").strip().lower()
    return not head or text.strip().lower().startswith(head)


def answer_html(text: str, citations: list[Citation]) -> str:
    """The answer's lines as paragraphs and quotation blocks, each ``[n]`` a link to its sentence in the reader."""
    by_n = {c.n: c for c in citations}

    def cite(match: re.Match) -> str:
        c = by_n.get(int(match.group(1)))
        if c is None:
            return match.group(0)
        return reader_link(f"[{c.n}]", c.doc_id, c.start, c.end, "cite", f"{c.title}: {c.quote}")

    blocks: list[str] = []
    quoted: list[str] = []
    for line in text.split("\n"):
        if line.startswith("> "):
            quoted.append(f"<p>{CITE.sub(cite, escape(line[2:]))}</p>")
            continue
        if quoted:
            blocks.append(f"<blockquote>{''.join(quoted)}</blockquote>")
            quoted = []
        if line.strip():
            blocks.append(f"<p>{CITE.sub(cite, escape(line))}</p>")
    if quoted:
        blocks.append(f"<blockquote>{''.join(quoted)}</blockquote>")
    return "".join(blocks)


def citation_card(c: Citation) -> str:
    title = "" if repeats(c.title, c.quote) else f'<span class="card-title">{escape(c.title)}</span>'
    meta = byline(c.source, c.published_at)
    inner = (
        f'<span class="n">[{c.n}]</span>{title}'
        + (f'<span class="meta">{meta}</span>' if meta else "")
        + f'<q class="quote">{escape(c.quote)}</q>'
    )
    return f'<li class="card">{reader_link(inner, c.doc_id, c.start, c.end, "source")}</li>'


def passage_card(p: Passage) -> str:
    snippet = shortened(p.text, 260)
    title = "" if repeats(p.title, snippet) else f'<span class="card-title">{escape(p.title)}</span>'
    meta = byline(p.source, p.published_at)
    inner = (
        title + (f'<span class="meta">{meta}</span>' if meta else "") + f'<span class="quote">{escape(snippet)}</span>'
    )
    return f'<li class="card">{reader_link(inner, p.doc_id, p.start, p.end, "source")}</li>'


def note_html(problem: str) -> str:
    """A problem with what was entered, said in a line beside it."""
    return f'<p class="note" role="alert">{escape(problem)}</p>' if problem else ""


def status_html(turn: Turn) -> str:
    if turn.phase is Phase.WAITING:
        return f'<p class="status busy">{escape(turn.note or "Waiting for the model…")}</p>'
    if turn.phase is Phase.ANSWERING:
        found = len(turn.passages)
        doing = "Writing the answer…" if turn.text else f"Reading {found} passage{'s' * (found != 1)}…"
        return f'<p class="status busy">{doing}</p>'
    if turn.phase is Phase.STOPPED:
        return f'<p class="status">Stopped. {escape(turn.note)}</p>'
    if turn.phase is Phase.FAILED:
        return f'<p class="status failed">Something went wrong: {escape(turn.note)}</p>'
    return ""


def turn_html(turn: Turn, i: int, last: bool = False) -> str:
    asked_with = [f"Follow-up to “{escape(shortened(turn.follows, 80))}”"] if turn.follows else []
    asked_with += [escape(turn.filters)] if turn.filters else []
    question = f'<div class="question"><p class="asked">{escape(turn.question)}</p>' + (
        f'<p class="asked-with">{" · ".join(asked_with)}</p></div>' if asked_with else "</div>"
    )
    parts = [f'<div class="answer-text">{answer_html(turn.text, turn.citations)}</div>', status_html(turn)]
    if turn.refusal:
        parts.append(f'<p class="why"><b>Not answered.</b> {WHY[turn.refusal]}</p>')
    if turn.citations:
        parts.append(f'<ol class="sources" aria-label="Sources">{"".join(map(citation_card, turn.citations))}</ol>')
    if turn.passages and not turn.citations:
        found = len(turn.passages)
        heading = "Reading" if turn.live else "Closest evidence"
        parts.append(
            f'<details class="evidence"{" open" if turn.live else ""}><summary>{heading}: {found} passage'
            f"{'s' * (found != 1)}</summary><ol>{''.join(map(passage_card, turn.passages))}</ol></details>"
        )
    if turn.text and not turn.live:
        follow = '<button type="button" class="follow-up">Follow up</button>' if last else ""
        parts.append(
            f'<div class="actions"><button type="button" class="copy" data-markdown="{escape(turn.markdown)}">'
            f"Copy as Markdown</button>{follow}</div>"
        )
    return (
        f'<section class="turn" id="turn-{i}" data-phase="{turn.phase}">{question}'
        f'<div class="answer">{"".join(parts)}</div></section>'
    )


def conversation_html(turns: list[Turn]) -> str:
    return "".join(turn_html(turn, i, i == len(turns) - 1) for i, turn in enumerate(turns))


def empty_html(articles: int) -> str:
    """What a new chat shows: what to do first."""
    if not articles:
        return (
            '<div class="empty"><h2>The library is empty</h2>'
            "<p>Add articles in the <b>Library</b> tab (.txt, .md, .html or .jsonl), then ask about them here.</p></div>"
        )
    return (
        f'<div class="empty"><h2>Ask about {articles} article{"s" * (articles != 1)}</h2>'
        "<p>Every claim in an answer links to the sentence it came from: click a <b>[1]</b> to read it in its "
        "article. Ask what someone said, who did what, or when; narrow the articles with the filters below.</p></div>"
    )
