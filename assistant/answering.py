"""Question to checked Answer, as a stream of events: read the question once, search, then answer it in one of
three ways, each as the reader will keep it:

- what a person said, from the statements index, in their own sentences (no model: the same on every machine);
- to a question asking for one value, the value the model names under a JSON schema, with the sentence holding it
  quoted and cited, once verified (it is in that sentence, of the kind asked, and the sentence is on the question);
- to a question needing prose (a verdict, a comparison, several parts), the model's sentences, each shown once it is
  checked against the sentence it cites.

Precision first: when the articles do not say what was asked, the answer is a refusal that says so and shows the
closest they come.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from ingest import Filters
from ingest.embedding import TextEmbedder
from ingest.index.catalog import Catalog
from ingest.text.sentences import sentence_spans

from .generation import reply
from .generation.evidence import select_evidence, whole_documents
from .generation.llm import ModelServerError, server_error
from .generation.prompt import PROMPT, format_question, format_sources
from .grounding.checker import REFUSAL_TEXT, AnswerChecker
from .grounding.policy import Policy
from .grounding.quoting import Citations, Quote, quoted
from .grounding.verification import Verified, verify
from .question import Question
from .retrieval.hybrid import HybridSearch
from .retrieval.speakers import Said, best_within, newest_first, on_topic, runs, statements_of
from .settings import Settings
from .types import Answer, Dropped, Event, FinalAnswer, Made, Passage, PassagesFound, Refusal, Source, TextDelta

log = logging.getLogger(__name__)

Message = dict  # {"role": "user" | "assistant", "content": str}, as chat UIs and OpenAI keep history
Write = Callable[[dict], Iterable[str]]  # the prompt's values -> the model's text, in pieces
REFUSALS = {
    Refusal.NOTHING_FOUND: "No article is about this.",
    Refusal.NOT_STATED: REFUSAL_TEXT,
    Refusal.NO_MATCHING_ARTICLES: "No articles match these filters.",
}


class SentenceSimilarity:
    """Cosine between a claim and source sentences, embedding each text once per answer."""

    def __init__(self, embedder: TextEmbedder):
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
        self, search: HybridSearch, llm: BaseChatModel, embedder: TextEmbedder, settings: Settings, policy: Policy
    ):
        self.search = search
        self.embedder = embedder
        self.settings = settings
        self.policy = policy
        self.collection: CachedCollection | None = None  # set by warm_up
        self.llm = llm
        self.generate = PROMPT | llm | StrOutputParser()
        self.reply = reply.PROMPT | llm.bind(response_format=reply.RESPONSE_FORMAT) | StrOutputParser()

    @property
    def catalog(self) -> Catalog:
        return self.search.index.catalog

    def read(self, text: str, history: Sequence[Message] | None = None) -> Question:
        """The question, read once against the outlets and speakers the index knows."""
        return self.search.read(text, earlier_question(history))

    def stream(
        self,
        text: str,
        history: Sequence[Message] | None = None,
        filters: Filters | None = None,
        write: Write | None = None,
    ) -> Iterator[Event]:
        """Events from the passages found to the final answer. ``write`` stands in for the model: given the
        prompt's values, the text it writes, in pieces."""
        write = write or self.written
        question = self.read(text, history)
        answer = Answer(
            question=question.text, text="", standalone_question=question.searched if question.earlier else None
        )
        if filters and not self.catalog.documents(filters, limit=1):
            yield PassagesFound([])
            yield FinalAnswer(refused(answer, Refusal.NO_MATCHING_ARTICLES))
            return
        answer.passages = self.search(question, self.settings.top_k, filters)
        yield PassagesFound(answer.passages)
        if question.unquoted:
            yield FinalAnswer(
                refused(answer, Refusal.NOT_QUOTED, f"The articles quote no one named {question.unquoted}.")
            )
            return
        if question.speaker:
            if said := self.said(question, filters, answer.passages):
                yield from self.in_their_words(question, said, answer)
            else:  # the surname is quoted, but not under this first name: someone else
                yield FinalAnswer(refused(answer, Refusal.NOT_QUOTED, f"The articles don't quote {question.speaker}."))
            return
        if not self.relevant(answer.passages):
            yield FinalAnswer(refused(answer, Refusal.NOTHING_FOUND))
            return
        if question.one_value:
            yield from self.replied(question, answer, filters, write)
        else:
            yield from self.written_answer(question, answer, filters, write)
        yield FinalAnswer(answer)

    def rounds(self, filters: Filters | None) -> int:
        """Rounds of reading: a few sentences, then, only when they give no answer, the next few (a short prompt is
        a fast one); the collection cached whole is read once."""
        return 1 if self.collection_applies(filters) else self.settings.evidence_rounds

    def replied(self, question: Question, answer: Answer, filters: Filters | None, write: Write) -> Iterator[TextDelta]:
        """One value asked for: the model names it and the number of the sentence holding it; verified, it is shown
        with that sentence quoted; otherwise the answer is a refusal showing the closest sentences."""
        seen: list[Source] = []
        similarity = SentenceSimilarity(self.embedder)
        for _ in range(self.rounds(filters)):
            sources, similarity = self.evidence(question, answer.passages, filters, shown=seen)
            if not sources:
                break
            seen += sources
            raw = "".join(write({"sentences": reply.format_sentences(sources), "question": format_question(question)}))
            answer.drafts.append(raw)
            named = reply.parse_reply(raw)
            verified = verify(question, named, reply.numbered(sources), self.search.index.rarity, self.policy)
            if verified.found:
                yield from with_its_sentence(answer, verified)
                return
            log.info("reply %r to %r: %s", raw, question.text, verified.reason)
            answer.dropped.append(Dropped(raw, verified.reason))
            if not named.none:
                break  # a value named that did not check out: the next sentences would lend one of something else
        yield from refused_with_closest(answer, question, closest_sentences(question, seen, similarity, self.policy))

    def written_answer(
        self, question: Question, answer: Answer, filters: Filters | None, write: Write
    ) -> Iterator[TextDelta]:
        """The model's prose, each sentence shown once checked; if none checks out, a refusal showing the closest
        sentences (a verdict that could not be checked is no answer)."""
        seen: list[Source] = []
        checked = None
        for _ in range(self.rounds(filters)):
            sources, similarity = self.evidence(question, answer.passages, filters, shown=seen)
            if not sources:
                break
            seen += sources
            checker = AnswerChecker(question, sources, similarity, self.search.index.rarity, self.policy)
            yield from self.written_and_checked(question, sources, checker, write, answer)
            checked = checker.finish()
            answer.dropped += checked.dropped
            if not checked.refused:
                break
        if checked is None or checked.refused or not answer.text:
            closest = closest_sentences(question, seen, SentenceSimilarity(self.embedder), self.policy)
            yield from refused_with_closest(answer, question, closest)

    def written_and_checked(
        self, question: Question, sources: list[Source], checker: AnswerChecker, write: Write, answer: Answer
    ) -> Iterator[TextDelta]:
        """The model's answer over ``sources``, each sentence shown as soon as it is checked."""
        raw = ""
        fed = 0  # characters of ``raw`` already checked
        prompt = {"sources": format_sources(sources), "question": format_question(question)}
        for delta in write(prompt):
            raw += delta
            spans = sentence_spans(raw[fed:])
            for start, end in spans[:-1]:  # the last sentence may still be growing
                yield from self.shown(answer, checker.add(raw[fed + start : fed + end]), checker)
            if len(spans) > 1:
                fed += spans[-1][0]
        for start, end in sentence_spans(raw[fed:]):
            yield from self.shown(answer, checker.add(raw[fed + start : fed + end]), checker)
        answer.drafts.append(raw)
        if not answer.text:  # an answer judged only as a whole is shown whole
            final = checker.finish()
            if not final.refused:
                yield from self.shown(answer, final.text, checker)

    def written(self, prompt: dict) -> Iterator[str]:
        """The model's text for the prompt, in pieces; a model server's failure as one ``ModelServerError``."""
        try:
            yield from (self.reply if "sentences" in prompt else self.generate).stream(prompt)
        except ModelServerError:
            raise
        except Exception as error:
            if self.settings.llm_backend != "openai":
                raise
            raise server_error(error, self.settings) from error

    def shown(self, answer: Answer, text: str, checker: AnswerChecker) -> Iterator[TextDelta]:
        """Appends checked text to the answer and yields it with the citations it brings."""
        if not text:
            return
        known = len(answer.citations)
        answer.citations = checker.citations.all()
        answer.made = Made.WRITTEN
        delta = f" {text}" if answer.text else text
        answer.text += delta
        yield TextDelta(delta, answer.citations[known:])

    def in_their_words(self, question: Question, said: list[Said], answer: Answer) -> Iterator[Event]:
        """What the person asked about said on the topic, newest article first; or, when nothing they said keeps to
        it, that they are not quoted on it and the closest thing they did say."""
        assert question.speaker
        on = [s for s in said if s.relevance >= self.policy.min_on_topic]
        chosen = best_within(on or said[:1], self.policy.statement_chars)
        documents = self.catalog.metadata(st.doc_id for st in chosen)
        dates = {doc_id: d.published_at or "" for doc_id, d in documents.items()}
        chosen = newest_first(chosen, dates, question.topic or question.text)
        quotes = [
            Quote(Passage.of(documents[st.doc_id], st.doc_id, st.text, st.start, st.end), st.text, st.start, st.end)
            for st in chosen
        ]
        names = list(dict.fromkeys(st.speaker for st in chosen))
        who = " and ".join(names)
        citations = Citations()
        if on:
            answer.text = quoted(f"What {who} said:", quotes, citations)
            answer.made = Made.STATEMENTS
        else:
            on_what = f"on {question.topic}" if question.topic else "on that"
            answer.text = quoted(
                f"The articles don't quote {question.speaker} {on_what}. What {who} said on other things, the closest:",
                quotes,
                citations,
            )
            answer.refused, answer.made, answer.refusal = True, Made.REFUSED, Refusal.NOT_QUOTED
        answer.citations = citations.all()
        yield TextDelta(answer.text, answer.citations)
        yield FinalAnswer(answer)

    def said(self, question: Question, filters: Filters | None, passages: Sequence[Passage] = ()) -> list[Said]:
        """The statements of the person asked about, those keeping closest to the topic first, and those in the
        articles the whole question found (``passages``) before others."""
        assert question.speaker
        found = statements_of(self.catalog, question.speaker, filters)
        if not found:
            return []
        documents = {
            doc_id: d for doc_id in dict.fromkeys(s.doc_id for s, _ in found) if (d := self.catalog.document(doc_id))
        }
        grouped = runs(found, {doc_id: d.text for doc_id, d in documents.items()})
        [topic] = self.embedder.embed([question.topic or question.text])
        chunk_vectors = self.search.index.vectors_of([chunk_id for _, chunk_id in grouped])
        titles = {doc_id: d.title or "" for doc_id, d in documents.items()}
        searched = [p.doc_id for p in passages]
        rank = partial(
            on_topic,
            topic=question.topic,
            topic_vector=topic,
            chunk_vectors=chunk_vectors,
            titles=titles,
            searched=searched,
            search_weight=self.policy.said_search_weight,
            own_words_bonus=self.policy.own_words_bonus,
        )
        # Ranked by their chunks first, which costs nothing; then the best few by their own words too, which
        # costs embedding them: a person quoted in hundreds of articles must still answer within a second.
        first = rank(grouped, run_vectors=None)
        best = [(list(run.statements), run.chunk_id) for run in first[: self.policy.said_runs_embedded]]
        run_vectors = self.embedder.embed([" ".join(s.text for s in statements) for statements, _ in best])
        return rank(best, run_vectors=run_vectors) + first[len(best) :]

    def recheck(
        self, text: str, drafts: Sequence[str], history: Sequence[Message] | None = None, filters: Filters | None = None
    ) -> Answer:
        """The Answer the model's ``drafts`` (its text in each round of reading) become, without generating: the
        same retrieval and checks as ``stream``, so that checks can be tuned on stored answers in minutes. A round
        past the drafts given is written as a refusal."""
        rounds = iter(drafts)
        *_, final = self.stream(text, history, filters, write=lambda prompt: iter([next(rounds, REFUSAL_TEXT)]))
        assert isinstance(final, FinalAnswer)
        return final.answer

    def evidence(
        self, question: Question, passages: list[Passage], filters: Filters | None, shown: Sequence[Source] = ()
    ) -> tuple[list[Source], SentenceSimilarity]:
        """The sources to show the model: the sentences of the passages that answer the question best, past those
        ``shown`` already; or the whole collection when it sits in the model's cached prompt."""
        similarity = SentenceSimilarity(self.embedder)
        if self.collection_applies(filters):
            assert self.collection
            return self.collection.sources, similarity
        sources = select_evidence(
            question,
            self.widened(passages),
            similarity,
            self.search.index.rarity,
            self.settings.evidence_chars,
            self.policy,
            exclude={(s.passage.doc_id, e.start) for s in shown for e in s.sentences},
        )
        return sources, similarity

    def collection_applies(self, filters: Filters | None) -> bool:
        """Whether the collection cached whole at warm-up is still the whole collection, and all of it is asked."""
        return self.collection is not None and not filters and self.collection.versions == self.catalog.hashes()

    def widened(self, passages: list[Passage]) -> list[Passage]:
        """The passages with the best one's article whole in place of its chunks, when the article is short enough:
        the sentence that answers is often in a chunk of it that the search ranked lower."""
        if not passages:
            return passages
        top = passages[0]
        document = self.catalog.document(top.doc_id)
        if document is None or len(document.text) > self.settings.whole_article_chars:
            return passages
        whole = Passage.of(document, top.chunk_id, document.text, 0, len(document.text), top.score, top.similarity)
        return [whole, *(p for p in passages if p.doc_id != top.doc_id)]

    def warm_up(self) -> None:
        """Loads the model and runs the fixed part of the prompt, so that questions start from a cached prefix.

        A collection of at most ``collection_chars`` goes whole into that prefix, as every question's sources: slower
        to warm up, but then a question costs only its own tokens before the answer starts (until the collection
        changes)."""
        self.collection = self.small_collection()
        sources = format_sources(self.collection.sources) if self.collection else ""
        (PROMPT | self.llm.bind(max_tokens=1)).invoke({"sources": sources, "question": ""})

    def small_collection(self) -> CachedCollection | None:
        limit = self.settings.collection_chars
        if limit <= 0 or not 0 < self.catalog.text_chars() <= limit:
            return None
        documents = self.catalog.documents()
        return CachedCollection(whole_documents(documents), {d.doc_id: d.content_hash for d in documents})

    def relevant(self, passages: list[Passage]) -> bool:
        return bool(passages) and max(p.similarity for p in passages) >= self.settings.min_relevance


