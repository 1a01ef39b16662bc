"""Citation checking is our own logic: tested on fixed passages and fixed model outputs."""

import pytest

from assistant.answering import SentenceSimilarity
from assistant.generation.evidence import split_passages
from assistant.generation.prompt import format_sources
from assistant.grounding.checker import REFUSAL_TEXT, check_answer, cited_numbers, is_refusal, with_markers
from assistant.settings import Settings
from assistant.types import Passage, Source
from ingest import Embedder

from .conftest import SEEDS, ask, make_passage

TEXT = (SEEDS / "004_55ff5bb9beac7c01.txt").read_text()


def passage(start_phrase: str, end_phrase: str) -> Passage:
    start = TEXT.index(start_phrase)
    end = TEXT.index(end_phrase) + len(end_phrase)
    return make_passage(
        TEXT[start:end],
        start,
        chunk_id=f"c{start}",
        doc_id="004",
        title="Deal",
        source="Reuters",
        published_at="2025-06-11",
    )


RARE_EARTHS = passage("One of the most contentious", "in scope and impact.")
APPROVAL = passage("U.S. Commerce Secretary Howard Lutnick", "manufacturing sectors.")
SOURCES = [
    Source(n, p, sentences)
    for n, (p, sentences) in enumerate(zip([RARE_EARTHS, APPROVAL], split_passages([RARE_EARTHS, APPROVAL])), start=1)
]


def test_marker_parsing():
    assert cited_numbers("A claim [1][3] and [2, 4].") == [1, 3, 2, 4]
    assert with_markers("Lutnick said so.", [2, 1]) == "Lutnick said so [2][1]."


def test_supported_claim_keeps_its_citation_with_the_verbatim_sentence_and_offsets():
    answer = check_answer(
        "Lutnick said China's restrictions on rare earth exports were addressed “as a fundamental part of the framework” [1].",
        SOURCES,
    )
    assert not answer.refused and answer.dropped == []
    [citation] = answer.citations
    assert citation.n == 1 and citation.doc_id == "004"
    assert "as a fundamental part of the framework" in citation.quote
    assert TEXT[citation.start : citation.end] == citation.quote
    assert answer.text.endswith("[1].")


def test_wrong_number_is_repaired_and_numbers_follow_first_use():
    answer = check_answer("“If that is approved, we will then implement the framework,” Lutnick said [1].", SOURCES)
    [citation] = answer.citations
    assert citation.quote == "“If that is approved, we will then implement the framework,” Lutnick said."
    assert answer.text.endswith("[1].")


def test_numbers_that_point_to_no_source_never_reach_the_user():
    answer = check_answer("Lutnick said that if the deal is approved they will implement the framework [7].", SOURCES)
    assert "[7]" not in answer.text
    assert [c.n for c in answer.citations] == [1]


def test_unsupported_sentences_are_dropped():
    answer = check_answer(
        "The U.S. is expected to lift some export controls [1]. The deal is worth 40 billion dollars [1]. "
        "Kuala Lumpur has 2 million people [2].",
        SOURCES,
    )
    assert [d.sentence for d in answer.dropped] == [
        "The deal is worth 40 billion dollars.",
        "Kuala Lumpur has 2 million people.",
    ]
    assert "billion" not in answer.text and len(answer.citations) == 1


def test_an_answer_with_nothing_supported_is_a_refusal():
    answer = check_answer("The population of Kuala Lumpur is 1.8 million [1].", SOURCES)
    assert answer.refused and answer.text == REFUSAL_TEXT and answer.citations == []


def test_the_model_saying_the_sources_do_not_answer_is_a_refusal():
    assert is_refusal("The articles don't say.") and is_refusal("The sources do not mention the population.")
    assert not is_refusal("Lutnick did not say when.")
    answer = check_answer("The articles don't say.", SOURCES)
    assert answer.refused and answer.text == "The articles don't say."


