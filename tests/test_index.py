"""The index on a real on-disk Chroma with real embeddings."""

import json

from assistant import Assistant
from assistant.question import read_question

from .conftest import LUTNICK_DOC, LUTNICK_QUOTE, SEEDS


def counts(assistant: Assistant) -> tuple[int, int, int]:
    documents, chunks = assistant.index.catalog.count()
    return documents, chunks, assistant.index.vectors.count()


def test_search_finds_the_sentence_with_offsets(seeded):
    assistant = Assistant(seeded)
    [top, *_] = assistant.search("What did Lutnick say about rare earths?", k=5)
    assert top.doc_id == LUTNICK_DOC and LUTNICK_QUOTE in top.text
    document = assistant.document(top.doc_id)
    assert document.text[top.start : top.end] == top.text
    assert top.score > 0 and top.similarity > 0.2


def test_reingesting_the_same_articles_changes_nothing(seeded):
    assistant = Assistant(seeded)
    before = counts(assistant)
    report = assistant.ingest(SEEDS)
    assert report.unchanged == sorted(report.unchanged) and len(report.unchanged) == 2
    assert report.added == report.updated == [] and report.chunks == 0
    assert counts(assistant) == before


def test_a_changed_article_replaces_its_old_chunks(seeded, tmp_path):
    assistant = Assistant(seeded)
    documents, chunks, _vectors = counts(assistant)
    others = chunks - assistant.index.catalog.chunk_counts()[LUTNICK_DOC]
    changed = tmp_path / f"{LUTNICK_DOC}.txt"
    changed.write_text("Lutnick said the talks collapsed over soybean tariffs.\n")
    # Another file than the seed it replaces: said so, since a file of the same name is refused by default.
    report = assistant.ingest(changed, on_conflict="replace")
    assert report.updated == [LUTNICK_DOC]
    assert counts(assistant) == (documents, others + 1, others + 1)  # the new version is one chunk
    [top, *_] = assistant.search("soybean tariffs", k=3)
    assert top.doc_id == LUTNICK_DOC and "soybean" in top.text
    assert all(LUTNICK_QUOTE not in p.text for p in assistant.search("rare earths framework", k=10))


def test_deleting_a_document_removes_all_its_chunks(seeded):
    assistant = Assistant(seeded)
    documents, chunks, _vectors = counts(assistant)
    others = chunks - assistant.index.catalog.chunk_counts()[LUTNICK_DOC]
    assert assistant.delete(LUTNICK_DOC)
    assert counts(assistant) == (documents - 1, others, others) and others > 0
    assert all(p.doc_id != LUTNICK_DOC for p in assistant.search("Lutnick rare earths", k=10))
    assert assistant.document(LUTNICK_DOC) is None
    assert not assistant.delete(LUTNICK_DOC)


def test_bad_files_are_reported_and_lose_nothing(seeded, tmp_path):
    assistant = Assistant(seeded)
    before = counts(assistant)
    (tmp_path / "good.txt").write_text("Negotiators in Geneva agreed on a grain corridor on Tuesday.\n")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bad.jsonl").write_text('{"id": "ok", "body": "The harbour reopened after the storm."}\n{oops\n')
    (tmp_path / "image.png").write_bytes(b"\x89PNG\x00\x00")
    report = assistant.ingest(tmp_path)
    assert sorted(report.added) == ["good", "ok"]
    assert sorted(str(p) for p in report.problems) == [
        f"{tmp_path}/bad.jsonl:2: malformed JSON (Expecting property name enclosed in double quotes at column 2)",
        f"{tmp_path}/empty.txt: file is empty",
        f"{tmp_path}/image.png: unsupported file type '.png' (supported: .htm, .html, .jsonl, .markdown, .md, .txt)",
    ]
    assert counts(assistant)[0] == before[0] + 2
    assert assistant.search("Lutnick rare earths", k=1)[0].doc_id == LUTNICK_DOC


def test_filters_by_outlet_author_and_date(feed):
    def ids(**filters):
        return sorted({p.doc_id for p in feed.search("Google search deal", k=10, **filters)})

    assert ids() == ["t1", "v1", "w1"]
    assert ids(source="wired") == ["w1"]
    assert ids(source=["The Verge", "TechCrunch"]) == ["t1", "v1"]
    assert ids(author="David Pierce") == ["v1"]
    assert ids(published_after="2023-11-25") == ["t1", "w1"]
    assert ids(published_before="2023-11-25") == ["v1", "w1"]
    assert ids(published_after="2023-11-25", published_before="2023-11-30") == ["w1"]
    assert [d.doc_id for d in feed.documents(source="TechCrunch")] == ["t1"]


def test_adds_larger_than_chromas_batch_limit_are_split(feed, tmp_path):
    feed.index.vectors.max_batch = 2
    path = tmp_path / "many.jsonl"
    path.write_text(
        "\n".join(json.dumps({"id": f"m{i}", "body": f"Story number {i} about harbours."}) for i in range(7))
    )
    assert len(feed.ingest(path).added) == 7
    assert counts(feed) == (10, 10, 10)


def test_a_question_naming_outlets_gets_evidence_from_each(feed, tmp_path):
    path = tmp_path / "more.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(
                {
                    "id": f"tc{i}",
                    "source": "TechCrunch",
                    "body": f"Google search antitrust deal story {i} about Apple and Google.",
                }
            )
            for i in range(8)
        )
    )
    assert feed.ingest(path).ok
    question = "Did The Verge and Wired agree about Google's search deal with Apple?"
    assert {p.doc_id for p in feed.search(question, k=2)} == {"v1", "w1"}
    assert "w1" not in {p.doc_id for p in feed.search("Google search deal with Apple", k=2)}  # unsteered
    # The outlet named comes first, even when the question matches another outlet's articles better.
    assert feed.search("What did The Verge report about the Google search antitrust deal story?", k=1)[0].doc_id == "v1"


def test_similarity_is_to_the_whole_question_not_to_one_of_its_clauses(feed):
    question = (
        "Did Apple tell the court its search deal with Google had no valid alternative, "
        "while a news publisher filed an antitrust suit against Google over search and AI?"
    )
    assert len(read_question(question).parts) == 2
    vector = feed.embedder.embed_one(question)
    for p in feed.search(question, k=3):
        if p.similarity:
            assert abs(p.similarity - float(vector @ feed.embedder.embed_one(f"{p.title}\n{p.text}"))) < 1e-3
