"""Rankings into one: reciprocal rank fusion, turns between rankings, the outlets and dates a question names first,
and diversity (a cap per article, no syndicated copies)."""

from __future__ import annotations

from datetime import datetime

from ingest.text.terms import content_words

from ..question import MentionedDate
from ..types import Passage

RRF_K = 60  # the constant from Cormack et al. (2009); damps the head of each ranking
NEAR_DUPLICATE = 0.8  # Jaccard overlap of two passages' words at which one is a copy of the other


def reciprocal_rank_fusion(
    rankings: list[list[str]], weights: list[float] | None = None, k: int = RRF_K
) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank + 1)
    return dict(sorted(scores.items(), key=lambda pair: pair[1], reverse=True))


def interleave(rankings: list[list[str]], article: dict[str, str]) -> list[str]:
    """Takes turns between rankings, so each part of the question and each named outlet gets its best
    passage near the top; a second passage from an article already taken waits until every ranking is done."""
    first: dict[str, None] = {}
    later: dict[str, None] = {}
    seen: set[str] = set()
    for depth in range(max((len(r) for r in rankings), default=0)):
        for ranking in rankings:
            if depth < len(ranking):
                item = ranking[depth]
                (later if article[item] in seen else first).setdefault(item)
                seen.add(article[item])
    return list(first) + [item for item in later if item not in first]


def dated_first(ranking: list[str], passages: dict[str, Passage], dates: list[MentionedDate]) -> list[str]:
    """Within one ranking, passages from articles published on a date the question names move to the front."""

    def on_a_named_date(chunk_id: str) -> bool:
        published = passages[chunk_id].published_at
        return published is not None and any(d.matches(datetime.fromisoformat(published).date()) for d in dates)

    return sorted(ranking, key=lambda cid: not on_a_named_date(cid))


def named_first(ranking: list[str], passages: dict[str, Passage], outlets: set[str]) -> list[str]:
    """Passages from the outlets a question names move to the front, keeping their order; no outlets, no change."""
    return sorted(ranking, key=lambda cid: passages[cid].source not in outlets) if outlets else ranking


def diversify(passages: list[Passage], k: int, max_per_document: int) -> list[Passage]:
    """Keeps the ranking but caps passages per article and drops near-copies (syndicated stories)."""
    kept: list[Passage] = []
    kept_words: list[set[str]] = []
    per_document: dict[str, int] = {}
    for passage in passages:
        if per_document.get(passage.doc_id, 0) >= max_per_document:
            continue
        words = set(content_words(passage.text))
        if any(overlap(words, other) >= NEAR_DUPLICATE for other in kept_words):
            continue
        kept.append(passage)
        kept_words.append(words)
        per_document[passage.doc_id] = per_document.get(passage.doc_id, 0) + 1
        if len(kept) == k:
            break
    return kept


def overlap(a: set[str], b: set[str]) -> float:
    """Jaccard: articles written from one template (two game guides) share most of the smaller one's words,
    but only copies share most of both."""
    return len(a & b) / len(a | b) if a and b else 0.0