def test_two_claims_from_one_passage_cite_their_own_sentences():
    answer = check_answer(
        "Lutnick said the rare earth restrictions were addressed as a fundamental part of the framework [1]. "
        "He said Washington's rollback would match Beijing's in scope and impact [1].",
        SOURCES,
    )
    assert [c.n for c in answer.citations] == [1, 2]
    assert answer.citations[0].quote != answer.citations[1].quote
    assert all(TEXT[c.start : c.end] == c.quote for c in answer.citations)


def test_words_in_quotation_marks_must_be_the_articles_own():
    answer = check_answer(
        "Lutnick said the rare earth restrictions were “a historic win for American workers” [1].", SOURCES
    )
    assert answer.refused and answer.dropped


def test_a_yes_or_no_verdict_stays_while_its_reasons_are_checked():
    answer = check_answer(
        "Yes, both outlets agreed the rollback would match Beijing's in scope and impact [1]. No one disputed it.",
        SOURCES,
    )
    assert answer.text.startswith("Yes. ") and answer.text.endswith("[1].")
    assert [d.sentence for d in answer.dropped] == ["No one disputed it."]
    assert check_answer("No, the deal is worth 40 billion dollars [1].", SOURCES).text == REFUSAL_TEXT


def test_only_the_opening_sentence_carries_a_verdict():
    answer = check_answer(
        "No, Reuters does not report that. Yes, Lutnick said China's rare earth restrictions were addressed [1].",
        SOURCES,
    )
    assert answer.text.startswith("No. Lutnick said") and "Yes" not in answer.text


def test_to_a_question_offering_two_words_the_verdict_is_the_word_chosen():
    question = "Was Reuters' report of the deal consistent or inconsistent with Beijing's rare earth rollback?"
    reason = "The rollback would match Beijing's in scope and impact [1]."
    for opening, verdict in [
        ("Yes, the report was consistent.", "Consistent."),
        ("Consistent or Inconsistent: the report was consistent.", "Consistent."),
        ("No, the report was not consistent.", "Inconsistent."),
        ("Inconsistent.", "Inconsistent."),
    ]:
        answer = check_answer(f"{opening} {reason}", SOURCES, ask(question))
        assert answer.text.startswith(f"{verdict} The rollback") and answer.text.endswith("[1]."), opening
    # A bare "Yes" chooses neither word, and a verdict with nothing supported is still a refusal.
    assert check_answer(f"Yes. {reason}", SOURCES, ask(question)).text.startswith("The rollback")
    assert check_answer("Consistent. The deal is worth 40 billion dollars [1].", SOURCES, ask(question)).refused


def test_outlet_and_date_in_the_source_header_support_a_claim():
    answer = check_answer(
        "Reuters reported on June 11, 2025 that Lutnick said China's rare earth restrictions were addressed [1].",
        SOURCES,
    )
    assert not answer.refused, answer.dropped


def test_a_sentence_joining_two_sources_cites_both():
    answer = check_answer(
        "Both sides made concessions that strained supply chains, and the minerals are vital for semiconductors and military hardware.",
        SOURCES,
    )
    assert [c.n for c in answer.citations] == [1, 2] and answer.text.endswith("[1][2].")
    assert {c.quote[:20] for c in answer.citations} == {"These minerals are v", "He added that both p"}


def test_when_the_answer_itself_is_unsupported_its_supported_asides_do_not_make_an_answer():
    answer = check_answer(
        "The population of Kuala Lumpur is 7.5 million [1]. This is in the first source, which says "
        "Lutnick said China's rare earth restrictions were addressed “as a fundamental part of the framework” [1].",
        SOURCES,
    )
    assert answer.refused and answer.text == REFUSAL_TEXT and answer.citations == []


QUESTION = "Which cabinet member, asked about the tentative pact, linked the concessions on rare earth magnets to the framework?"


def test_words_of_the_question_are_given_and_what_the_answer_adds_must_be_in_the_source():
    restated = "{} is the cabinet member who, asked about the tentative pact, linked the concessions on rare earth magnets to the framework [1]."
    answer = check_answer(restated.format("Howard Lutnick"), SOURCES, ask(QUESTION))
    assert not answer.refused and "Lutnick" in answer.citations[0].quote
    assert check_answer(restated.format("Howard Lutnick"), SOURCES).refused  # without the question, most is unsupported
    assert check_answer(restated.format("Kevin Hassett"), SOURCES, ask(QUESTION)).refused


