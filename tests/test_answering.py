"""The answering path as a user meets it, on a real index of the seeds: a scripted chat model stands in for the
writer where the test is about our own logic (what is shown, checked, quoted or refused), so it holds on any CPU;
the local llama.cpp path runs with the tiny SmolLM2 model, asserting only what must hold for any output."""

import json
import re

import pytest
from langchain_core.language_models import SimpleChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant import Answer, Assistant, FinalAnswer, Made, PassagesFound, Refusal, TextDelta
from assistant.answering import earlier_question
from assistant.generation.reply import numbered
from assistant.grounding.policy import Policy

from .conftest import LUTNICK_DOC, LUTNICK_QUOTE

LUTNICK = "What did Lutnick say about rare earths?"
DELEGATION = "Who led the Chinese delegation in Kuala Lumpur?"


def scripted(*replies: str) -> GenericFakeChatModel:
    """A chat model that writes these replies in turn, streamed word by word, and the last one again if asked more."""
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in [*replies, *replies[-1:] * 20]]))


class Pointing(SimpleChatModel):
    """A chat model that replies as the constrained reply asks: the number of the shown sentence holding ``phrase``
    and ``answer``, or nulls when no sentence holds it."""

    phrase: str
    answer: str

    @property
    def _llm_type(self) -> str:
        return "pointing"

    def _call(self, messages, stop=None, run_manager=None, **kwargs) -> str:
        for line in str(messages[-1].content).splitlines():
            if (found := re.match(r"\[(\d+)\] (.*)", line)) and self.phrase in found.group(2):
                return json.dumps({"sentence": int(found.group(1)), "answer": self.answer})
        return json.dumps({"sentence": None, "answer": None})


def events_of(assistant: Assistant, question: str, **kwargs) -> tuple[list, Answer]:
    events = list(assistant.stream(question, **kwargs))
    assert isinstance(events[0], PassagesFound) and isinstance(events[-1], FinalAnswer)
    assert all(isinstance(e, TextDelta) for e in events[1:-1])
    return events, events[-1].answer


def check_invariants(assistant: Assistant, events: list, answer: Answer) -> None:
    """What holds for every answer: what streamed is what stays, and every citation is verbatim at its offsets."""
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert streamed == (answer.text if streamed else "")
    assert [c for e in events if isinstance(e, TextDelta) for c in e.citations] == answer.citations
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        assert assistant.document(citation.doc_id).text[citation.start : citation.end] == citation.quote
        assert f"[{citation.n}]" in answer.text
    if answer.refused:
        assert answer.refusal is not None and answer.text
    else:
        assert answer.citations and answer.made in (Made.WRITTEN, Made.EXTRACTED, Made.STATEMENTS)


def test_checked_sentences_stream_and_an_unsupported_one_never_shows(seeded):
    raw = "Yes, the Chinese delegation led by Vice Premier He Lifeng is engaged in intensive talks with U.S. officials [1]. Kuala Lumpur has 2 million people [1]."
    assistant = Assistant(seeded, llm=scripted(raw))
    events, answer = events_of(assistant, "Did Vice Premier He Lifeng hold talks with U.S. officials in Kuala Lumpur?")
    check_invariants(assistant, events, answer)
    assert answer.made is Made.WRITTEN and "He Lifeng" in answer.text and "million" not in answer.text
    assert not any("million" in e.text for e in events if isinstance(e, TextDelta))
    assert [(d.sentence, d.reason) for d in answer.dropped] == [
        ("Kuala Lumpur has 2 million people.", "no cited source supports it")
    ]
    assert answer.drafts == [raw] and answer.citations[0].doc_id == "000_55805cb21f20d652"


def test_a_value_asked_for_is_the_value_the_model_names_with_its_sentence_quoted_and_cited(seeded):
    assistant = Assistant(seeded, llm=Pointing(phrase="led by Vice Premier He Lifeng", answer="Vice Premier He Lifeng"))
    events, answer = events_of(assistant, DELEGATION)
    check_invariants(assistant, events, answer)
    assert answer.made is Made.EXTRACTED and answer.text.startswith("Vice Premier He Lifeng [1].")
    assert "led by Vice Premier He Lifeng" in answer.citations[0].quote and answer.citations[0].quote in answer.text
    assert json.loads(answer.drafts[0])["answer"] == "Vice Premier He Lifeng"


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("Vice Premier He Lifong", "the sentence it names does not hold the answer"),  # not verbatim
        ("the Chinese delegation", "the answer is not what the question asks for"),  # no person
    ],
)
def test_a_named_value_that_does_not_check_out_is_a_refusal_showing_the_closest_sentences(seeded, answer, why):
    assistant = Assistant(seeded, llm=Pointing(phrase="led by Vice Premier He Lifeng", answer=answer))
    events, answer = events_of(assistant, DELEGATION)
    check_invariants(assistant, events, answer)
    assert answer.refused and answer.made is Made.REFUSED and answer.dropped[0].reason == why
    assert "the closest they come" in answer.text and answer.citations


