import json
from pathlib import Path

from ingest.chunking import chunk_document
from ingest.document import Document
from ingest.text.sentences import sentence_spans

from .conftest import SEEDS

BBC = Path(__file__).resolve().parents[2] / "shared/corpora/bbc/articles.jsonl"


def documents():
    for path in sorted(SEEDS.glob("*.txt")):
        yield Document(path.stem, path.read_text())
    if BBC.exists():
        with BBC.open() as lines:
            for i, line in zip(range(200), lines):
                yield Document(str(i), json.loads(line)["body"])


def test_sentences_are_exact_spans_and_do_not_cross_lines():
    text = "Key Issues Under Discussion\nMr. Smith went to Washington, D.C. on Jan. 5. He said “hi.”"
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "Key Issues Under Discussion",
        "Mr. Smith went to Washington, D.C. on Jan. 5.",
        "He said “hi.”",
    ]


def test_chunks_keep_offsets_into_the_document_and_cover_every_sentence():
    for document in documents():
        chunks = chunk_document(document, 600)
        assert chunks, document.doc_id
        for chunk in chunks:
            assert chunk.text == document.text[chunk.start : chunk.end]
            assert len(chunk.text) <= 600
        covered = "".join(c.text for c in chunks)
        for a, b in sentence_spans(document.text):
            assert document.text[a:b].split()[0] in covered


def test_chunks_end_on_sentence_boundaries():
    document = Document("d", (SEEDS / "004_55ff5bb9beac7c01.txt").read_text())
    ends = {b for _, b in sentence_spans(document.text)}
    assert all(chunk.end in ends for chunk in chunk_document(document, 400))


def test_a_sentence_longer_than_a_chunk_is_cut_at_spaces_not_lost():
    words = " ".join(f"word{i}" for i in range(300))
    chunks = chunk_document(Document("long", words), 200)
    assert len(chunks) > 5
    assert " ".join(c.text for c in chunks) == words
