from datetime import date

from assistant.question_hints import MentionedDate, aliases, mentioned_dates, mentioned_outlets, question_hints

SOURCES = ["The Verge", "Wired", "TechCrunch", "The Independent - Sports", "The Independent - Travel", "Fortune", "BBC News"]


def test_aliases_drop_sections_and_a_leading_the():
    assert aliases("The Independent - Sports") >= {"The Independent - Sports", "The Independent", "Independent"}
    assert aliases("The Roar | Sports Writers Blog") >= {"The Roar"}


def test_outlets_in_order_of_mention_and_only_when_capitalised():
    question = "Between the report from Wired and the one from 'The Verge', did The Independent agree? A fortune was paid."
    assert mentioned_outlets(question, SOURCES) == [
        ("Wired",),
        ("The Verge",),
        ("The Independent - Sports", "The Independent - Travel"),
    ]


def test_dates_with_and_without_years():
    question = "After the October 22, 2023 report and the one on November 16th, and 2023-12-15?"
    assert mentioned_dates(question) == [MentionedDate(10, 22, 2023), MentionedDate(11, 16), MentionedDate(12, 15, 2023)]
    assert MentionedDate(11, 16).matches(date(2021, 11, 16)) and not MentionedDate(10, 22, 2023).matches(date(2022, 10, 22))


def test_a_many_part_question_is_searched_part_by_part_in_the_outlets_each_part_names():
    question = (
        "Which company, reported by TechCrunch, spent billions to be the default search engine, "
        "was accused of manipulating results as reported by Wired, and unveiled new hardware?"
    )
    hints = question_hints(question, SOURCES)
    assert [(p.text.split()[-1], p.outlets) for p in hints.parts] == [
        ("engine", ("TechCrunch",)),  # "Which company" alone is too thin to search: it joins the next clause
        ("Wired", ("Wired",)),
        ("hardware?", ("TechCrunch", "Wired")),  # names no outlet: searched in all the question names
    ]
    assert question_hints("What did Lutnick say about rare earths?", SOURCES).parts == []


def test_people_count_as_speakers_only_in_questions_about_what_was_said():
    from assistant.question_hints import mentioned_speakers

    speakers = {"lutnick", "google"}
    assert mentioned_speakers("What did Lutnick say about rare earths?", speakers) == ["lutnick"]
    assert mentioned_speakers("According to Lutnick's remarks, what changed?", speakers) == ["lutnick"]
    assert mentioned_speakers("Did Google's deals with Apple hurt rivals?", speakers) == []
