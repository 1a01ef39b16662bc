"""Question to checked Answer: retrieve, prompt, generate (streamed), then check every citation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from ingest import Embedder, Filters
from ingest.catalog import Catalog

from .citations import REFUSAL_TEXT, check_answer
from .evidence import Source, select_evidence, whole_documents
from .prompt import PROMPT, format_question, format_sources
from .retrieval import HybridSearch, NewsRetriever, passages_from
from .types import Answer, Passage

Message = dict  # {"role": "user" | "assistant", "content": str}, as chat UIs and OpenAI keep history


class SentenceSimilarity:
    """Cosine between a claim and source sentences, embedding each text once per answer."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}

    def __call__(self, claim: str, sentences: list[str]) -> list[float]:
        missing = [t for t in dict.fromkeys([claim, *sentences]) if t not in self.vectors]
        self.vectors.update(zip(missing, self.embedder.embed(missing)))
        return [float(self.vectors[s] @ self.vectors[claim]) for s in sentences]


@dataclass(frozen=True)
class CachedCollection:
    """A collection small enough to be every question's sources, and the document versions it was made of."""

    sources: list[Source]
    versions: dict[str, str]


def earlier_question(history: Sequence[Message] | None) -> str | None:
    for message in reversed(history or []):
        if message.get("role") == "user" and str(message.get("content", "")).strip():
            return str(message["content"]).strip()
    return None


class Answerer:
    def __init__(
        self,
        search: HybridSearch,
        llm: BaseChatModel,
        embedder: Embedder,
        top_k: int,
        min_relevance: float,
        evidence_chars: int,
        collection_chars: int,
    ):
        self.search = search
        self.embedder = embedder
        self.top_k = top_k
        self.min_relevance = min_relevance
        self.evidence_chars = evidence_chars
        self.collection_chars = collection_chars
        self.collection: CachedCollection | None = None  # set by warm_up
        self.llm = llm
        self.generate = PROMPT | llm | StrOutputParser()

    def stream(
        self, question: str, history: Sequence[Message] | None = None, filters: Filters | None = None
    ) -> Iterator[list[Passage] | str | Answer]:
        """Yields the passages found, then text as the model writes it, then the checked Answer."""
        answer = self.retrieve(question, history, filters)
        yield answer.passages
        if not (evidence := self.evidence(answer, filters)):
            yield answer
            return
        sources, similarity = evidence
        prompt = {"sources": format_sources(sources), "question": format_question(question, earlier_question(history))}
        raw: list[str] = []
        for delta in self.generate.stream(prompt):
            raw.append(delta)
            yield delta
        yield self.checked(answer, "".join(raw), sources, similarity)

    def recheck(
        self, question: str, raw: str, history: Sequence[Message] | None = None, filters: Filters | None = None
    ) -> Answer:
        """The Answer a model's text ``raw`` for ``question`` becomes, without generating: the same retrieval and
        checks as ``stream``, so checks can be tuned on stored answers in minutes."""
        answer = self.retrieve(question, history, filters)
        evidence = self.evidence(answer, filters)
        return self.checked(answer, raw, *evidence) if evidence else answer

    def retrieve(self, question: str, history: Sequence[Message] | None, filters: Filters | None) -> Answer:
        """An empty Answer holding the passages found."""
        earlier = earlier_question(history)
        # A follow-up ("and what did China offer?") is searched with the question it follows, so its entities stay.
        query = f"{earlier}\n{question}" if earlier else question
        retriever = NewsRetriever(search=self.search, k=self.top_k, filters=filters)
        passages = passages_from(retriever.invoke(query))
        return Answer(question=question, text="", passages=passages, standalone_question=query if earlier else None)

    def evidence(self, answer: Answer, filters: Filters | None) -> tuple[list[Source], SentenceSimilarity] | None:
        """The sources to show the model; None, with the answer made a refusal, when no passage is about the question."""
        if not self.relevant(answer.passages):
            answer.text, answer.refused = REFUSAL_TEXT, True
            return None
        similarity = SentenceSimilarity(self.embedder)
        if self.collection and filters in (None, Filters()) and self.collection.versions == self.catalog.hashes():
            return self.collection.sources, similarity
        return select_evidence(answer.searched, answer.passages, similarity, self.evidence_chars), similarity

    def checked(self, answer: Answer, raw: str, sources: list[Source], similarity: SentenceSimilarity) -> Answer:
        checked = check_answer(raw, sources, similarity, question=answer.searched)
        answer.text, answer.citations, answer.refused = checked.text, checked.citations, checked.refused
        return answer

    def warm_up(self) -> None:
        """Loads the model and runs the fixed part of the prompt, so that questions start from a cached prefix.

        A collection of at most ``collection_chars`` goes whole into that prefix, as every question's sources: slower
        to warm up, but then a question costs only its own tokens before the answer starts (until the collection
        changes)."""
        self.collection = self.small_collection()
        sources = format_sources(self.collection.sources) if self.collection else ""
        (PROMPT | self.llm.bind(max_tokens=1)).invoke({"sources": sources, "question": ""})

    def small_collection(self) -> CachedCollection | None:
        if self.collection_chars <= 0 or not 0 < self.catalog.text_chars() <= self.collection_chars:
            return None
        documents = self.catalog.documents()
        return CachedCollection(whole_documents(documents), {d.doc_id: d.content_hash for d in documents})

    @property
    def catalog(self) -> Catalog:
        return self.search.index.catalog

    def relevant(self, passages: list[Passage]) -> bool:
        return bool(passages) and max(p.similarity for p in passages) >= self.min_relevance
