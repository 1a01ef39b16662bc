"""The prompt: a fixed instruction (so llama.cpp reuses its cached prefix), then numbered sources, then the question."""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.prompts import ChatPromptTemplate

from .citations import REFUSAL_TEXT
from .evidence import Source

SYSTEM = (
    "You answer questions about news articles using only the numbered sources you are given. "
    "Write one fact per sentence, and after it the number of the source it comes from in square brackets, like [1]. "
    "Use the sources' own words, say which outlet or person said what and when, and add nothing the sources do not say. "
    f'Only if no source is about the question, reply: "{REFUSAL_TEXT}" '
    "Answer in at most three short sentences."
)

PROMPT = ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", "Sources:\n{sources}\n\n{question}")])


def format_sources(sources: Sequence[Source]) -> str:
    return "\n\n".join(f"[{s.n}] " + "\n".join(x for x in (s.header, s.text) if x) for s in sources)


# "Did ...?", and "Between the report of X and the one of Y, was there ...?"
YES_NO = re.compile(
    r"^(?:(?:between|after|before|following|considering|given|in|from)\b[^?]*?,\s*)?"
    r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b",
    re.IGNORECASE,
)


def format_question(question: str, earlier: str | None) -> str:
    # Said only for yes/no questions, and after the sources: the fixed instruction stays cacheable.
    if YES_NO.match(question.strip()):
        question += "\nBegin with Yes or No, then say what each source reports, one sentence per source."
    return f"Earlier question: {earlier}\nQuestion: {question}" if earlier else f"Question: {question}"
