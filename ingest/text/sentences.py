"""Sentence boundaries as character spans, so every quote can point back into its article.

News copy leaves a quotation that goes on into a new paragraph open at the paragraph's end and opens it again in the
next; where paragraphs were run together ('... tolerate. "It was ...'), a sentence splitter that pairs quote marks
loses track and runs many sentences into one. Such a re-opening quote mark is taken for the paragraph break it was.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from sentencex import segment

LINE = re.compile(r"[^\n]+")
OPEN, CLOSE = "“", "”"


def quote_marks(text: str) -> Iterator[tuple[int, bool]]:
    """Each quote mark's position and whether it opens a quotation: a curly one says so; a straight one opens
    before a word and closes after one."""
    for match in re.finditer(r"[“”\"]", text):
        i, mark = match.start(), match.group()
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        opening = mark == OPEN or (
            mark == '"' and not before.isalnum() and before not in ".,!?;'’" and (after.isalnum() or after in "[‘'(…")
        )
        yield i, opening


def reopenings(line: str) -> list[int]:
    """Where a quotation opens while one is still open: the start of a paragraph run into the one before it."""
    found = []
    opened = False
    for i, opening in quote_marks(line):
        if opening and opened:
            found.append(i)
        opened = opening
    return found


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed; a line break always ends a sentence (headings, datelines),
    and so does a quotation opened again while open (a paragraph run into the one before)."""
    spans = []
    for line in LINE.finditer(text):
        cuts = [0, *reopenings(line.group()), len(line.group())]
        for a, b in itertools.pairwise(cuts):
            piece_start = line.start() + a
            piece = line.group()[a:b]
            cursor = piece_start
            for sentence in segment("en", piece):
                found = text.find(sentence.strip(), cursor, piece_start + len(piece))
                if found < 0 or not sentence.strip():
                    continue
                end = found + len(sentence.strip())
                spans.append((found, end))
                cursor = end
    return [span for span in with_their_quote_marks(text, spans) if span[1] > span[0]]


def with_their_quote_marks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A quote mark that opens the next sentence's quotation belongs to that sentence, not to the end of the one
    before it ('... doing so. "' then 'Chelsea are saying ...')."""
    moved = []
    carry: int | None = None
    for start, end in spans:
        first, last = (carry, end) if carry is not None else (start, end)
        carry = None
        if last - first > 1 and text[last - 1] in '"“' and text[last - 2] == " ":
            carry, last = last - 1, last - 2
        moved.append((first, last))
    return moved