def with_its_sentence(answer: Answer, verified: Verified) -> Iterator[TextDelta]:
    """'2-0 [1].' and, quoted below it, the sentence that says so, cited."""
    assert verified.found
    passage, sentence = verified.found.source.passage, verified.found.sentence
    citations = Citations()
    n = citations.cite(passage, sentence.text, sentence.start, sentence.end)
    answer.text = quoted(
        f"{verified.answer} [{n}].", [Quote(passage, sentence.text, sentence.start, sentence.end)], citations
    )
    answer.citations, answer.made = citations.all(), Made.EXTRACTED
    yield TextDelta(answer.text, answer.citations)


def closest_sentences(
    question: Question, shown: Sequence[Source], similarity: SentenceSimilarity, policy: Policy
) -> list[Quote]:
    """The shown sentences closest in meaning to the question, best first: what a reader can judge for themselves
    when the articles do not say what was asked."""
    among = [(s, e) for s in shown for e in s.sentences]
    if not among:
        return []
    cosines = similarity(question.text, [e.text for _, e in among])
    ranked = sorted(range(len(among)), key=cosines.__getitem__, reverse=True)
    return [
        Quote(among[i][0].passage, among[i][1].text, among[i][1].start, among[i][1].end)
        for i in ranked[: policy.closest_sentences]
        if cosines[i] >= policy.min_closest_similarity
    ]


def refused_with_closest(answer: Answer, question: Question, closest: Sequence[Quote]) -> Iterator[TextDelta]:
    """Precision first: a refusal that says what the articles don't say and, labelled as such, the closest they
    come. It answers nothing, so it counts as a refusal, but it cites what it shows."""
    refused(answer, Refusal.NOT_STATED, not_stated(question.text, bool(closest)))
    if closest:
        citations = Citations()
        answer.text = quoted(answer.text, closest, citations)
        answer.citations = citations.all()
    yield TextDelta(answer.text, answer.citations)


def not_stated(question: str, closest: bool) -> str:
    """'The articles don't answer “How much was she paid?”; the closest they come:'."""
    asked = f"The articles don't answer “{question.strip()}”"
    return f"{asked}; the closest they come:" if closest else f"{asked}."


def refused(answer: Answer, why: Refusal, text: str | None = None) -> Answer:
    answer.text, answer.refused, answer.made, answer.refusal = text or REFUSALS[why], True, Made.REFUSED, why
    answer.citations = []
    return answer
