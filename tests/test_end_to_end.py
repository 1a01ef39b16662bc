"""The default local model (Qwen2.5-Coder-1.5B-Instruct) on the seed articles, as a user meets it."""

import pytest

from assistant import Assistant

from .conftest import LUTNICK_DOC, LUTNICK_QUOTE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant(seeded_index):
    return Assistant(seeded_index)


def test_lutnick_on_rare_earths_is_answered_and_cited_to_his_sentence(assistant):
    answer = assistant.ask("What did Lutnick say about rare earths?")
    assert not answer.refused, answer.text
    assert "fundamental part of the framework" in answer.text
    assert "[1]" in answer.text
    cited = [c for c in answer.citations if c.doc_id == LUTNICK_DOC and LUTNICK_QUOTE in c.quote]
    assert cited, answer.citations
    assert assistant.document(LUTNICK_DOC).text[cited[0].start : cited[0].end] == cited[0].quote


def test_a_question_the_articles_do_not_cover_is_refused_plainly(assistant):
    answer = assistant.ask("What is the population of Kuala Lumpur?")
    assert answer.refused, answer.text
    assert answer.text.startswith("The articles don't answer")
    assert not answer.citations or "the closest they come" in answer.text  # closest sentences only, labelled
