"""Stories at ingest: each article joins the story it is closest to, or starts one, one article at a time.

A story is what several articles report on (a trial, a deal, a sacking). An article joins the story whose centroid
(the mean of its articles' vectors) is nearest, when that is close enough, weighing the names both mention and
keeping to stories whose dates are near the article's. This is online nearest-centroid clustering (a "leader"
algorithm, as in single-pass topic detection and tracking): scikit-learn's clusterers (Birch, DBSCAN, agglomerative)
either re-cluster the whole collection or, as Birch's partial_fit, cannot take an article out again; a story here
must change only by the article added or deleted, and be kept in the catalog's transactions.

A story's state is its vector sum, its article count, the names its articles mention (counted) and its date span:
adding or removing an article is a sum and a count, never a pass over the collection.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .document import Document
from .statements import Statement
from .text.lexicon import NAME_RUN, without_titles

DAY = 86_400
LEAD_CHARS = 800  # the names of the headline and the opening: who and what the article is about


@dataclass(frozen=True)
class StoryRules:
    """How close an article must be to join a story (tuned in bench/stories.py on the tune half of the labels)."""

    threshold: float = 0.5  # the least score (cosine to the centroid, plus the names' share) to join
    name_weight: float = 0.3  # the share of the article's names the story mentions counts this much
    max_gap_days: int = 60  # an article more than this many days from a story's span starts its own
    copy_cosine: float = 0.97  # an article this close to one in the story is a copy of it (syndicated)


@dataclass(frozen=True)
class Profile:
    """What assigning an article needs: its vector (mean of its chunks'), the names it mentions, its date."""

    doc_id: str
    vector: np.ndarray
    names: frozenset[str]
    published_ts: int | None


@dataclass
class StoryState:
    story_id: int
    total: np.ndarray  # sum of its articles' vectors
    n: int
    names: Counter[str] = field(default_factory=Counter)
    first_ts: int | None = None
    last_ts: int | None = None

    @property
    def centroid(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.total))
        return self.total / norm if norm else self.total


@dataclass(frozen=True)
class Placement:
    doc_id: str
    story_id: int
    copy_of: str | None  # the article in the story this one is a copy of


def names_in(document: Document, said: Sequence[Statement]) -> frozenset[str]:
    """The people, places and organisations the article names in its headline and opening, and everyone it quotes,
    as lower-case names without titles."""
    lead = f"{document.title}\n{document.text[:LEAD_CHARS]}"
    found = {without_titles(run) for run in NAME_RUN.findall(lead)}
    found |= {s.speaker for s in said}
    return frozenset(re.sub(r"\s+", " ", name).lower() for name in found if len(name) > 2)


def profile(document: Document, chunk_vectors: np.ndarray, said: Sequence[Statement], published_ts: int | None):
    mean = np.asarray(chunk_vectors, np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return Profile(document.doc_id, mean / norm if norm else mean, names_in(document, said), published_ts)


def scores(
    vector: np.ndarray,
    names: frozenset[str],
    ts: int | None,
    centroids: np.ndarray,
    names_of: Callable[[int], Counter[str]],
    spans: np.ndarray,
    rules: StoryRules,
    shortlist: int = 20,
) -> tuple[np.ndarray, np.ndarray]:
    """The stories an article may join and their scores, best first: cosine to the story's centroid, plus
    ``name_weight`` times the share of the article's names the story mentions, for the ``shortlist`` stories nearest
    by cosine whose dates are near the article's. ``spans``: each story's first and last timestamp, NaN if undated."""
    if not len(centroids):
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    cosine = centroids @ vector
    if ts is not None:
        gap = np.maximum(spans[:, 0] - ts, ts - spans[:, 1]) / DAY
        cosine = np.where(np.nan_to_num(gap, nan=0.0) > rules.max_gap_days, -np.inf, cosine)
    top = np.argpartition(-cosine, min(shortlist, len(cosine) - 1))[:shortlist]
    result = cosine[top].astype(np.float32)
    if names and rules.name_weight:
        result += rules.name_weight * np.array(
            [sum(1 for n in names if n in names_of(int(i))) / len(names) for i in top], np.float32
        )
    order = np.argsort(-result)
    return top[order], result[order]


class StoryBook:
    """The stories articles may join, held in memory (centroids as one matrix) while articles are placed, with the
    ids of the stories that changed."""

    def __init__(self, stories: Sequence[StoryState], next_id: int, rules: StoryRules, dimension: int):
        self.stories = list(stories)
        self.next_id = next_id
        self.rules = rules
        self.changed: set[int] = set()
        self.rows = {s.story_id: row for row, s in enumerate(self.stories)}
        self.centroids = np.zeros((max(16, len(stories) * 2), dimension), np.float32)
        self.spans = np.full((len(self.centroids), 2), np.nan)
        for row, story in enumerate(self.stories):
            self._refresh(row, story)

    def _refresh(self, row: int, story: StoryState) -> None:
        if row >= len(self.centroids):  # room doubles, so that adding a story is amortised O(1)
            self.centroids = np.vstack([self.centroids, np.zeros_like(self.centroids)])
            self.spans = np.vstack([self.spans, np.full_like(self.spans, np.nan)])
        self.centroids[row] = story.centroid
        self.spans[row] = (
            np.nan if story.first_ts is None else story.first_ts,
            np.nan if story.last_ts is None else story.last_ts,
        )

    def place(self, article: Profile, members: dict[int, list[tuple[str, np.ndarray]]], row: int | None) -> Placement:
        """Joins the article to the story at ``row`` (``best``), or starts one if None. ``members``: the vectors of
        the articles of the story chosen (by story id), to find whether it is a copy of one of them."""
        if row is None:
            row = len(self.stories)
            self.stories.append(StoryState(self.next_id, np.zeros_like(article.vector), 0))
            self.rows[self.next_id] = row
            self.next_id += 1
        chosen = self.stories[row]
        copy_of = next(
            (
                doc_id
                for doc_id, vector in members.get(chosen.story_id, [])
                if float(vector @ article.vector) >= self.rules.copy_cosine
            ),
            None,
        )
        chosen.total = chosen.total + article.vector
        chosen.n += 1
        chosen.names.update(article.names)
        if article.published_ts is not None:
            chosen.first_ts = min(chosen.first_ts or article.published_ts, article.published_ts)
            chosen.last_ts = max(chosen.last_ts or article.published_ts, article.published_ts)
        self._refresh(row, chosen)
        self.changed.add(chosen.story_id)
        members.setdefault(chosen.story_id, []).append((article.doc_id, article.vector))
        return Placement(article.doc_id, chosen.story_id, copy_of)

    def centroid_of(self, story_id: int) -> np.ndarray:
        return self.centroids[self.rows[story_id]]

    def best(self, article: Profile) -> int | None:
        """The row of the story the article joins, or None for a story of its own."""
        k = len(self.stories)
        rows, ranked = scores(
            article.vector,
            article.names,
            article.published_ts,
            self.centroids[:k],
            lambda i: self.stories[i].names,
            self.spans[:k],
            self.rules,
        )
        return int(rows[0]) if len(rows) and ranked[0] >= self.rules.threshold else None
