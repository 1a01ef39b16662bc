"""The grounding policy: every threshold that decides whether a sentence may stand in an answer, in one place.

Each says what it trades (what a higher value keeps out, and what it costs) and where it was measured. "MultiHop
dev" is the 250 MultiHop-RAG questions (bench/answers.py --recheck on stored answers); "BBC tune" is the half of the
90 hand-written BBC questions with odd numbers, the other half being only reported on (bench/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    # --- A claim and the source sentence it rests on (support.py) ------------------------------------------------
    # Share of the words a claim adds to the question that its sentence, with its neighbours and the header, holds.
    # Higher keeps out claims that borrow a few of a source's words; lower lets paraphrase through. MultiHop dev.
    min_window_coverage: float = 0.6
    # Share of those words in the one sentence that becomes the quote: the quote must carry the claim, not its
    # neighbours. MultiHop dev.
    min_sentence_coverage: float = 0.34
    # Share of all the claim's words (the question's too) in that window: a claim restating the question must still
    # be the source's. MultiHop dev.
    min_share: float = 0.3
    # Embedding cosine at which a paraphrase counts whatever its words: above it, rewordings of one sentence pass;
    # below it, "Amazon expands its network" and "Amazon's ever-expanding Kindle lineup" would. MultiHop dev.
    strong_similarity: float = 0.75
    # A sentence joining two sources ("Both reports say ...") needs nearly all its words from the pair.
    min_joint_coverage: float = 0.75

    # --- Answers that restate the question (restatements.py) ------------------------------------------------------
    # Share of a claim's words that are the question's, at which it restates the question.
    restated: float = 0.8
    # Cosine each restated part needs to a sentence of the outlet it names. At 0.45 a null query got through
    # ("Amazon ... expanding its rural wireless network" on "ever-expanding Kindle lineup"). MultiHop dev, null queries.
    restated_similarity: float = 0.5
    # Share of a name answer's restated description that sources naming it must bear out. At 0.25 two wrong names
    # got through; 0.4 gained one right answer on MultiHop dev, not taken for one question.
    min_described: float = 0.5

    # --- Does a cited sentence answer the question asked (answerability.py) ---------------------------------------
    # Share of the question's subject (its content words weighted by rarity, names double) that the cited
    # sentence, the one before it and its article's header must hold, and at least one name the question gives if
    # it gives any. Higher keeps out sentences sharing a word or two with the question ("the tables below" for
    # "on the table in Kuala Lumpur"); lower lets answers use other words than the question. BBC tune.
    min_about: float = 0.25

    # --- A constrained reply (verification.py) -------------------------------------------------------------------
    # Share of the question's subject (rarer words weigh more, names double, and a name it gives must be there) that
    # the named sentence, with its headline and the sentence before it, must hold. BBC tune.
    min_reply_about: float = 0.55
    # Share of what the question asks about besides its names that the sentence itself must hold: "the attendance" of
    # a match is not answered by the sentence with its score. BBC tune (facts and unanswerable questions).
    min_reply_relation: float = 0.5

    # --- A refusal shows the closest the articles come (answering.py) -------------------------------------------
    # How many shown sentences a refusal quotes as the closest to the question, and the embedding cosine each needs:
    # below it a sentence is not close, only shown. BBC tune (unanswerable questions).
    closest_sentences: int = 2
    min_closest_similarity: float = 0.35

    # --- Evidence shown to the model (generation/evidence.py) ----------------------------------------------------
    # Weight of the share of the question's words in a sentence, against its cosine to the question.
    lexical_weight: float = 0.5
    # A passage's best sentence is shown only if it scores this share of the best sentence overall.
    min_relative_score: float = 0.5
    # Weight of the share of what the question asks about, its names aside, in the sentence itself: the sentence
    # that answers says what happened ("a decision is expected by mid-March"); the ones around it name who.
    relation_weight: float = 0.5
    # Bonus for a sentence holding a value of the kind the question asks for (a number for "how many").
    answer_kind_bonus: float = 0.3

    # --- Who said what (retrieval/speakers.py) ---------------------------------------------------------------------
    # A statement keeps to the topic asked about when its cosine to the topic (its chunk's and its own, averaged) plus
    # the share of the topic's words in it and its headline reaches this; the bonus for the person's own words ranks,
    # it does not count here. Lower quotes a person on other things they said. BBC tune: the 20 said questions' best
    # runs score 0.72 and up, the best runs of 5 people quoted only on other things 0.14-0.53 (bench-quoted-*).
    min_on_topic: float = 0.65
    # Weight of the article's rank among those the whole question found (over rank + 1): the search knows which
    # article is about the topic better than one sentence's words do. BBC tune.
    said_search_weight: float = 0.5
    # Added to a run holding the person's own words in quotation marks: "what did X say" asks for them, before what
    # the reporter says X believes. BBC said questions.
    own_words_bonus: float = 0.3
    # Runs of a person's statements ranked by their own words as well as their chunk's: the best this many by the
    # chunk (embedding a run costs milliseconds, and some people are quoted in hundreds of articles).
    said_runs_embedded: int = 12
    # Characters of a person's statements in an answer: the best on the topic, whole sentences.
    statement_chars: int = 800


POLICY = Policy()