TALKS_TEXT = (SEEDS / "000_55805cb21f20d652.txt").read_text()
TALKS_START = TALKS_TEXT.index("The Chinese delegation, led by")
TALKS_END = TALKS_TEXT.index("in the coming weeks.") + len("in the coming weeks.")
TALKS = make_passage(
    TALKS_TEXT[TALKS_START:TALKS_END],
    TALKS_START,
    doc_id="000",
    title="Talks",
    source="Bloomberg",
    published_at="2025-06-10",
)
THREE = [*SOURCES, Source(3, TALKS, split_passages([TALKS])[0])]


def test_a_compound_sentence_cites_the_source_of_each_clause():
    answer = check_answer(
        "Yes, Vice Premier He Lifeng led the Chinese delegation, while Lutnick said the framework would be implemented "
        "if approved, and the U.S. is expected to lift some of its export controls in exchange.",
        THREE,
    )
    assert answer.text.startswith("Yes. ") and not answer.dropped
    assert [c.quote[:12] for c in answer.citations] == ["The Chinese ", "“If that is ", "In exchange,"]
    invented = check_answer(
        "Vice Premier He Lifeng led the Chinese delegation, while Lutnick said Kuala Lumpur has 2 million people.",
        THREE,
    )
    assert invented.refused


def test_a_name_from_the_question_needs_a_source_that_is_about_it():
    question = "Did Pamela Anderson comment on the export controls?"
    answer = check_answer(
        "Pamela Anderson said the U.S. is expected to lift some of its export controls [1].", SOURCES, ask(question)
    )
    assert answer.refused
    # The source on the rollback names Lutnick, not "Howard": the question's other name vouches for it.
    question = "What did Howard Lutnick say about President Trump's approach?"
    answer = check_answer(
        "Howard Lutnick said Washington's rollback would match Beijing's in scope and impact [1].",
        SOURCES,
        ask(question),
    )
    assert not answer.refused and "rollback" in answer.citations[0].quote


def test_the_header_names_outlet_and_date_and_skips_a_title_the_text_repeats():
    assert SOURCES[0].header == "Deal (Reuters, June 11, 2025)"
    derived = make_passage(TEXT[:300], doc_id="004", title=TEXT[:40] + "…")
    [source] = [Source(1, derived, split_passages([derived])[0])]
    assert source.header == "" and format_sources([source]).startswith("[1] " + TEXT[:40])


@pytest.fixture(scope="module")
def similarity():
    return SentenceSimilarity(Embedder(Settings().model_cache_dir))


RESTATING_QUESTION = (
    "Does Reuters say the disagreement over China's curbs on critical minerals was settled in the framework, "
    "while Bloomberg reports that the Chinese delegation was headed by a vice premier?"
)


def test_an_answer_that_restates_the_question_needs_each_part_close_to_a_sentence_of_the_outlet_it_names(similarity):
    restated = RESTATING_QUESTION.replace("Does Reuters say", "Yes, Reuters says").rstrip("?") + "."
    answer = check_answer(restated, THREE, ask(RESTATING_QUESTION), similarity)
    assert answer.text.startswith("Yes. Reuters says") and answer.text.endswith("[1][2].")
    assert [c.quote[:20] for c in answer.citations] == ["One of the most cont", "The Chinese delegati"]
    assert check_answer(restated, THREE, None, similarity).refused  # not a restatement without the question
    # The same words, each part put in the other outlet's mouth: Reuters does not say who headed the delegation.
    swapped = (
        RESTATING_QUESTION.replace("Reuters", "OUTLET").replace("Bloomberg", "Reuters").replace("OUTLET", "Bloomberg")
    )
    wrong = swapped.replace("Does Bloomberg say", "Yes, Bloomberg says").rstrip("?") + "."
    assert check_answer(wrong, THREE, ask(swapped), similarity).refused


