"""Who said what, at question time: the person a name stands for, their statements, and those on the topic asked.

"Lutnick", "Howard Lutnick" and "Commerce Secretary Howard Lutnick" name one person; "Gordon Brown" and "Ian Brown"
are two, and a question naming one never gets the other's words; nor does "Barot" get Barrot's: a surname one letter
off is another person, not a typo to forgive. A surname alone stands for everyone the articles
name with it, and each statement keeps the full name it was said under.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingest import Filters, Statement
from ingest.index.catalog import Catalog
from ingest.statements import person_name, speaker_key
from ingest.text.terms import stems


@dataclass(frozen=True)
class Said:
    """A run of a person's consecutive sentences in one article (a quotation, with the sentence leading it in), the
    chunk holding its first, and how closely it keeps to the topic asked about."""

    statements: tuple[Statement, ...]
    chunk_id: str
    relevance: float = 0.0  # how closely it keeps to the topic
    found: float = 0.0  # how high the search for the whole question ranked its article
    own: float = 0.0  # the bonus for the person's own quoted words: it ranks, it does not make a run on the topic

    @property
    def rank(self) -> float:
        return self.relevance + self.found + self.own

    @property
    def doc_id(self) -> str:
        return self.statements[0].doc_id

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.statements)


def same_person(asked: str, speaker: str) -> bool:
    """Whether a name in a question and a speaker's name can be one person: the same surname, and the same first
    name where both give one."""
    asked_words, speaker_words = asked.lower().split(), speaker.lower().split()
    if not asked_words or not speaker_words:
        return False
    if asked_words[-1] != speaker_words[-1]:
        # A family name written first ("Li" for "Li Chenggang") names its owner only when it is all that is given.
        return len(asked_words) == 1 and asked_words[0] == speaker_words[0] and len(speaker_words) == 2
    if len(asked_words) >= 2 and len(speaker_words) >= 2:
        # Any word before the surname may be the first name: "Liberal Democrat Mark Oaten" is Mark Oaten.
        other = speaker_words[0].rstrip(".")
        return any(
            first == other or (min(len(first), len(other)) == 1 and first[0] == other[0])  # "J. Allard"
            for first in (word.rstrip(".") for word in asked_words[:-1])
        )
    return True


def statements_of(catalog: Catalog, asked: str, filters: Filters | None = None) -> list[tuple[Statement, str]]:
    """Everything the person ``asked`` names said, newest first, each with its chunk's id."""
    name = person_name(asked) or asked
    return [pair for pair in catalog.statements([speaker_key(name)], filters) if same_person(name, pair[0].speaker)]


def runs(said: Sequence[tuple[Statement, str]], text_between: dict[str, str]) -> list[tuple[list[Statement], str]]:
    """Consecutive statements of one speaker in one article, as runs: a quotation goes on over several sentences."""
    grouped: list[tuple[list[Statement], str]] = []
    for statement, chunk_id in sorted(said, key=lambda pair: (pair[0].doc_id, pair[0].start)):
        if grouped:
            last = grouped[-1][0][-1]
            text = text_between.get(statement.doc_id, "")
            if (
                last.doc_id == statement.doc_id
                and last.speaker == statement.speaker
                and not text[last.end : statement.start].strip()
            ):
                grouped[-1][0].append(statement)
                continue
        grouped.append(([statement], chunk_id))
    return grouped


def on_topic(
    grouped: Sequence[tuple[list[Statement], str]],
    topic: str,
    topic_vector: np.ndarray,
    run_vectors: np.ndarray | None,
    chunk_vectors: dict[str, np.ndarray],
    titles: dict[str, str],
    searched: Sequence[str] = (),
    search_weight: float = 0.0,
    own_words_bonus: float = 0.0,
) -> list[Said]:
    """The ``runs`` of statements ranked by how closely they keep to the topic and by ``search_weight`` over one more
    than the rank of their article among those the whole question found (``searched``, doc ids best first).
    Closeness is the cosine of the topic to the chunk holding the run, which carries the headline and what the run
    answers, averaged with its cosine to the run itself where ``run_vectors`` gives one (a row) per run, plus the share of the
    topic's words in the run or the headline (``titles``, by doc_id)."""
    ranks = {doc_id: rank for rank, doc_id in reversed(list(enumerate(searched)))}
    words = set(stems(topic))
    ranked = []
    for i, (statements, chunk_id) in enumerate(grouped):
        chunk_vector = chunk_vectors.get(chunk_id)
        cosine = float(chunk_vector @ topic_vector) if chunk_vector is not None else 0.0
        if run_vectors is not None:
            cosine = (cosine + float(run_vectors[i] @ topic_vector)) / 2
        held = set(stems(f"{titles.get(statements[0].doc_id, '')} {' '.join(s.text for s in statements)}"))
        share = len(words & held) / len(words) if words else 0.0
        rank = ranks.get(statements[0].doc_id)
        found = search_weight / (1 + rank) if rank is not None else 0.0
        own = own_words_bonus if any(s.quoted for s in statements) else 0.0
        ranked.append(Said(tuple(statements), chunk_id, cosine + share, found, own))
    return sorted(ranked, key=lambda s: s.rank, reverse=True)


def best_within(said: Sequence[Said], chars: int) -> list[Statement]:
    """The statements of the best runs within ``chars`` characters: whole runs, and of a run longer than what is
    left its opening sentences, at least one; a copy of a run already chosen (a syndicated article) is skipped."""
    chosen: list[Statement] = []
    seen: set[str] = set()
    spent = 0
    for run in said:
        if run.text in seen:
            continue
        seen.add(run.text)
        for statement in run.statements:
            if chosen and spent + len(statement.text) > chars:
                break
            chosen.append(statement)
            spent += len(statement.text)
    return chosen


def newest_first(statements: Sequence[Statement], dates: dict[str, str], topic: str) -> list[Statement]:
    """Statements to show: articles newest first; within an article, those that hold more of the topic's words first
    (the sentence on rare earths before the other sentences of its run), then in reading order."""
    words = set(stems(topic))
    articles = sorted(
        {st.doc_id for st in statements}, key=lambda doc_id: (dates.get(doc_id, ""), doc_id), reverse=True
    )
    rank = {doc_id: i for i, doc_id in enumerate(articles)}
    return sorted(statements, key=lambda st: (rank[st.doc_id], -len(words & set(stems(st.text))), st.start))
