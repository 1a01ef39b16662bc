"""The constrained reply is our own logic: its schema, how a reply is read, and the checks that decide whether the
value it names stands, on invented articles and fixed replies."""

import pytest

from assistant.generation.evidence import split_passages
from assistant.generation.reply import RESPONSE_FORMAT, SCHEMA, Reply, format_sentences, numbered, parse_reply
from assistant.grounding.checker import no_rarity
from assistant.grounding.policy import Policy
from assistant.grounding.verification import (
    ANOTHER_EVENT,
    ECHO,
    NO_SENTENCE,
    NOT_SHOWN,
    NOT_VERBATIM,
    WRONG_KIND,
    holds,
    verify,
)
from assistant.types import Source

from .conftest import ask, make_passage

FESTIVAL = make_passage(
    "Film stars gathered in London on Saturday. "
    "The 2031 Riverside Festival Awards are being held at the Grand Hall in Market Square. "
    "Presented by Ada Quill, the glittering evening will be shown on TV at 8pm. "
    "Riverside paid $300,000 a year for the hall to its owner, Tom Reed. "
    "The festival also hired buses from Bluejet, a firm owned by two of its directors.",
    doc_id="festival",
    title="Stars gather for the awards",
    source="BBC News",
    published_at="2031-02-01",
)
SENTENCES = split_passages([FESTIVAL])[0]


def shown(*indexes: int) -> list[Source]:
    return [Source(1, FESTIVAL, [SENTENCES[i] for i in indexes])]


def check(question: str, n: int | None, answer: str | None, sources: list[Source]):
    return verify(ask(question, outlets=("BBC News",)), Reply(n, answer), numbered(sources), no_rarity, Policy())


def test_a_reply_is_the_schemas_object_or_no_reply():
    assert parse_reply('{"sentence": 2, "answer": " Ada Quill "}') == Reply(2, "Ada Quill")
    assert parse_reply('{"sentence": null, "answer": null}').none
    assert parse_reply("Ada Quill presented it [2].").none  # prose is no reply
    assert parse_reply('{"sentence": true, "answer": "x"}').none and parse_reply("[1, 2]").none
    assert SCHEMA["required"] == ["sentence", "answer"]
    assert RESPONSE_FORMAT == {"type": "json_object", "schema": SCHEMA}


def test_the_prompt_numbers_each_sentence_under_its_articles_header():
    text = format_sentences(shown(1, 2))
    assert text.splitlines()[0].startswith("From Stars gather for the awards (BBC News")
    assert text.splitlines()[1].startswith("[1] The 2031 Riverside") and text.splitlines()[2].startswith(
        "[2] Presented"
    )


def test_a_value_in_its_sentence_of_the_kind_asked_on_the_questions_event_stands():
    verified = check("Who presented the 2031 Riverside Festival Awards in Market Square?", 2, "Ada Quill", shown(1, 2))
    assert verified.answer == "Ada Quill" and verified.found and verified.found.sentence == SENTENCES[2]


@pytest.mark.parametrize(
    ("question", "n", "answer", "why"),
    [
        # The model found nothing, or named a sentence it was not shown.
        ("Who presented the 2031 Riverside Festival Awards?", None, None, NO_SENTENCE),
        ("Who presented the 2031 Riverside Festival Awards?", 7, "Ada Quill", NOT_SHOWN),
        # A value the sentence it names does not hold: another number, or one inside a longer one.
        ("How much did Riverside pay for the Grand Hall?", 3, "$350,000", NOT_VERBATIM),
        ("How much did Riverside pay for the Grand Hall?", 3, "00,000", NOT_VERBATIM),
        # A value of another kind than asked: a name to "how much", words that name no one to "who".
        ("How much did Riverside pay for the Grand Hall?", 3, "Tom Reed", WRONG_KIND),
        ("Who owns the Grand Hall used by Riverside?", 3, "the hall", WRONG_KIND),
        # The question's own words given back.
        ("What will the 2031 Riverside Festival Awards be shown on?", 2, "shown", ECHO),
        # The sentence speaks of something else: the broadcast, not the cameras; the hall's rent, not Bluejet.
        ("How many cameras filmed the 2031 Riverside Festival Awards in Market Square?", 2, "8pm", ANOTHER_EVENT),
        ("How much did Riverside pay Bluejet for the buses?", 3, "$300,000", ANOTHER_EVENT),
    ],
)
def test_a_reply_that_does_not_check_out_says_why(question, n, answer, why):
    verified = check(question, n, answer, shown(1, 2, 3))
    assert verified.found is None and verified.reason == why


def test_a_sentence_naming_none_of_the_questions_names_is_not_lent_them_by_its_article():
    # Shown alone, "Presented by Ada Quill, the glittering evening ..." does not say which evening.
    verified = check("Who presented the 2031 Riverside Festival Awards in Market Square?", 1, "Ada Quill", shown(2))
    assert verified.found is None and verified.reason == ANOTHER_EVENT


def test_a_value_is_held_as_whole_words():
    assert holds("They won 11-0 at home.", "11-0") and not holds("They won 11-0 at home.", "1-0")
    assert holds("It cost “$5m” in all.", '"$5m"') and not holds("Paid 2,500", "500")


def test_a_value_in_another_shown_sentence_than_the_one_named_stands_on_the_sentence_holding_it():
    verified = check("How much did Riverside pay a year for the Grand Hall?", 1, "$300,000", shown(1, 2, 3))
    assert verified.answer == "$300,000" and verified.found and verified.found.sentence == SENTENCES[3]
