"""A story's page, read from the catalog: its timeline (dated developments, each a sentence quoted from an article),
its coverage by outlet and day, and who said what in it. No model: what is shown is the articles' own sentences.

A development's date is the day the text says it happened ("on Wednesday" in an article of Thursday 12 June is
11 June), else its article's publication date, and it says which; in an undated article a date the text does not
spell out in full is not known, and the development is listed apart, in no guessed order.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from ingest import Document, Statement
from ingest.index.catalog import Catalog
from ingest.index.story_tables import Member
from ingest.text.dates import mentioned_dates
from ingest.text.sentences import sentence_spans
from ingest.text.terms import stems

DatedBy = Literal["text", "published", "undated"]
LEAD_WORDS = 8  # a first "sentence" shorter than this is a heading or a dateline, not the news
DATED_PER_ARTICLE = 3  # sentences with a date of their own, besides the lead, each article adds at most
SAME_DEVELOPMENT = 0.5  # share of words two sentences of one day share to be one development told twice


@dataclass(frozen=True)
class Development:
    """A sentence of an article that tells what happened, and when: ``day`` (ISO) as the text gives it
    (``dated_by`` "text"), else the article's publication day ("published"), else None ("undated")."""

    doc_id: str
    title: str
    source: str | None
    published_at: str | None
    quote: str  # document.text[start:end], verbatim
    start: int
    end: int
    day: str | None
    dated_by: DatedBy


@dataclass(frozen=True)
class OutletCoverage:
    outlet: str
    articles: int  # copies of one article count once
    first: str | None  # the first and last day it published on the story
    last: str | None


@dataclass(frozen=True)
class StoryArticle:
    doc_id: str
    title: str
    source: str | None
    published_at: str | None
    copies: tuple[str, ...] = ()  # doc ids of the copies of this article (syndicated) in the story


@dataclass(frozen=True)
class StorySummary:
    story_id: int
    label: str  # its most representative headline
    articles: int  # copies count once
    outlets: tuple[str, ...]
    first: str | None  # the first and last publication day
    last: str | None


@dataclass(frozen=True)
class Story:
    summary: StorySummary
    articles: list[StoryArticle]  # newest first, undated last
    timeline: list[Development]  # dated, in order
    undated: list[Development]  # from articles without a date, with no date in their text: in no order
    coverage: list[OutletCoverage]  # most articles first
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # day -> outlet -> articles
    people: list[tuple[str, list[Statement]]] = field(default_factory=list)  # most statements first

    @property
    def story_id(self) -> int:
        return self.summary.story_id

    @property
    def label(self) -> str:
        return self.summary.label


def day_of(published_at: str | None) -> date | None:
    return datetime.fromisoformat(published_at).date() if published_at else None


def developments(document: Document) -> list[Development]:
    """The article's lead (its first sentence of some length) and the sentences that name a date it can place."""
    published = day_of(document.published_at)
    found: list[Development] = []
    dated = 0
    for start, end in sentence_spans(document.text):
        sentence = document.text[start:end]
        is_lead = not found and len(sentence.split()) >= LEAD_WORDS
        days = [m.day for m in mentioned_dates(sentence, published)]
        # A date after publication is what is to come, not when this happened: the sentence keeps its article's day.
        past = [d for d in days if published is None or d <= published]
        if not is_lead and (not past or dated >= DATED_PER_ARTICLE):
            continue
        dated += not is_lead
        if past:
            day, by = past[0].isoformat(), "text"
        elif published:
            day, by = published.isoformat(), "published"
        else:
            day, by = None, "undated"
        found.append(
            Development(
                document.doc_id,
                document.title,
                document.source,
                document.published_at,
                sentence,
                start,
                end,
                day,
                by,  # type: ignore[arg-type]
            )
        )
    return found


def timeline(documents: Sequence[Document]) -> tuple[list[Development], list[Development]]:
    """(the dated developments in order, the undated ones): one development told by several articles on one day is
    shown once, from the article published first."""
    ordered = sorted(documents, key=lambda d: (d.published_at is None, d.published_at or "", d.doc_id))
    kept: list[Development] = []
    words: list[set[str]] = []
    for document in ordered:
        for dev in developments(document):
            these = set(stems(dev.quote))
            if any(
                k.day == dev.day and these and len(these & w) / len(these | w) >= SAME_DEVELOPMENT
                for k, w in zip(kept, words)
            ):
                continue
            kept.append(dev)
            words.append(these)
    dated = sorted((d for d in kept if d.day), key=lambda d: (d.day, d.published_at or "", d.doc_id, d.start))
    return dated, [d for d in kept if not d.day]


