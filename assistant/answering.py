"""Question to checked Answer: retrieve, prompt, generate (streamed), then check every citation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from ingest import Embedder, Filters

from .citations import REFUSAL_TEXT, check_answer
from .evidence import Source, select_evidence
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
    ):
        self.search = search
        self.embedder = embedder
        self.top_k = top_k
        self.min_relevance = min_relevance
        self.evidence_chars = evidence_chars
        self.llm = llm
        self.generate = PROMPT | llm | StrOutputParser()

    def stream(
        self, question: str, history: Sequence[Message] | None = None, filters: Filters | None = None
    ) -> Iterator[list[Passage] | str | Answer]:
        """Yields the passages found, then text as the model writes it, then the checked Answer."""
        answer = self.retrieve(question, history, filters)
        yield answer.passages
        if not (evidence := self.evidence(answer)):
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
        evidence = self.evidence(answer)
        return self.checked(answer, raw, *evidence) if evidence else answer

    def retrieve(self, question: str, history: Sequence[Message] | None, filters: Filters | None) -> Answer:
        """An empty Answer holding the passages found."""
        earlier = earlier_question(history)
        # A follow-up ("and what did China offer?") is searched with the question it follows, so its entities stay.
        query = f"{earlier}\n{question}" if earlier else question
        retriever = NewsRetriever(search=self.search, k=self.top_k, filters=filters)
        passages = passages_from(retriever.invoke(query))
        return Answer(question=question, text="", passages=passages, standalone_question=query if earlier else None)

    def evidence(self, answer: Answer) -> tuple[list[Source], SentenceSimilarity] | None:
        """The sources to show the model; None, with the answer made a refusal, when no passage is about the question."""
        if not self.relevant(answer.passages):
            answer.text, answer.refused = REFUSAL_TEXT, True
            return None
        similarity = SentenceSimilarity(self.embedder)
        query = answer.standalone_question or answer.question
        return select_evidence(query, answer.passages, similarity, self.evidence_chars), similarity

    def checked(self, answer: Answer, raw: str, sources: list[Source], similarity: SentenceSimilarity) -> Answer:
        checked = check_answer(raw, sources, similarity, question=answer.standalone_question or answer.question)
        answer.text, answer.citations, answer.refused = checked.text, checked.citations, checked.refused
        return answer

    def warm_up(self) -> None:
        """Loads the model and runs the fixed part of the prompt, so the first question starts from a cached prefix."""
        (PROMPT | self.llm.bind(max_tokens=1)).invoke({"sources": "", "question": ""})

    def relevant(self, passages: list[Passage]) -> bool:
        return bool(passages) and max(p.similarity for p in passages) >= self.min_relevance
