"""The prompt: a fixed instruction (so llama.cpp reuses its cached prefix), then numbered sources, then the question."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.prompts import ChatPromptTemplate

from .citations import REFUSAL_TEXT
from .evidence import Source

SYSTEM = (
    "You answer questions about news articles using only the numbered sources you are given. "
    "After every sentence, put the number of the source it comes from in square brackets, like [1]. "
    "Use the sources' own words, say which outlet or person said what and when, and add nothing the sources do not say. "
    "If the question asks yes or no, begin with Yes or No, then give the facts from the sources that show it. "
    f'Only if no source is about the question, reply: "{REFUSAL_TEXT}" '
    "Answer in at most three short sentences."
)

PROMPT = ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", "Sources:\n{sources}\n\n{question}")])


def format_sources(sources: Sequence[Source]) -> str:
    return "\n\n".join(f"[{source.n}] {source.header}\n{source.text}" for source in sources)


def format_question(question: str, earlier: str | None) -> str:
    return f"Earlier question: {earlier}\nQuestion: {question}" if earlier else f"Question: {question}"
