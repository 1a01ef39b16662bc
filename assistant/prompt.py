"""The prompt: a fixed instruction (so llama.cpp reuses its cached prefix), then numbered sources, then the question."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.prompts import ChatPromptTemplate

from .citations import REFUSAL_TEXT
from .evidence import Source
from .verdicts import YES_NO, offered_choice

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


def format_question(question: str, earlier: str | None) -> str:
    # Said only for questions that want a verdict, and after the sources: the fixed instruction stays cacheable.
    if choice := offered_choice(question):
        first, second = (word.capitalize() for word in choice)
        question += f"\nBegin with {first} or {second}, then say what each source reports, one sentence per source."
    elif YES_NO.match(question.strip()):
        question += "\nBegin with Yes or No, then say what each source reports, one sentence per source."
    return f"Earlier question: {earlier}\nQuestion: {question}" if earlier else f"Question: {question}"
