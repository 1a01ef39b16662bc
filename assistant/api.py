"""The public Python API: one object that ingests, searches and answers over one index."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from ingest import Document, Embedder, Filters, Index, IngestReport, ingest
from ingest.quotes import Statement, speaker_key

from .answering import Answerer, Message
from .llm import chat_model
from .retrieval import HybridSearch
from .settings import Settings
from .types import Answer, Passage


class Assistant:
    """Opens (or creates) the index at ``index_dir``; other settings come from keyword arguments, then
    ``NEWSDESK_*`` environment variables and ``.env``. The language model is loaded on the first question."""

    def __init__(self, index_dir: str | Path | None = None, *, settings: Settings | None = None, **overrides):
        if index_dir is not None:
            overrides["index_dir"] = Path(index_dir)
        self.settings = settings.model_copy(update=overrides) if settings else Settings(**overrides)
        s = self.settings
        self.embedder = Embedder(s.model_cache_dir, s.embedding_model, s.embedding_batch_size, s.embedding_quantized)
        self.index = Index(s.index_dir, self.embedder, s.collection, s.chroma_host, s.chroma_port, s.exact_search_chunks)
        self.hybrid = HybridSearch(self.index, s.candidates, s.max_per_document)
        self._answerer: Answerer | None = None

    def ingest(self, paths: Iterable[str | Path] | str | Path, progress: bool = False) -> IngestReport:
        """Adds files or folders (.txt .md .html .jsonl); unchanged articles are skipped, changed ones replaced."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        return ingest(paths, self.index, self.settings.chunk_chars, self.settings.max_file_mb * 1_000_000, progress=progress)

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        source: str | Sequence[str] | None = None,
        author: str | Sequence[str] | None = None,
        published_after: str | date | None = None,
        published_before: str | date | None = None,
    ) -> list[Passage]:
        return self.hybrid(query, k, Filters(source, author, published_after, published_before))

    def ask(self, question: str, history: Sequence[Message] | None = None, **filters) -> Answer:
        *_, answer = self.stream(question, history, **filters)
        return answer

    def stream(
        self,
        question: str,
        history: Sequence[Message] | None = None,
        *,
        source: str | Sequence[str] | None = None,
        author: str | Sequence[str] | None = None,
        published_after: str | date | None = None,
        published_before: str | date | None = None,
        evidence: bool = False,
    ) -> Iterator[str | Answer | list[Passage]]:
        """Text deltas as the model writes them, then the final Answer with checked citations.

        With ``evidence=True`` the first event is the list of passages found, before the model starts.
        """
        if not question or not question.strip():
            raise ValueError("the question is empty")
        filters = Filters(source, author, published_after, published_before)
        for event in self.answerer.stream(question.strip(), history, filters):
            if evidence or not isinstance(event, list):
                yield event

    def warm_up(self) -> None:
        """Loads the search structures and the language model now rather than on the first question, and puts a
        collection of at most ``collection_chars`` whole into the model's cached prompt prefix (again after an
        ingest changes it)."""
        self.index.memory()
        self.answerer.warm_up()

    @property
    def answerer(self) -> Answerer:
        if self._answerer is None:
            s = self.settings
            self._answerer = Answerer(
                self.hybrid, self.llm, self.embedder, s.top_k, s.min_relevance, s.evidence_chars, s.collection_chars
            )
        return self._answerer

    @property
    def llm(self) -> BaseChatModel:
        return chat_model(self.settings)

    def quotes(self, speaker: str, **filters) -> list[Statement]:
        """What a person said across the articles, newest first: the verbatim sentences with their offsets."""
        return [statement for statement, _ in self.index.catalog.statements([speaker_key(speaker)], Filters(**filters))]

    def documents(self, **filters) -> list[Document]:
        return self.index.catalog.documents(Filters(**filters))

    def document(self, doc_id: str) -> Document | None:
        return self.index.document(doc_id)

    def delete(self, doc_id: str) -> bool:
        """Removes a document and all its chunks; False when there was no such document."""
        return self.index.delete(doc_id)
