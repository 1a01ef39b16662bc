import numpy as np
import pytest

from assistant import Passage
from assistant.grounding.policy import Policy
from assistant.retrieval.fusion import diversify, interleave, reciprocal_rank_fusion
from assistant.retrieval.speakers import best_within, newest_first, on_topic, same_person
from ingest import Statement

from .conftest import make_passage


def test_fusion_rewards_agreement_between_rankings():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d", "a"]])
    assert list(fused)[:2] == ["b", "a"]
    assert next(iter(reciprocal_rank_fusion([["a", "b"], ["b", "a"]], [1.0, 0.5]))) == "a"
    assert set(fused) == {"a", "b", "c", "d"}


def passage(chunk_id: str, doc_id: str, text: str) -> Passage:
    return make_passage(text, chunk_id=chunk_id, doc_id=doc_id)


def test_diversity_caps_passages_per_article_and_drops_syndicated_copies():
    story = "The central bank raised interest rates by half a point on Thursday to fight inflation"
    ranked = [
        passage("1", "wire", story),
        passage("2", "wire", "Markets fell sharply after the announcement in early trading"),
        passage("3", "wire", "Analysts expect another rise before the end of the year"),
        passage("4", "copy", story + " sources said"),
        passage("5", "other", "Unemployment fell to a record low in the same month"),
    ]
    kept = diversify(ranked, k=4, max_per_document=2)
    assert [p.chunk_id for p in kept] == ["1", "2", "5"]


def test_interleaving_gives_every_ranking_a_turn_and_new_articles_first():
    article = {"a1": "A", "a2": "A", "b1": "B", "c1": "C"}
    assert interleave([["a1", "a2"], ["a2", "b1"], ["c1"]], article) == ["a1", "c1", "b1", "a2"]


def test_articles_from_one_template_are_not_taken_for_copies():
    sorcerer = "Diablo 4 Sorcerer build guide best skills aspects gems paragon boards leveling endgame"
    barbarian = "Diablo 4 Barbarian build guide best skills aspects gems paragon boards leveling endgame arsenal"
    kept = diversify([passage("1", "a", sorcerer), passage("2", "b", barbarian)], k=2, max_per_document=2)
    assert [p.chunk_id for p in kept] == ["1", "2"]


def test_a_persons_statements_show_newest_article_first_and_the_one_on_the_topic_first_within_it():
    def said(doc_id: str, start: int, text: str) -> Statement:
        return Statement(doc_id, "Ann Lee", text, start, start + len(text), quoted=True)

    older_on_topic = said("old", 0, "Tariffs on steel will rise.")
    first = said("new", 0, "We will implement the framework.")
    on_topic = said("new", 40, "Steel tariffs are part of the framework.")
    shown = newest_first([older_on_topic, first, on_topic], {"old": "2025-01-01", "new": "2025-02-01"}, "steel tariffs")
    assert shown == [on_topic, first, older_on_topic]


@pytest.mark.parametrize(
    ("asked", "speaker", "same"),
    [
        ("Democrat Mark Oaten", "Mark Oaten", True),  # an affiliation before the name
        ("Mark Oaten", "Mark Oaten", True),
        ("Oaten", "Mark Oaten", True),
        ("John Oaten", "Mark Oaten", False),
        ("J. Allard", "James Allard", True),
        # A surname one letter off is another person, not a typo to forgive.
        ("Barot", "Jacques Barrot", False),
        ("Lleyton Hewett", "Lleyton Hewitt", False),
    ],
)
def test_a_name_in_a_question_and_a_speakers_name(asked, speaker, same):
    assert same_person(asked, speaker) is same


def test_a_persons_own_quoted_words_rank_before_what_the_reporter_says_they_believe_and_copies_are_shown_once():
    reported = Statement("a", "Ann Lee", "Lee believes the steel deal is good.", 0, 36, quoted=False)
    quoted = Statement("a", "Ann Lee", '"The steel deal is good," said Lee.', 40, 75, quoted=True)
    copy = Statement("b", "Ann Lee", quoted.text, 0, 35, quoted=True)
    topic = np.array([1.0, 0.0])
    vectors = {"c1": np.array([1.0, 0.0]), "c2": np.array([1.0, 0.0])}
    grouped = [([reported], "c1"), ([quoted], "c1"), ([copy], "c2")]
    ranked = on_topic(grouped, "steel deal", topic, None, vectors, {}, own_words_bonus=0.3)
    assert ranked[0].statements[0].quoted and not ranked[-1].statements[0].quoted
    assert best_within(ranked, chars=1000) == [ranked[0].statements[0], reported]


def test_the_bonus_for_a_persons_own_words_ranks_their_runs_but_does_not_put_them_on_the_topic():
    off_topic = Statement("a", "Ann Lee", '"We played well in the second half," said Lee.', 0, 46, quoted=True)
    topic = np.array([1.0, 0.0])
    vectors = {"c1": np.array([0.4, 0.9165])}  # a cosine of 0.4 to the topic
    [run] = on_topic([([off_topic], "c1")], "the stadium plans", topic, None, vectors, {}, own_words_bonus=0.3)
    assert run.relevance == pytest.approx(0.4) and run.rank == pytest.approx(0.7)
    assert run.relevance < Policy().min_on_topic < run.rank  # ranked by the bonus, yet not on the stadium plans
