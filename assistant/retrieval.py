"""Question to ranked passages: dense and BM25 search fused by reciprocal rank, then made diverse."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ingest import Filters, Index
from ingest.terms import content_words

from .types import Passage

RRF_K = 60  # the constant from Cormack et al. (2009); damps the head of each ranking
NEAR_DUPLICATE = 0.8  # share of words two passages may have in common before one is dropped


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return dict(sorted(scores.items(), key=lambda pair: pair[1], reverse=True))


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
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


class HybridSearch:
    def __init__(self, index: Index, candidates: int, max_per_document: int):
        self.index = index
        self.candidates = candidates
        self.max_per_document = max_per_document

    def __call__(self, query: str, k: int, filters: Filters | None = None) -> list[Passage]:
        dense = self.index.dense_search(self.index.embedder.embed_one(query), self.candidates, filters)
        lexical = self.index.lexical_search(query, self.candidates, filters)
        fused = reciprocal_rank_fusion([[cid for cid, _ in dense], [cid for cid, _ in lexical]])
        chunks = self.index.chunks(list(fused))
        documents = self.index.catalog.metadata(c.doc_id for c in chunks.values())
        similarities = dict(dense)
        ranked = []
        for cid, score in fused.items():
            chunk = chunks.get(cid)
            document = documents.get(chunk.doc_id) if chunk else None
            if document is None:  # a vector whose catalog entry is gone: never show it
                continue
            ranked.append(
                Passage(
                    chunk_id=cid,
                    doc_id=chunk.doc_id,
                    title=document.title,
                    source=document.source,
                    published_at=document.published_at,
                    url=document.url,
                    author=document.author,
                    text=chunk.text,
                    start=chunk.start,
                    end=chunk.end,
                    score=score,
                    similarity=similarities.get(cid, 0.0),
                )
            )
        return diversify(ranked, k, self.max_per_document)


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