def test_a_model_that_finds_nothing_gives_a_refusal_with_the_closest_sentences(seeded):
    assistant = Assistant(seeded, llm=Pointing(phrase="no sentence says this", answer="x"))
    events, answer = events_of(assistant, DELEGATION)
    check_invariants(assistant, events, answer)
    assert answer.refused and answer.refusal is Refusal.NOT_STATED
    assert any("He Lifeng" in c.quote for c in answer.citations)  # the closest, for the reader to judge


def test_a_question_the_articles_do_not_answer_is_refused_saying_so_and_showing_the_closest_they_come(seeded):
    policy = Policy(min_closest_similarity=0.0)  # whatever is shown is close enough to show
    assistant = Assistant(seeded, llm=scripted("Kuala Lumpur has about 7.5 million people [1]."), policy=policy)
    question = "What is the population of Kuala Lumpur?"
    events, answer = events_of(assistant, question)
    check_invariants(assistant, events, answer)
    assert answer.refused and answer.refusal is Refusal.NOT_STATED and answer.made is Made.REFUSED
    assert answer.text.startswith(f"The articles don't answer “{question}”; the closest they come:")
    assert answer.citations and "7.5" not in answer.text  # sentences of the articles, none of the model's
    assert [e for e in events if isinstance(e, TextDelta)] == [TextDelta(answer.text, answer.citations)]


def test_an_answer_whose_every_draft_is_dropped_is_a_refusal_that_says_why(seeded):
    raw = "Yes, the delegation was led by a team of 40 officials [1]. They met for 3 days [2]."
    # No sentence close enough to show: what is left is the refusal alone.
    policy = Policy(min_closest_similarity=1.01)
    assistant = Assistant(seeded, llm=scripted(raw), policy=policy)
    events, answer = events_of(assistant, "Did the Malaysian delegation bring 40 officials to the talks?")
    check_invariants(assistant, events, answer)
    assert answer.refused and answer.text and answer.citations == []
    assert answer.text.startswith("The articles don't answer") and len(answer.dropped) >= 2


def test_what_a_person_said_comes_from_their_own_sentences_before_any_model(seeded):
    assistant = Assistant(seeded, llm=scripted())  # a model asked anything would fail: it has no reply
    events, answer = events_of(assistant, LUTNICK)
    check_invariants(assistant, events, answer)
    assert answer.made is Made.STATEMENTS and isinstance(events[1], TextDelta)
    assert any(LUTNICK_QUOTE in c.quote and c.doc_id == LUTNICK_DOC for c in answer.citations)
    assert "Li Chenggang" not in answer.text  # his words are Li's, not Lutnick's


@pytest.mark.parametrize("name", ["Howard Lutnick", "Commerce Secretary Howard Lutnick", "Secretary Lutnick"])
def test_surname_full_name_and_title_find_the_same_person(seeded, name):
    assistant = Assistant(seeded, llm=scripted())
    expected = assistant.ask(LUTNICK).citations
    assert assistant.ask(f"What did {name} say about rare earths?").citations == expected


def test_two_people_with_one_surname_are_told_apart(seeded, tmp_path):
    (tmp_path / "budget.txt").write_text('"Taxes on savings will fall next year," said Chancellor Gordon Brown.\n')
    (tmp_path / "tour.txt").write_text('"The tour starts in Manchester in May," singer Ian Brown told fans.\n')
    assistant = Assistant(seeded, llm=scripted())
    assert assistant.ingest(tmp_path).ok
    gordon = assistant.ask("What did Gordon Brown say about taxes?")
    assert gordon.made is Made.STATEMENTS and [c.doc_id for c in gordon.citations] == ["budget"]
    ian = assistant.ask("What did Ian Brown say about taxes?")
    assert all(c.doc_id == "tour" for c in ian.citations) and ian.refusal is Refusal.NOT_QUOTED
    assert {s.speaker for s in assistant.quotes("Brown")} == {"Gordon Brown", "Ian Brown"}


def test_a_person_not_quoted_on_the_topic_gets_the_closest_thing_they_said(seeded):
    assistant = Assistant(seeded, llm=scripted())
    events, answer = events_of(assistant, "What did Lutnick say about the football season?")
    check_invariants(assistant, events, answer)
    assert answer.refused and answer.refusal is Refusal.NOT_QUOTED
    assert answer.text.startswith(
        "The articles don't quote Lutnick on the football season. What Howard Lutnick said on other"
    )
    assert answer.citations[0].doc_id == LUTNICK_DOC


def test_a_person_no_article_quotes_is_not_answered_with_someone_elses_words(seeded):
    assistant = Assistant(seeded, llm=scripted())  # a model asked anything would fail: it has no reply
    events, answer = events_of(assistant, "What did Howard Lutnik say about rare earths?")
    check_invariants(assistant, events, answer)
    assert answer.refusal is Refusal.NOT_QUOTED and answer.text == "The articles quote no one named Howard Lutnik."
    assert answer.citations == []


def test_someone_sharing_a_quoted_persons_surname_is_not_answered_with_their_words(seeded):
    assistant = Assistant(seeded, llm=scripted())  # a model asked anything would fail: it has no reply
    events, answer = events_of(assistant, "What did Peter Lutnick say about rare earths?")
    check_invariants(assistant, events, answer)
    assert answer.refusal is Refusal.NOT_QUOTED and answer.text == "The articles don't quote Peter Lutnick."


