"""Sentence boundaries as character spans, so every quote can point back into its article."""

from __future__ import annotations

import re

from sentencex import segment

LINE = re.compile(r"[^\n]+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed; a line break always ends a sentence (headings, datelines)."""
    spans = []
    for line in LINE.finditer(text):
        cursor = line.start()
        for sentence in segment("en", line.group()):
            found = text.find(sentence.strip(), cursor, line.end())
            if found < 0 or not sentence.strip():
                continue
            end = found + len(sentence.strip())
            spans.append((found, end))
            cursor = end
    return spans
