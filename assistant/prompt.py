"""The prompt: a fixed instruction (so llama.cpp reuses its cached prefix), then numbered sources, then the question."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.prompts import ChatPromptTemplate

from .citations import REFUSAL_TEXT
from .evidence import Source

SYSTEM = (
    "You answer questions about news articles using only the numbered sources you are given. "
    "After every sentence, put the number of the source it comes from in square brackets, like [1]. "
    "Use the sources' own words, say who said what and when, and do not add anything the sources do not say. "
    f'If the sources do not answer the question, reply only: "{REFUSAL_TEXT}" '
    "Answer in at most three short sentences."
)

PROMPT = ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", "Sources:\n{sources}\n\n{question}")])


def format_sources(sources: Sequence[Source]) -> str:
    blocks = []
    for source in sources:
        p = source.passage
        about = ", ".join(x for x in (p.source, (p.published_at or "")[:10]) if x)
        header = f"[{source.n}] {p.title}" + (f" ({about})" if about else "")
        blocks.append(f"{header}\n{source.text}")
    return "\n\n".join(blocks)


def format_question(question: str, earlier: str | None) -> str:
    return f"Earlier question: {earlier}\nQuestion: {question}" if earlier else f"Question: {question}"
