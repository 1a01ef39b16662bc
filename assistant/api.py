"""The public Python API: one object that ingests, searches and answers over one index."""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable, Sequence
from datetime import date
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from ingest import Document, Embedder, Filters, Index, IngestReport, Statement, ingest
from ingest.embedding import RemoteEmbedder, TextEmbedder
from ingest.pipeline import OnConflict
from ingest.stories import StoryRules
from ingest.subscriptions import Subscription, stored_location, subscription_for
from ingest.web.fetch import Fetcher, FetchLimits

from .answering import Answerer, Message
from .generation.llm import chat_model
from .generation.prompt import SYSTEM
from .generation.supervisor import ModelStopped
from .grounding.policy import POLICY, Policy
from .question import Question
from .retrieval.hybrid import HybridSearch
from .retrieval.retriever import NewsRetriever
from .retrieval.speakers import statements_of
from .settings import Settings
from .stories import Story, StorySummary, story, summaries
from .types import Answer, Event, FinalAnswer, Passage, Source
from .watching import refresh

DateLike = str | date | None
log = logging.getLogger(__name__)


class Assistant:
    """Opens (or creates) the index at ``index_dir``; other settings come from keyword arguments, then
    ``NEWSDESK_*`` environment variables and ``.env``. The language model is loaded on the first question."""

    def __init__(
        self,
        index_dir: str | Path | None = None,
        *,
        settings: Settings | None = None,
        policy: Policy = POLICY,
        llm: BaseChatModel | None = None,
        **overrides,
    ):
        """``llm``: any LangChain chat model to write answers with, instead of the one the settings name."""
        if index_dir is not None:
            overrides["index_dir"] = Path(index_dir)
        self.settings = settings.model_copy(update=overrides) if settings else Settings(**overrides)
        s = self.settings
        self.policy = policy
        self._llm = llm
        self.embedder: TextEmbedder = (
            RemoteEmbedder(
                s.embedding_base_url,
                s.embedding_api_model,
                s.embedding_api_key.get_secret_value(),
                s.embedding_batch_size,
            )
            if s.embedding_base_url
            else Embedder(s.model_cache_dir, s.embedding_model, s.embedding_batch_size, s.embedding_quantized)
        )
        self.index = Index(
            s.index_dir,
            self.embedder,
            s.collection,
            s.chroma_host,
            s.chroma_port,
            s.exact_search_chunks,
            s.hnsw_ef_search,
            StoryRules(s.story_threshold, s.story_name_weight, s.story_max_gap_days, s.story_copy_cosine),
        )
        self.hybrid = HybridSearch(self.index, s.candidates, s.max_per_document)
        self._answerer: Answerer | None = None
        self._fetcher: Fetcher | None = None

    def ingest(
        self, paths: Iterable[str | Path] | str | Path, progress: bool = False, on_conflict: OnConflict | None = None
    ) -> IngestReport:
        """Adds files or folders (.txt .md .html .jsonl), and the articles of feeds (RSS, Atom, JSON Feed) and web
        pages given by http(s) URL; unchanged articles are skipped, changed ones replaced. ``on_conflict``: for a
        file named like an article from another file (default: the setting, "refuse")."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        s = self.settings
        return ingest(
            paths,
            self.index,
            s.chunk_chars,
            s.max_file_mb * 1_000_000,
            s.ingest_batch_size,
            progress,
            on_conflict or s.on_conflict,
            self.fetcher,
        )

    @property
    def fetcher(self) -> Fetcher:
        """The one HTTP client of this Assistant, so that its politeness (one request at a time per host, with
        ``fetch_host_delay`` between them) holds across ingests and the watcher."""
        if self._fetcher is None:
            s = self.settings
            self._fetcher = Fetcher(
                FetchLimits(
                    s.fetch_timeout,
                    int(s.fetch_max_mb * 1_000_000),
                    s.fetch_host_delay,
                    s.fetch_max_redirects,
                    s.user_agent,
                    s.fetch_private_addresses,
                )
            )
        return self._fetcher

    def add_source(self, location: str, read: bool = True) -> tuple[Subscription, IngestReport | None]:
        """Follows a feed or page URL, or a folder: ``refresh_sources`` (``newsdesk watch``) reads it again when it
        is due. ``read``: read it now, and return what that brought. ValueError (NotASource) for anything else."""
        stored, kind = subscription_for(location)
        self.index.catalog.subscribe(stored, kind)
        if read:
            ((source, report),) = self.refresh_sources(only=[stored], force=True)
            return source, report
        return next(s for s in self.list_sources() if s.location == stored), None

    def remove_source(self, location: str) -> bool:
        """Stops following it; the articles it brought stay. False when it was not followed."""
        return self.index.catalog.unsubscribe(stored_location(location))

    def list_sources(self) -> list[Subscription]:
        """The sources followed, each with when it was last read, what that brought and its last error."""
        return self.index.catalog.subscriptions()

    def refresh_sources(
        self, only: Sequence[str] | None = None, force: bool = False
    ) -> list[tuple[Subscription, IngestReport]]:
        """Reads the sources that are due (``only`` these, or all with ``force``): feeds and pages every
        ``feed_poll_minutes``, folders whose files changed; returns what each read brought."""
        return refresh(self, list(only) if only is not None else None, force)

    def reindex(self) -> int:
        """Embeds every chunk again and rebuilds the search structures, from the catalog (the source of truth): the
        repair for a lost or damaged vector store or search cache. Returns the number of chunks embedded."""
        return self.index.reindex()

    def prepare_search(self) -> None:
        """Builds (and saves beside the index) the search structures for the index as it is now, which the next
        search would otherwise build: run it after writing, so that the next question does not wait."""
        self.index.memory()

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        source: str | Sequence[str] | None = None,
        author: str | Sequence[str] | None = None,
        published_after: DateLike = None,
        published_before: DateLike = None,
    ) -> list[Passage]:
        return self.hybrid(self.read(query), k, Filters(source, author, published_after, published_before))

    def read(self, question: str, history: Sequence[Message] | None = None) -> Question:
        """The question as newsdesk reads it: the outlets, dates and people it names, what it asks for."""
        return self.answerer.read(question, history)

    def ask(self, question: str, history: Sequence[Message] | None = None, **filters) -> Answer:
        *_, final = self.stream(question, history, **filters)
        assert isinstance(final, FinalAnswer)
        return final.answer

    def stream(
        self,
        question: str,
        history: Sequence[Message] | None = None,
        *,
        source: str | Sequence[str] | None = None,
        author: str | Sequence[str] | None = None,
        published_after: DateLike = None,
        published_before: DateLike = None,
    ) -> Generator[Event, None, None]:
        """``PassagesFound`` first, before any answer; then ``TextDelta``s of the answer as it stays, each sentence
        checked before it is shown; then the ``FinalAnswer``. Closing the generator stops the model writing."""
        problem = self.question_problem(question)
        if problem:
            raise ValueError(problem)
        filters = Filters(source, author, published_after, published_before)
        yield from self.answerer.stream(question.strip(), history, filters or None)

    def question_problem(self, question: str) -> str | None:
        """Why the model cannot be asked this question, or None. The prompt must fit the model's context with the
        evidence and the answer: counted before the model is called, at a conservative three characters a token
        (English averages about four), since a server's tokenizer is not at hand."""
        if not question or not question.strip():
            return "the question is empty"
        s = self.settings
        room = s.context_tokens - s.max_tokens - (len(SYSTEM) + s.evidence_chars * s.evidence_rounds) // 3
        if len(question) // 3 > room:
            return (
                f"the question is too long for the model's context: about {len(question) // 3} tokens, and "
                f"{max(room, 0)} are left of NEWSDESK_CONTEXT_TOKENS={s.context_tokens} beside the sources and the answer"
            )
        return None

    def evidence(self, question: str, **filters) -> list[list[Source]]:
        """The sentences shown to the model for ``question`` in each round of reading it may take (the next round
        only when the one before gives no answer that checks out), numbered as in its prompt."""
        read = self.read(question)
        found = Filters(**filters) or None
        passages = self.hybrid(read, self.settings.top_k, found)
        rounds: list[list[Source]] = []
        for _ in range(self.settings.evidence_rounds):
            sources = self.answerer.evidence(read, passages, found, shown=[s for r in rounds for s in r])[0]
            if not sources:
                break
            rounds.append(sources)
        return rounds

    def recheck(self, question: str, drafts: str | Sequence[str], history: Sequence[Message] | None = None) -> Answer:
        """The answer a model's text for ``question`` becomes after today's retrieval and checks: ``drafts`` is its
        text, or its text in each round of reading."""
        return self.answerer.recheck(question, [drafts] if isinstance(drafts, str) else drafts, history)

    def warm_up(self) -> None:
        """Loads the search structures and the language model now rather than on the first question, and puts a
        collection of at most ``collection_chars`` whole into the model's cached prompt prefix (again after an
        ingest changes it)."""
        self.prepare_search()
        try:
            self.answerer.warm_up()
        except ModelStopped as stopped:
            # The local model's process died and was started again (without weight repacking, if it had it): a
            # warm-up loses no answer, so it is tried once more rather than leaving the app with a cold model.
            log.warning("warming up again: %s", stopped)
            self.answerer.warm_up()

    def retriever(self, k: int | None = None, **filters) -> NewsRetriever:
        """The search as a LangChain retriever, for chains of your own."""
        return NewsRetriever(search=self.hybrid, k=k or self.settings.top_k, filters=Filters(**filters) or None)

    @property
    def answerer(self) -> Answerer:
        if self._answerer is None:
            self._answerer = Answerer(self.hybrid, self.llm, self.embedder, self.settings, self.policy)
        return self._answerer

    @property
    def llm(self) -> BaseChatModel:
        return self._llm or chat_model(self.settings)

    def quotes(self, speaker: str, **filters) -> list[Statement]:
        """What a person said across the articles, newest first: the verbatim sentences with their offsets. A
        surname finds everyone quoted under it; a full name only that person."""
        return [statement for statement, _ in statements_of(self.index.catalog, speaker, Filters(**filters))]

    def speakers(self) -> list[tuple[str, int]]:
        """Everyone the articles quote, with how many of their sentences they hold, most quoted first."""
        return self.index.catalog.speakers()

    def stories(self, min_articles: int = 2) -> list[StorySummary]:
        """The stories the articles tell, of at least ``min_articles`` articles each (a syndicated copy counts once),
        latest first, undated last. Articles of an index made before stories are placed first."""
        self.place_unplaced()
        return summaries(self.index.catalog, min_articles)

    def story(self, story_id: int) -> Story | None:
        """A story's page: its articles, timeline of cited developments, coverage by outlet and day, and who said
        what in it; None when there is no such story."""
        self.place_unplaced()
        return story(self.index.catalog, story_id)

    def story_of(self, doc_id: str) -> int | None:
        """The id of the story an article belongs to."""
        return self.index.catalog.story_of(doc_id)

    def place_unplaced(self) -> None:
        if not self.index.catalog.read_only and self.index.catalog.unplaced():
            self.index.place_unplaced()

    def documents(self, **filters) -> list[Document]:
        return self.index.catalog.documents(Filters(**filters))

    def library(self) -> list[tuple[Document, int]]:
        """Every article, without its text, with the number of chunks it is indexed in, newest first (undated
        last): what a library view lists."""
        counts = self.index.catalog.chunk_counts()
        documents = sorted(self.index.catalog.metadata(counts).values(), key=lambda d: d.doc_id)
        documents.sort(key=lambda d: d.published_at or "", reverse=True)
        return [(d, counts[d.doc_id]) for d in documents]

    def document(self, doc_id: str) -> Document | None:
        return self.index.document(doc_id)

    def delete(self, doc_id: str) -> bool:
        """Removes a document and all its chunks; False when there was no such document."""
        return self.index.delete(doc_id)