def test_the_name_a_restating_answer_adds_must_be_in_every_source_it_rests_on(similarity):
    question = "Who led the Chinese delegation in the talks, according to Bloomberg?"
    kept = check_answer(
        "He Lifeng led the Chinese delegation in the talks, according to Bloomberg.", THREE, ask(question), similarity
    )
    assert not kept.refused and kept.citations[0].quote.startswith("The Chinese delegation")
    invented = check_answer(
        "Wang Yi led the Chinese delegation in the talks, according to Bloomberg.", THREE, ask(question), similarity
    )
    assert invented.refused


def test_a_restatement_naming_the_answer_needs_half_of_the_questions_description_borne_out(similarity):
    question = (
        "Which official, reported by Reuters as saying the restrictions on rare earth exports were a fundamental part "
        "of the framework, also cited President Trump's approach to trade, and was born in 1961?"
    )
    described = (
        "The official reported by Reuters as saying the restrictions on rare earth exports were a fundamental part of "
        "the framework, who also cited President Trump's approach to trade, and was born in 1961, is {}."
    )
    # Two of the three parts are in the sources, from one that names him; his birth year is the user's premise.
    kept = check_answer(described.format("Lutnick"), THREE, ask(question), similarity)
    assert not kept.refused and [c.quote[:20] for c in kept.citations] == [
        "One of the most cont",
        "Lutnick cited Presid",
    ]
    assert check_answer(described.format("Wang Yi"), THREE, ask(question), similarity).refused
    mars = "also flew to Mars on a private rocket last winter"
    one_of_three = described.replace("also cited President Trump's approach to trade", mars).format("Lutnick")
    asked = question.replace("also cited President Trump's approach to trade", mars)
    assert check_answer(one_of_three, THREE, ask(asked), similarity).refused
    # After a Yes there is no answer to describe: every part is the claim.
    yes = "Yes, Reuters reports that Lutnick cited President Trump's approach to trade, and that he was born in 1961."
    assert check_answer(
        yes,
        THREE,
        ask(
            "Does Reuters report that Lutnick cited President Trump's approach to trade, and that he was born in 1961?"
        ),
        similarity,
    ).refused
    # Nor is a capitalised word the question lacks an answer that half the parts would do for.
    mars = "Does Reuters report that Lutnick cited President Trump's approach to trade, and that he flew to Mars on a rocket?"
    yes = (
        "Yes, Reuters reports that Lutnick cited President Trump's approach to trade in Washington, and that he flew to "
        "Mars on a rocket yesterday."
    )
    assert check_answer(yes, THREE, ask(mars), similarity).refused


def test_what_a_restatement_says_an_outlet_reported_is_compared_without_the_articles_description():
    # Scripted: the article's description makes the whole part far from every sentence; only what the part says
    # Bloomberg reported is close to one.
    reported = "the sides are close to a preliminary framework"

    def similarity(claim: str, sentences: list[str]) -> list[float]:
        return [0.9 if claim.startswith(reported) and s.startswith("Sources close") else 0.2 for s in sentences]

    question = f"Does the Bloomberg piece about shipping costs and port congestion indicate that {reported}?"
    yes = "Yes, the Bloomberg piece about shipping costs and port congestion indicates that {}."
    answer = check_answer(yes.format(reported), THREE, ask(question), similarity)
    assert not answer.refused and answer.citations[0].quote.startswith("Sources close to the discussions")
    # Without a "that" clause there is nothing reported to compare apart: the whole part stays far.
    unsaid = "the Bloomberg piece about shipping costs and port congestion says so"
    assert check_answer(f"Yes, {unsaid}.", THREE, ask(f"Does {unsaid}?"), similarity).refused


def test_true_claims_that_answer_another_question_are_a_refusal():
    claim = "China's restrictions on rare earth exports were addressed as a fundamental part of the framework [1]."
    off_topic = check_answer(claim, THREE, ask("Which company cut its office space in New York by one floor?"))
    assert off_topic.refused and off_topic.text == REFUSAL_TEXT and off_topic.dropped
    asked_of_bloomberg = check_answer(claim, THREE, ask("According to Bloomberg, what was part of the framework?"))
    assert asked_of_bloomberg.refused  # the sentence is Reuters'
    assert not check_answer(claim, THREE, ask("According to Reuters, what was part of the framework?")).refused