def originals(members: Sequence[Member]) -> dict[str, tuple[str, ...]]:
    """Each article that is no copy, with the doc ids of its copies."""
    copies: dict[str, list[str]] = defaultdict(list)
    for m in members:
        if m.copy_of:
            copies[m.copy_of].append(m.doc_id)
    return {m.doc_id: tuple(copies.get(m.doc_id, ())) for m in members if not m.copy_of}


def summaries(catalog: Catalog, min_articles: int = 2) -> list[StorySummary]:
    """Every story of at least ``min_articles`` articles (copies counted once), latest first, undated last."""
    rows = catalog.story_rows(min_articles)
    grouped: dict[int, list] = defaultdict(list)
    labels: dict[int, str] = {}
    for sid, label_doc, doc_id, copy_of, source, published_at, title in rows:
        grouped[sid].append((doc_id, copy_of, source, published_at))
        if doc_id == label_doc:
            labels[sid] = title or doc_id
    found = []
    for sid, items in grouped.items():
        articles = sum(1 for _, copy_of, _, _ in items if not copy_of)
        if articles < min_articles:
            continue
        days = sorted(p[:10] for _, _, _, p in items if p)
        outlets = Counter(source for _, _, source, _ in items if source)
        found.append(
            StorySummary(
                sid,
                labels.get(sid, items[0][0]),
                articles,
                tuple(o for o, _ in outlets.most_common()),
                days[0] if days else None,
                days[-1] if days else None,
            )
        )
    found.sort(key=lambda s: (s.last is not None, s.last or "", s.articles), reverse=True)
    return found


def story(catalog: Catalog, story_id: int) -> Story | None:
    members = catalog.story_members(story_id)
    if not members:
        return None
    documents = {d.doc_id: d for d in (catalog.document(m.doc_id) for m in members) if d}
    kept = originals(members)
    articles = sorted(
        (
            StoryArticle(d.doc_id, d.title, d.source, d.published_at, kept[d.doc_id])
            for d in documents.values()
            if d.doc_id in kept
        ),
        key=lambda a: (a.published_at is not None, a.published_at or "", a.doc_id),
        reverse=True,
    )
    dated, undated = timeline([documents[a.doc_id] for a in articles])
    coverage, per_day = outlet_coverage([documents[m.doc_id] for m in members if m.doc_id in documents])
    label_doc = catalog.story_label(story_id)
    label = documents[label_doc].title if label_doc in documents else articles[0].title
    days = sorted(a.published_at[:10] for a in articles if a.published_at)
    summary = StorySummary(
        story_id,
        label,
        len(articles),
        tuple(c.outlet for c in coverage),
        days[0] if days else None,
        days[-1] if days else None,
    )
    return Story(summary, articles, dated, undated, coverage, per_day, people(catalog, list(kept)))


def outlet_coverage(documents: Sequence[Document]) -> tuple[list[OutletCoverage], dict[str, dict[str, int]]]:
    """Which outlets covered the story, when first and last, with how many articles (a syndicated copy an outlet
    carries is its coverage too); and articles per day by outlet."""
    by_outlet: dict[str, list[Document]] = defaultdict(list)
    for d in documents:
        by_outlet[d.source or "unknown outlet"].append(d)
    coverage = []
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    for outlet, items in by_outlet.items():
        days = sorted(d.published_at[:10] for d in items if d.published_at)
        coverage.append(OutletCoverage(outlet, len(items), days[0] if days else None, days[-1] if days else None))
        for day in days:
            per_day[day][outlet] += 1
    coverage.sort(key=lambda c: (-c.articles, c.first or "~", c.outlet))
    return coverage, {day: dict(per_day[day]) for day in sorted(per_day)}


def people(catalog: Catalog, doc_ids: Sequence[str]) -> list[tuple[str, list[Statement]]]:
    """Everyone quoted in these articles with what they said there, most statements first."""
    said: dict[str, list[Statement]] = defaultdict(list)
    for statement in catalog.statements_in(doc_ids):
        said[statement.speaker].append(statement)
    return sorted(said.items(), key=lambda item: (-len(item[1]), item[0]))
