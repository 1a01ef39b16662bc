"""Question to ranked passages: dense and BM25 search fused by reciprocal rank, steered by the outlets and
dates the question names, then made diverse."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ingest import Filters, Index
from ingest.terms import content_words, stems

from .question_hints import MentionedDate, QuestionHints, question_hints
from .types import Passage

RRF_K = 60  # the constant from Cormack et al. (2009); damps the head of each ranking
# News questions name people, outlets and events: exact words find them better than MiniLM's vectors, so BM25
# counts double (measured on MultiHop-RAG: Hits@4 0.850 vs 0.841 for equal weights, MRR@10 0.942 vs 0.913).
DENSE_WEIGHT, LEXICAL_WEIGHT = 0.5, 1.0
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
        return bool(published) and any(d.matches(datetime.fromisoformat(published).date()) for d in dates)

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


def same_filters(searches: list[tuple[str, Filters]]) -> list[tuple[Filters, list[int]]]:
    """The positions of the searches grouped by their filters, in order of first appearance."""
    groups: list[tuple[Filters, list[int]]] = []
    for i, (_, filters) in enumerate(searches):
        group = next((members for known, members in groups if known == filters), None)
        if group is None:
            groups.append((filters, [i]))
        else:
            group.append(i)
    return groups


def overlap(a: set[str], b: set[str]) -> float:
    """Jaccard: articles written from one template (two game guides) share most of the smaller one's words,
    but only copies share most of both."""
    return len(a & b) / len(a | b) if a and b else 0.0


class HybridSearch:
    def __init__(self, index: Index, candidates: int, max_per_document: int):
        self.index = index
        self.candidates = candidates
        self.max_per_document = max_per_document
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="lexical-search")

    def __call__(self, query: str, k: int, filters: Filters | None = None) -> list[Passage]:
        filters = filters or Filters()
        catalog = self.index.catalog
        hints = QuestionHints() if filters.sources else question_hints(query, catalog.sources(), catalog.speaker_keys())
        # The whole question, then each of its parts, then the whole question in each outlet it names.
        searches = [(query, filters)]
        searches += [(part.text, replace(filters, source=part.outlets or None)) for part in hints.parts]
        searches += [(query, replace(filters, source=outlet)) for outlet in hints.outlets]
        # BM25 needs no vectors: it runs while the question is embedded (which lets go of the GIL).
        lexical = self.pool.submit(self.lexical, searches)
        dense = self.dense(query, searches)
        similarities = {cid: cosine for ranking in dense for cid, cosine in ranking}
        fused = [
            reciprocal_rank_fusion([[cid for cid, _ in d], [cid for cid, _ in l]], [DENSE_WEIGHT, LEXICAL_WEIGHT])
            for d, l in zip(dense, lexical.result())
        ]
        scores: dict[str, float] = {}
        for ranking in fused:
            for cid, score in ranking.items():
                scores[cid] = max(score, scores.get(cid, 0.0))
        passages = self.passages(scores, similarities)
        rankings = [[cid for cid in ranking if cid in passages] for ranking in fused]
        if hints.speakers:  # what the people it names said comes first
            rankings.insert(0, [cid for cid in self.said(query, hints.speakers, filters) if cid in passages])
        # A question naming outlets is answered from them first: within each ranking (the unfiltered ones would
        # otherwise spend their turns on other outlets), and overall.
        named = {source for group in hints.outlets for source in group}
        rankings = [named_first(ranking, passages, named) for ranking in rankings]
        if hints.dates:
            rankings = [dated_first(ranking, passages, hints.dates) for ranking in rankings]
        order = named_first(interleave(rankings, {cid: p.doc_id for cid, p in passages.items()}), passages, named)
        return diversify([passages[cid] for cid in order], k, self.max_per_document)

    def lexical(self, searches: list[tuple[str, Filters]]) -> list[list[tuple[str, float]]]:
        return [self.index.lexical_search(text, self.candidates, filters) for text, filters in searches]

    def dense(self, query: str, searches: list[tuple[str, Filters]]) -> list[list[tuple[str, float]]]:
        """The whole question's vector ranked under each search's filters. A part of the question ranks no better
        with a vector of its own (MultiHop-RAG: Hits@4 0.847 against 0.844), and embedding it cost more than all
        the rest of a search."""
        [vector] = self.index.embedder.embed([query])
        groups = same_filters(searches)
        found = self.index.dense_search(vector, self.candidates, [filters for filters, _ in groups])
        rankings: list[list[tuple[str, float]]] = [[] for _ in searches]
        for (_, members), ranking in zip(groups, found):
            for i in members:
                rankings[i] = ranking
        return rankings

    def said(self, query: str, speakers: list[str], filters: Filters) -> list[str]:
        """Chunks holding the speakers' statements, those sharing most words with the question first."""
        words = set(stems(query)) - set(speakers)
        found = self.index.catalog.statements(speakers, filters)
        ranked = sorted(found, key=lambda pair: (len(words & set(stems(pair[0].text))), pair[0].quoted), reverse=True)
        return list(dict.fromkeys(cid for _, cid in ranked))

    def passages(self, scores: dict[str, float], similarities: dict[str, float]) -> dict[str, Passage]:
        """Joins chunk ids with the catalog; a vector whose catalog entry is gone is never shown."""
        chunks = self.index.chunks(list(scores))
        documents = self.index.catalog.metadata(c.doc_id for c in chunks.values())
        return {
            cid: Passage.of(document, cid, chunk.text, chunk.start, chunk.end, scores[cid], similarities.get(cid, 0.0))
            for cid, chunk in chunks.items()
            if (document := documents.get(chunk.doc_id)) is not None
        }


class NewsRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever, so it composes into chains like any other."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: HybridSearch
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [
            LCDocument(page_content=p.text, metadata={k: v for k, v in vars(p).items() if k != "text"}, id=p.chunk_id)
            for p in self.search(query, self.k, self.filters)
        ]


def passages_from(documents: list[LCDocument]) -> list[Passage]:
    return [Passage(text=d.page_content, **d.metadata) for d in documents]
