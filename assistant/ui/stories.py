"""A story's page: its timeline (each development a quoted sentence opening the reader at it), its coverage (outlets,
and a chart of articles per day by outlet) and who said what in it. Pure functions of a ``Story``: everything from
an article is escaped here."""

from __future__ import annotations

from html import escape

from ..stories import Development, Story, StorySummary
from .render import reader_link

DATED_BY = {"text": "the day the article says", "published": "the day it was published"}


def span_text(first: str | None, last: str | None) -> str:
    if not first:
        return "undated"
    return first if first == last else f"{first} to {last}"


def story_choices(stories: list[StorySummary]) -> list[tuple[str, int]]:
    """'Label · 3 articles · 2023-10-01 to 2023-10-31' shown, the story id chosen."""
    return [(f"{s.label} · {s.articles} articles · {span_text(s.first, s.last)}", s.story_id) for s in stories]


def quoted(text: str) -> str:
    return f'<blockquote class="said">{escape(text)}</blockquote>'


def development_html(d: Development) -> str:
    when = (
        f'<time datetime="{escape(d.day)}" title="Dated by {DATED_BY[d.dated_by]}">{escape(d.day)}</time>'
        f'<span class="dated-by">{"" if d.dated_by == "text" else " published"}</span>'
        if d.day
        else '<span class="dated-by">undated</span>'
    )
    inner = (
        quoted(d.quote)
        + f'<span class="meta">{escape(d.source or "unknown outlet")} · {escape(d.title or d.doc_id)}</span>'
    )
    return (
        f'<li class="development" data-dated-by="{d.dated_by}"><div class="when">{when}</div>'
        f"{reader_link(inner, d.doc_id, d.start, d.end, 'source')}</li>"
    )


def coverage_html(story: Story) -> str:
    """The outlets, and a bar per day of its articles, one colour per outlet."""
    outlets = [c.outlet for c in story.coverage]
    colour = {o: f"hsl({(i * 137) % 360} 65% 50%)" for i, o in enumerate(outlets)}
    rows = "".join(
        f'<tr><td><span class="swatch" style="background:{colour[c.outlet]}"></span>{escape(c.outlet)}</td>'
        f"<td>{c.articles}</td><td>{escape(c.first or '–')}</td><td>{escape(c.last or '–')}</td></tr>"
        for c in story.coverage
    )
    table = (
        '<table class="coverage"><thead><tr><th>Outlet</th><th>Articles</th><th>First</th><th>Last</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    if not story.per_day:
        return table + '<p class="people-empty">No article in this story carries a date: no chart by day.</p>'
    most = max(sum(counts.values()) for counts in story.per_day.values())
    bars = []
    for day, counts in story.per_day.items():
        pieces = "".join(
            f'<span class="bar-piece" style="width:{100 * n / most:.1f}%;background:{colour[o]}" '
            f'title="{escape(o)}: {n}"></span>'
            for o, n in counts.items()
        )
        total = sum(counts.values())
        bars.append(
            f'<div class="day" role="listitem" aria-label="{escape(day)}: {total} article{"s" * (total != 1)}">'
            f'<span class="day-label">{escape(day)}</span><span class="bar">{pieces}</span>'
            f'<span class="day-count">{total}</span></div>'
        )
    return table + f'<div class="per-day" role="list" aria-label="Articles per day by outlet">{"".join(bars)}</div>'


def people_html(story: Story) -> str:
    if not story.people:
        return '<p class="people-empty">No one is quoted in this story.</p>'
    items = []
    for speaker, said in story.people:
        quotes = "".join(
            f'<li class="statement">{reader_link(quoted(s.text), s.doc_id, s.start, s.end, "source")}</li>'
            for s in said
        )
        items.append(
            f'<details class="person"><summary><b>{escape(speaker)}</b> · {len(said)} statement'
            f'{"s" * (len(said) != 1)}</summary><ol class="statements">{quotes}</ol></details>'
        )
    return f'<div class="people">{"".join(items)}</div>'


def story_html(story: Story | None) -> str:
    if story is None:
        return '<p class="people-empty">Pick a story to see its timeline, its coverage and who said what in it.</p>'
    s = story.summary
    about = (
        f"{s.articles} article{'s' * (s.articles != 1)} · {len(story.coverage)} outlet"
        f"{'s' * (len(story.coverage) != 1)} · {span_text(s.first, s.last)}"
    )
    timeline = "".join(development_html(d) for d in story.timeline)
    undated = ""
    if story.undated:
        undated = (
            '<h4>Undated</h4><p class="people-empty">These articles carry no publication date and their text gives '
            "no full date, so they are shown in no particular order.</p>"
            f'<ol class="timeline undated">{"".join(development_html(d) for d in story.undated)}</ol>'
        )
    return (
        f'<article class="story" data-story="{s.story_id}"><h2>{escape(s.label)}</h2><p class="people-count">{about}</p>'
        f"<h3>Timeline</h3>"
        + (f'<ol class="timeline">{timeline}</ol>' if timeline else "")
        + undated
        + f"<h3>Coverage</h3>{coverage_html(story)}<h3>Who said what</h3>{people_html(story)}</article>"
    )
