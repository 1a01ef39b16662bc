"""Choosing the sentences the model sees, with real sentence embeddings."""

import pytest

from assistant import Passage
from assistant.answering import SentenceSimilarity
from assistant.generation.evidence import select_evidence, split_passages
from assistant.grounding.checker import no_rarity
from assistant.settings import Settings
from ingest import Embedder

from .conftest import ask, make_passage


@pytest.fixture(scope="module")
def similarity():
    return SentenceSimilarity(Embedder(Settings().model_cache_dir))


def passage(doc_id: str, source: str, text: str) -> Passage:
    return make_passage(text, doc_id=doc_id, title=f"{source} story", source=source, published_at="2023-11-24")


VERGE = passage(
    "v1",
    "The Verge",
    "Apple defended its search deal with Google in court. Apple said there was no valid alternative to Google search. "
    "The judge asked Apple more about the search deal with Google.",
)
WIRED = passage(
    "w1",
    "Wired",
    "Google's search deal with Apple was back in court this week. Analysts say the deal shaped the browser market "
    "for a decade. The weather in San Francisco was mild.",
)


def test_each_part_of_the_question_gets_its_sentence_from_the_outlet_it_names(similarity):
    question = "Did The Verge report that Apple defended its search deal with Google, while Wired said the deal shaped the browser market?"
    sources = select_evidence(ask(question), [VERGE, WIRED], similarity, no_rarity, budget_chars=120)
    assert [s.passage.source for s in sources] == ["The Verge", "Wired"]
    assert "defended its search deal" in sources[0].text
    # Wired's sentence closest to the whole question is about the court; the part naming Wired asks for the market.
    assert "shaped the browser market" in sources[1].text


def test_the_budget_bounds_what_the_question_as_a_whole_adds(similarity):
    question = "What did Apple say about its search deal with Google?"
    sources = select_evidence(ask(question), [VERGE, WIRED], similarity, no_rarity, budget_chars=120)
    assert sum(len(s.text) for s in sources) <= 120 and sources
    everything = select_evidence(ask(question), [VERGE, WIRED], similarity, no_rarity, budget_chars=10_000)
    assert [e.text for s in everything for e in s.sentences] == [
        e.text for g in split_passages([VERGE, WIRED]) for e in g
    ]
