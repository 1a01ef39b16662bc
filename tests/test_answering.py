"""The whole answering path on the real local backend, with the tiny SmolLM2 model for speed."""

from assistant import Answer, Assistant
from assistant.answering import earlier_question

from .conftest import LUTNICK_DOC

QUESTION = "What did Lutnick say about rare earths?"


def check_invariants(assistant: Assistant, answer: Answer) -> None:
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        assert assistant.document(citation.doc_id).text[citation.start : citation.end] == citation.quote
        assert f"[{citation.n}]" in answer.text
    if answer.refused:
        assert answer.citations == []


def test_stream_gives_deltas_then_a_checked_answer(seeded, tiny_model):
    assistant = Assistant(seeded, local_model_path=tiny_model)
    events = list(assistant.stream(QUESTION))
    *deltas, answer = events
    assert deltas and all(isinstance(d, str) for d in deltas)
    assert isinstance(answer, Answer) and answer.question == QUESTION
    assert answer.passages and answer.passages[0].doc_id == LUTNICK_DOC
    check_invariants(assistant, answer)
    assert assistant.ask(QUESTION).to_dict()["question"] == QUESTION


def test_evidence_comes_before_the_first_word(seeded, tiny_model):
    events = Assistant(seeded, local_model_path=tiny_model).stream(QUESTION, evidence=True)
    first = next(events)
    assert isinstance(first, list) and first[0].doc_id == LUTNICK_DOC
    assert isinstance(list(events)[-1], Answer)


def test_questions_far_from_every_article_are_refused_without_the_model(seeded, tiny_model):
    assistant = Assistant(seeded, local_model_path=tiny_model, min_relevance=0.99)
    events = list(assistant.stream("How do I bake sourdough bread?"))
    assert len(events) == 1
    assert events[0].refused and events[0].text == "The articles don't say."


def test_follow_up_is_searched_with_the_question_before_it(seeded, tiny_model):
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "He said … [1]"}]
    assert earlier_question(history) == QUESTION
    answer = Assistant(seeded, local_model_path=tiny_model).ask("And what did the U.S. offer in return?", history)
    assert QUESTION in answer.standalone_question
    assert any("lift some of its export controls" in p.text for p in answer.passages)


def test_warm_up_loads_the_model(seeded, tiny_model):
    from assistant.llm import load_llama

    load_llama.cache_clear()
    Assistant(seeded, local_model_path=tiny_model).warm_up()
    assert load_llama.cache_info().currsize == 1


def test_yes_no_questions_get_the_verdict_cue_even_after_a_leading_clause():
    from assistant.prompt import format_question

    cue = "Begin with Yes or No"
    assert cue in format_question("Did Lutnick say the curbs were addressed?", None)
    assert cue in format_question("Between the Reuters report of June 10 and the one of June 11, was there a change?", None)
    assert cue not in format_question("Which official, speaking on June 11, addressed the curbs?", None)
    assert cue not in format_question("What did Lutnick say?", "Did the talks end?")


def test_a_question_offering_two_opposite_words_asks_for_one_of_them():
    from assistant.prompt import format_question

    prompt = format_question("After the Reuters report of June 10, was the coverage consistent or inconsistent?", None)
    assert "Begin with Consistent or Inconsistent" in prompt and "Yes or No" not in prompt
    # Not "Pro or Anti": the words must be opposites; not in a "What ...?" question, where they are an idiom.
    assert "Begin with Yes or No" in format_question("Was the deal pro or anti China?", None)
    assert "Begin with" not in format_question("What changed in the deal, for better or worse?", None)


def test_recheck_puts_a_given_answer_through_the_same_retrieval_and_checks(seeded, tiny_model):
    assistant = Assistant(seeded, local_model_path=tiny_model)
    raw = "Lutnick said China's rare earth restrictions were addressed “as a fundamental part of the framework” [2]."
    answer = assistant.answerer.recheck(QUESTION, raw)
    assert not answer.refused and answer.passages[0].doc_id == LUTNICK_DOC
    assert answer.text.endswith("[1].") and "as a fundamental part of the framework" in answer.citations[0].quote
    check_invariants(assistant, answer)
    assert assistant.answerer.recheck(QUESTION, "Kuala Lumpur has 2 million people [1].").refused


def whole_texts(sources) -> list[str]:
    return [s.passage.text for s in sources if s.passage.start == 0 and s.passage.end == len(s.passage.text)]


def test_warm_up_caches_a_small_collection_as_every_questions_sources(seeded, tiny_model):
    from assistant.llm import load_llama

    assistant = Assistant(seeded, local_model_path=tiny_model, collection_chars=8000)
    assistant.warm_up()
    documents = assistant.documents()
    llm = assistant.answerer.llm
    llama, _ = load_llama(llm.model_path, llm.context_tokens, llm.threads)
    warmed = llama.input_ids[: llama.n_tokens].tolist()
    assistant.ask("Who led the Chinese delegation?")
    seen = llama.input_ids[: llama.n_tokens].tolist()
    # The question's prompt extends the warm-up's (all but its closing tokens), which llama.cpp reuses.
    assert seen[: len(warmed) - 8] == warmed[: len(warmed) - 8]
    prompt = llama.detokenize(seen).decode()
    for document in documents:
        assert document.text.strip().splitlines()[-1].split(". ")[-1] in prompt


def test_the_cached_collection_is_used_only_while_unchanged_and_unfiltered(seeded, tiny_model, tmp_path):
    from ingest import Filters

    assistant = Assistant(seeded, local_model_path=tiny_model, collection_chars=8000)
    answerer = assistant.answerer
    answer = answerer.retrieve(QUESTION, None, None)
    assert answerer.evidence(answer, None) and not whole_texts(answerer.evidence(answer, None)[0])

    answerer.collection = answerer.small_collection()
    assert sorted(whole_texts(answerer.evidence(answer, None)[0])) == sorted(d.text for d in assistant.documents())
    assert whole_texts(answerer.evidence(answer, Filters())[0])
    assert not whole_texts(answerer.evidence(answer, Filters(source="Reuters"))[0])

    (tmp_path / "new.txt").write_text("Rare earth prices rose after the talks, traders said on Friday.\n")
    assistant.ingest(tmp_path / "new.txt")
    assert not whole_texts(answerer.evidence(answer, None)[0])


def test_a_collection_too_large_to_cache_is_not(seeded, tiny_model):
    assert Assistant(seeded, local_model_path=tiny_model).answerer.small_collection()  # the seeds: 5,126 characters
    assert Assistant(seeded, local_model_path=tiny_model, collection_chars=1000).answerer.small_collection() is None
    assert Assistant(seeded, local_model_path=tiny_model, collection_chars=0).answerer.small_collection() is None