def test_a_claim_is_attributed_to_whoever_its_sentence_names():
    whole = make_passage(TEXT, doc_id="004", title="Deal", source="Reuters", published_at="2025-06-11")
    [article] = [Source(1, whole, sentences) for sentences in split_passages([whole])]
    # The article names Lutnick, but only Li said this.
    li = "the framework provides a clear path to implement previous commitments [1]."
    assert check_answer(f"Li said {li}", [article]).citations
    assert check_answer(f"Lutnick said {li}", [article]).refused
    # "Specifically" is no name: a claim may open with it.
    assert check_answer(f"Specifically, Li said {li}", [article]).citations


def test_he_is_whoever_the_sentence_before_named():
    whole = make_passage(TEXT, doc_id="004", title="Deal", source="Reuters", published_at="2025-06-11")
    [article] = [Source(1, whole, sentences) for sentences in split_passages([whole])]
    step = "He described the outcome as a “constructive step” toward long-term economic stability [1]."
    assert check_answer(f"Li Chenggang confirmed the provisional consensus [1]. {step}", [article]).dropped == []
    after_lutnick = check_answer(
        f"Lutnick said “If that is approved, we will then implement the framework” [1]. {step}", [article]
    )
    assert [d.sentence for d in after_lutnick.dropped] == [step.removesuffix(" [1].") + "."]
    # "He Lifeng" is a name, not a pronoun.
    assert check_answer(
        "He Lifeng led the Chinese delegation [1].", [source_of(SEEDS / "000_55805cb21f20d652.txt")]
    ).citations


def test_two_whole_articles_together_support_a_claim_only_sentence_by_sentence():
    articles = [source_of(path, n) for n, path in enumerate(sorted(SEEDS.glob("*.txt")), start=1)]
    # Li confirmed the consensus, in the London article; Lutnick is named in it too, but not there.
    misattributed = (
        "Howard Lutnick, the U.S. Commerce Secretary, confirmed the provisional consensus reached in talks in Kuala "
        "Lumpur aimed at easing escalating trade tensions and dismantling mutual export restrictions."
    )
    assert check_answer(misattributed, articles).refused
    joined = (
        "Trade negotiators met in Kuala Lumpur on the sidelines of the ASEAN summit, and rare earth magnet exports "
        "were addressed as a fundamental part of the framework."
    )
    assert [c.doc_id for c in check_answer(joined, articles).citations] == ["000", "004"]


def test_a_nationality_is_named_by_its_country():
    answer = check_answer("Lutnick said the Chinese restrictions on rare earth exports were addressed [1].", SOURCES)
    assert answer.citations and "China’s restrictions" in answer.citations[0].quote


def source_of(path, n: int = 1) -> Source:
    text = path.read_text()
    whole = make_passage(text, doc_id=path.stem[:3], source="Reuters", published_at="2025-06-11")
    return Source(n, whole, split_passages([whole])[0])


def test_after_a_wrong_first_claim_a_claim_about_the_person_asked_about_still_answers():
    whole = make_passage(TEXT, doc_id="004", title="Deal", source="Reuters", published_at="2025-06-11")
    [article] = [Source(1, whole, sentences) for sentences in split_passages([whole])]
    raw = (
        "Lutnick said the framework provides a clear path to implement previous commitments [1]. Lutnick said rare "
        "earth exports were addressed “as a fundamental part of the framework” [1]."
    )
    answer = check_answer(raw, [article], ask("What did Lutnick say about rare earths?"))
    assert answer.text.startswith("Lutnick said rare earth") and len(answer.dropped) == 1
    # Asked about no one, the wrong first claim was the answer.
    assert check_answer(raw, [article], ask("What was said about rare earths?")).refused


