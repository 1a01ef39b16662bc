import pytest

from assistant import Assistant
from ingest.document import Document
from ingest.statements import person_name, statements

from .conftest import LUTNICK_DOC, LUTNICK_QUOTE


def test_speakers_before_and_after_quotes_and_pronouns_resolved():
    text = (
        "Officials described the talks as “constructive but cautious,” in London.\n"
        "“We will implement the framework,” Lutnick said. He added that both sides made concessions.\n"
        "Kevin Hassett, Director of the National Economic Council, signaled an easing.\n"
        "“Nothing is final,” said Maria Lopez."
    )
    found = [(s.speaker, s.quoted, s.text[:20]) for s in statements(Document("d", text))]
    assert found == [
        ("Lutnick", True, "“We will implement t"),
        ("Lutnick", False, "He added that both s"),
        ("Kevin Hassett", False, "Kevin Hassett, Direc"),
        ("Maria Lopez", True, "“Nothing is final,” "),
    ]
    assert all(text[s.start : s.end] == s.text for s in statements(Document("d", text)))


@pytest.mark.parametrize(
    ("words", "name"),
    [
        ("U.S. Commerce Secretary Howard Lutnick", "Howard Lutnick"),
        ("Celtic's Neil Lennon", "Neil Lennon"),
        ("Electrolux chief executive Hans Straberg", "Hans Straberg"),
        ("Sir Alex Ferguson", "Alex Ferguson"),
        ("Mr Barot", "Barot"),
    ],
)
def test_titles_roles_and_possessors_are_not_names(words, name):
    assert person_name(words) == name


def test_who_said_what_is_indexed_and_drives_retrieval(seeded):
    assistant = Assistant(seeded)
    said = assistant.quotes("Lutnick")
    assert any(LUTNICK_QUOTE in s.text for s in said) and all(s.doc_id == LUTNICK_DOC for s in said)
    assert all(assistant.document(s.doc_id).text[s.start : s.end] == s.text for s in said)
    assert assistant.quotes("Howard Lutnick") == said
    [top] = assistant.search("What did Hassett say about chips?", k=1)
    assert "Kevin Hassett" in top.text
    assert assistant.delete(LUTNICK_DOC) and assistant.quotes("Lutnick") == []
