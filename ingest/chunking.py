"""Documents to Chunks of whole sentences, each keeping its character offsets into the document."""

from __future__ import annotations

from .document import Chunk, Document
from .text.sentences import sentence_spans


def chunk_document(document: Document, max_chars: int) -> list[Chunk]:
    """Packs sentences greedily up to ``max_chars``, and closes a chunk early at a paragraph end once it is half full."""
    text = document.text
    pieces = [piece for start, end in sentence_spans(text) for piece in split_long(text, start, end, max_chars)]
    chunks: list[Chunk] = []
    first: int | None = None
    last = 0
    for start, end in pieces:
        if first is not None and end - first > max_chars:
            chunks.append(make_chunk(document, len(chunks), first, last))
            first = None
        if first is None:
            first = start
        last = end
        paragraph_ends = text.startswith("\n", end) or end == len(text)
        if paragraph_ends and last - first >= max_chars // 2:
            chunks.append(make_chunk(document, len(chunks), first, last))
            first = None
    if first is not None:
        chunks.append(make_chunk(document, len(chunks), first, last))
    return chunks


def make_chunk(document: Document, index: int, start: int, end: int) -> Chunk:
    return Chunk(document.doc_id, index, document.text[start:end], start, end)


def split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """A sentence longer than a chunk (a list, a table row) is cut at spaces rather than dropped."""
    spans = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars)
        cut = cut if cut > start else start + max_chars
        spans.append((start, cut))
        start = cut + 1 if text[cut] == " " else cut
    spans.append((start, end))
    return spans
