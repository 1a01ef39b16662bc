from datetime import date

import pytest

from assistant.question import Expects, MentionedDate, aliases, mentioned_dates, mentioned_outlets, read_question

SOURCES = [
    "The Verge",
    "Wired",
    "TechCrunch",
    "The Independent - Sports",
    "The Independent - Travel",
    "Fortune",
    "BBC News",
]


def test_aliases_drop_sections_and_a_leading_the():
    assert aliases("The Independent - Sports") >= {"The Independent - Sports", "The Independent", "Independent"}
    assert aliases("The Roar | Sports Writers Blog") >= {"The Roar"}


def test_outlets_in_order_of_mention_and_only_when_capitalised():
    question = (
        "Between the report from Wired and the one from 'The Verge', did The Independent agree? A fortune was paid."
    )
    assert mentioned_outlets(question, SOURCES) == [
        ("Wired",),
        ("The Verge",),
        ("The Independent - Sports", "The Independent - Travel"),
    ]


def test_dates_with_and_without_years():
    question = "After the October 22, 2023 report and the one on November 16th, and 2023-12-15?"
    assert mentioned_dates(question) == [
        MentionedDate(10, 22, 2023),
        MentionedDate(11, 16),
        MentionedDate(12, 15, 2023),
    ]
    assert MentionedDate(11, 16).matches(date(2021, 11, 16)) and not MentionedDate(10, 22, 2023).matches(
        date(2022, 10, 22)
    )


def test_a_many_part_question_is_searched_part_by_part_in_the_outlets_each_part_names():
    question = (
        "Which company, reported by TechCrunch, spent billions to be the default search engine, "
        "was accused of manipulating results as reported by Wired, and unveiled new hardware?"
    )
    read = read_question(question, sources=SOURCES)
    assert [(p.text.split()[-1], p.outlets) for p in read.parts] == [
        ("engine", ("TechCrunch",)),  # "Which company" alone is too thin to search: it joins the next clause
        ("Wired", ("Wired",)),
        ("hardware?", ("TechCrunch", "Wired")),  # names no outlet: searched in all the question names
    ]
    assert read_question("What did Lutnick say about rare earths?", sources=SOURCES).parts == ()


@pytest.mark.parametrize(
    ("question", "speaker", "topic"),
    [
        ("What did Lutnick say about rare earths?", "Lutnick", "rare earths"),
        ("What did Ryanair's Michael Cawley say about the EU's new rules?", "Michael Cawley", "the EU's new rules"),
        ("What did Sir Alex Ferguson say about the draw with Fulham?", "Alex Ferguson", "the draw with Fulham"),
        ("What did Ken Mayland of ClearView Economics say about job growth?", "Ken Mayland", "job growth"),
        ("How did Commerce Secretary Howard Lutnick describe the deal?", "Howard Lutnick", "the deal"),
        ("According to Lutnick's remarks, what changed?", "Lutnick", "remarks, what changed"),
        ("What did Google say about its deals with Apple?", None, ""),  # nobody the articles quote
        # Titles before a name find the person; a surname one letter off is someone else, whom no article quotes.
        ("What did Lord Condon say about match-fixing?", "Condon", "match-fixing"),
        ("What did Dame Kelly Holmes say about her injury?", "Kelly Holmes", "her injury"),
        ("What did Baroness Scotland say about the courts?", "Scotland", "the courts"),
        ("What did Howard Lutnik say about rare earths?", None, ""),
        ("What did Michael Cawly say about the EU's new rules?", None, ""),
        ("Did Lutnick's deal with China hold?", None, ""),  # asks about him, not for his words
    ],
)
def test_a_question_asking_for_someones_words_names_the_speaker_and_the_topic(question, speaker, topic):
    read = read_question(
        question, speakers={"lutnick", "cawley", "ferguson", "mayland", "condon", "holmes", "scotland"}
    )
    assert (read.speaker, read.topic) == (speaker, topic)
    assert (read.expects is Expects.QUOTE) == (speaker is not None)
    # A first name and surname no article quotes is someone the articles never quote: the answer says so.
    unquoted = {"Lutnik": "Howard Lutnik", "Cawly": "Michael Cawly"}
    assert read.unquoted == next((name for key, name in unquoted.items() if key in question), None)


@pytest.mark.parametrize(
    ("question", "expects"),
    [
        ("How many WorldCom executives were indicted?", Expects.NUMBER),
        ("What is the population of Kuala Lumpur?", Expects.NUMBER),
        ("When is the next hearing expected?", Expects.DATE),
        ("How long is the contract he signed?", Expects.DURATION),
        ("Who hosted the awards ceremony?", Expects.PERSON),
        ("Where were the talks held before the London agreement?", Expects.NAME),
        ("Did the talks end in a deal?", Expects.VERDICT),
        ("Was the coverage consistent or inconsistent?", Expects.VERDICT),
        ("What must happen before the framework is implemented?", Expects.ANY),
        ("Considering the report from Reuters, did the talks end?", Expects.VERDICT),
        ("Considering the report from Reuters, which network, known for its initials, did she join?", Expects.NAME),
    ],
)
def test_what_a_question_asks_for_is_read_from_how_it_asks(question, expects):
    assert read_question(question).expects is expects


def test_a_question_asking_for_one_value_gets_a_constrained_reply_and_one_needing_prose_does_not():
    assert read_question("How many WorldCom executives were indicted?").one_value
    assert read_question("Which minerals did China restrict?").one_value
    assert not read_question("Did the talks end in a deal?").one_value  # a verdict, argued from the sources
    assert not read_question("What did Lutnick say about rare earths?", speakers={"lutnick"}).one_value