def test_a_source_may_write_a_name_as_its_initials(similarity):
    text = "SBF, as he is known, has pleaded not guilty to seven charges of fraud and conspiracy."
    trial = make_passage(text, doc_id="sbf", title="The trial", source="TechCrunch", published_at="2023-10-01")
    sources = [Source(1, trial, split_passages([trial])[0])]
    claim = "Sam Bankman-Fried has pleaded not guilty to seven charges of fraud and conspiracy [1]."
    assert check_answer(claim, sources).citations
    assert check_answer(claim.replace("Sam Bankman-Fried", "Sam Altman"), sources).refused
    # A restatement naming the answer: the source names it, by its initials.
    question = (
        "Who, according to TechCrunch, has pleaded not guilty to seven charges of fraud and conspiracy in federal court "
        "before the jury at his trial this week?"
    )
    restated = question.replace("Who", "Sam Bankman-Fried").replace("?", ".")
    assert not check_answer(restated, sources, ask(question), similarity).refused
    assert check_answer(restated.replace("Sam Bankman-Fried", "Sam Altman"), sources, ask(question), similarity).refused


def test_a_restatement_is_split_into_its_clauses_but_not_inside_a_date():
    from assistant.grounding.restatements import restated_parts

    claim = (
        "The Roar on October 18, 2023 reports that the All Blacks play for themselves, "
        "while The Age on October 26, 2023 reports that the Springboks play for their country"
    )
    assert restated_parts(claim) == [
        "The Roar on October 18, 2023 reports that the All Blacks play for themselves",
        "The Age on October 26, 2023 reports that the Springboks play for their country",
    ]


# An answer must answer: rules of the grounding policy, each on a claim that its rule alone keeps out.
KUALA_LUMPUR = source_of(SEEDS / "000_55805cb21f20d652.txt")
ELECTION = make_passage(
    "The tables below show the participation rate for each Parliamentary constituency in Britain.",
    doc_id="poll",
    title="Turnout by seat",
    source="BBC News",
)


@pytest.mark.parametrize(
    ("question", "claim", "reason"),
    [
        # Every word of the claim is the question's: it restates, and answers nothing.
        (
            "Who led the Chinese delegation in Kuala Lumpur?",
            "The Chinese delegation led the Chinese delegation in Kuala Lumpur [1].",
            "it only restates the question",
        ),
        # The claim rests on a sentence sharing one word with the question, from an article about something else.
        (
            "What topics were on the table in Kuala Lumpur?",
            "The tables below show the participation rate for each Parliamentary constituency in Britain [2].",
            "no cited source supports it",
        ),
        # To "how many", a claim without a number the question lacks gives nothing asked for.
        (
            "How many delegates did China send to Kuala Lumpur?",
            "Vice Premier He Lifeng led the Chinese delegation in intensive talks with U.S. officials [1].",
            "it does not give what the question asks for",
        ),
    ],
)
def test_a_claim_that_does_not_answer_the_question_is_dropped(question, claim, reason):
    sources = [KUALA_LUMPUR, Source(2, ELECTION, split_passages([ELECTION])[0])]
    answer = check_answer(claim, sources, ask(question, outlets=("Reuters", "BBC News")))
    assert answer.refused and [d.reason for d in answer.dropped] == [reason]


def test_to_a_one_part_question_two_articles_never_add_up_to_one_claim():
    def source(n: int, doc_id: str, text: str) -> Source:
        passage = make_passage(text, doc_id=doc_id, title="Music", source="BBC News", published_at="2005-01-01")
        return Source(n, passage, split_passages([passage])[0])

    sources = [
        source(
            1, "a", "A box set featuring 68 unreleased Nirvana tracks has gone on sale in the US, after legal wrangles."
        ),
        source(
            2,
            "b",
            "More than 72,000 copies of the new Band Aid single were sold on its first day of release on Monday.",
        ),
    ]
    conflated = "The box set featuring 68 unreleased Nirvana tracks sold 72,000 copies on its first day of release [1]."
    assert check_answer(
        conflated, sources, ask("How many copies did the Nirvana box set sell on its first day?")
    ).refused
    # Asked nothing in particular (or a question of several parts), two sources may together support a sentence.
    assert [c.doc_id for c in check_answer(conflated, sources).citations] == ["a", "b"]