def test_filters_that_match_no_article_say_so_without_searching(seeded):
    assistant = Assistant(seeded, llm=scripted())
    events, answer = events_of(assistant, DELEGATION, source="No Such Outlet")
    assert events[0].passages == [] and answer.refusal is Refusal.NO_MATCHING_ARTICLES
    assert answer.text == "No articles match these filters."


def test_questions_far_from_every_article_are_refused_without_the_model(seeded):
    assistant = Assistant(seeded, llm=scripted(), min_relevance=0.99)
    events, answer = events_of(assistant, "How do I bake sourdough bread?")
    assert len(events) == 2 and answer.refusal is Refusal.NOTHING_FOUND


def test_follow_up_is_searched_with_the_question_before_it(seeded):
    history = [{"role": "user", "content": LUTNICK}, {"role": "assistant", "content": "He said … [1]"}]
    assert earlier_question(history) == LUTNICK
    llm = Pointing(phrase="lift some of its export controls", answer="lift some of its export controls")
    answer = Assistant(seeded, llm=llm).ask("And what did the U.S. offer in return?", history)
    assert LUTNICK in answer.standalone_question and not answer.refused
    assert any("lift some of its export controls" in p.text for p in answer.passages)
    assert "export controls" in answer.citations[0].quote


def test_recheck_puts_a_given_answer_through_the_same_retrieval_and_checks(seeded):
    assistant = Assistant(seeded, llm=scripted())
    question = "Which minerals did China restrict?"
    [n] = [s.n for s in numbered(assistant.evidence(question)[0]) if "rare earth mineral" in s.sentence.text]
    answer = assistant.recheck(question, json.dumps({"sentence": n, "answer": "rare earth mineral"}))
    assert answer.made is Made.EXTRACTED and "rare earth mineral" in answer.citations[0].quote
    assert assistant.recheck(question, "China restricted bananas [1].").refused


def test_the_local_model_streams_an_answer_that_keeps_every_invariant(seeded, tiny_model):
    assistant = Assistant(seeded, local_model_path=tiny_model)
    events, answer = events_of(assistant, "What will the U.S. lift in exchange?")
    check_invariants(assistant, events, answer)
    assert answer.drafts and answer.drafts[0]  # the model wrote something, whatever its words
    assert answer.passages and any("export controls" in p.text for p in answer.passages)


def test_warm_up_loads_the_model(seeded, tiny_model):
    from assistant.generation.llm import load_llama

    load_llama.cache_clear()
    Assistant(seeded, local_model_path=tiny_model).warm_up()
    assert load_llama.cache_info().currsize == 1


def test_yes_no_questions_get_the_verdict_cue_even_after_a_leading_clause():
    from assistant.generation.prompt import format_question

    from .conftest import ask

    cue = "Begin with Yes or No"
    assert cue in format_question(ask("Did Lutnick say the curbs were addressed?"))
    assert cue in format_question(
        ask("Between the Reuters report of June 10 and the one of June 11, was there a change?")
    )
    assert cue not in format_question(ask("Which official, speaking on June 11, addressed the curbs?"))


def test_a_question_offering_two_opposite_words_asks_for_one_of_them():
    from assistant.generation.prompt import format_question

    from .conftest import ask

    prompt = format_question(ask("After the Reuters report of June 10, was the coverage consistent or inconsistent?"))
    assert "Begin with Consistent or Inconsistent" in prompt and "Yes or No" not in prompt
    # Not "Pro or Anti": the words must be opposites; not in a "What ...?" question, where they are an idiom.
    assert "Begin with Yes or No" in format_question(ask("Was the deal pro or anti China?"))
    assert "Begin with" not in format_question(ask("What changed in the deal, for better or worse?"))


def test_the_cached_collection_is_used_only_while_unchanged_and_unfiltered(seeded, tmp_path):
    from ingest import Filters

    assistant = Assistant(seeded, llm=scripted(), collection_chars=8000)
    answerer = assistant.answerer
    question = answerer.read("Where were the talks held before the London agreement?")
    passages = assistant.hybrid(question, 5)
    assert not answerer.collection_applies(None)

    answerer.collection = answerer.small_collection()
    assert answerer.collection_applies(None) and not answerer.collection_applies(Filters(source="Reuters"))
    sources, _ = answerer.evidence(question, passages, None)
    assert sorted(s.passage.text for s in sources) == sorted(d.text for d in assistant.documents())

    (tmp_path / "new.txt").write_text("Rare earth prices rose after the talks, traders said on Friday.\n")
    assistant.ingest(tmp_path / "new.txt")
    assert not answerer.collection_applies(None)


def test_a_collection_too_large_to_cache_is_not(seeded):
    assert Assistant(seeded, llm=scripted()).answerer.small_collection()  # the seeds: 5,126 characters
    assert Assistant(seeded, llm=scripted(), collection_chars=1000).answerer.small_collection() is None
    assert Assistant(seeded, llm=scripted(), collection_chars=0).answerer.small_collection() is None
