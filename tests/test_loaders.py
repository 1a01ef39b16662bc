import json

from ingest.document import Document, IngestProblem
from ingest.loading.loaders import expand, load

MB = 1_000_000


def load_all(path, max_bytes=MB):
    return list(load(path, max_bytes))


def test_text_file_with_front_matter(tmp_path):
    path = tmp_path / "talks.md"
    path.write_text("---\ntitle: Talks\nsource: Reuters\ndate: 2025-06-11\n---\n# Ignored heading\nBody.\n")
    [doc] = load_all(path)
    assert (doc.doc_id, doc.title, doc.source, doc.published_at) == (
        "talks",
        "Talks",
        "Reuters",
        "2025-06-11T00:00:00+00:00",
    )
    assert doc.text == "# Ignored heading\nBody.\n"


def test_html_article_text_and_metadata(tmp_path):
    path = tmp_path / "page.html"
    paragraphs = "".join(
        f"<p>Paragraph {i} says the trade talks in London went on for two long days.</p>" for i in range(6)
    )
    path.write_text(
        "<html><head><title>Deal reached | Example News</title>"
        '<meta property="og:site_name" content="Example News"><meta name="author" content="Jane Doe">'
        '<meta property="article:published_time" content="2025-06-11"></head>'
        f"<body><nav>Home | World</nav><article><h1>Deal reached</h1>{paragraphs}</article></body></html>"
    )
    [doc] = load_all(path)
    assert isinstance(doc, Document)
    assert "Paragraph 3 says the trade talks" in doc.text and "Home | World" not in doc.text
    assert doc.source == "Example News" and doc.author == "Jane Doe"
    assert doc.published_at.startswith("2025-06-11")


def test_jsonl_ids_fields_and_bad_lines_named_by_number(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "a1", "title": "A", "body": "Alpha body.", "source": "Wired", "published_at": "2023-11-25"}),
        "{not json",
        json.dumps({"id": "a2", "body": ""}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"body": "No id, no title. Second sentence."}),
        json.dumps({"id": "a1", "body": "Another article under the first line's id."}),
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"body": "caf\xe9 in Latin-1"}\n')
    items = load_all(path)
    docs = [i for i in items if isinstance(i, Document)]
    problems = {p.line: p.message for p in items if isinstance(p, IngestProblem)}
    assert next(d.doc_id for d in docs) == "a1" and docs[0].source == "Wired"
    assert docs[1].title == "No id, no title." and len(docs[1].doc_id) == 16
    assert set(problems) == {2, 3, 4, 7, 8} and len(docs) == 2
    assert "malformed JSON" in problems[2] and "body" in problems[3] and "JSON object" in problems[4]
    assert problems[7] == "id 'a1' is already on line 1" and "UTF-8" in problems[8]


def test_bad_files_get_clear_messages(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 society".encode("latin-1"))
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "huge.txt").write_text("word " * 1000)
    messages = {}
    for path in expand([tmp_path]):
        for item in load(path, max_bytes=2000):
            assert isinstance(item, IngestProblem)
            messages[path.name] = str(item)
    assert "empty" in messages["empty.txt"]
    assert "binary" in messages["binary.txt"]
    assert "not valid UTF-8" in messages["latin1.txt"] and "0xe9" in messages["latin1.txt"]
    assert "unsupported file type '.pdf'" in messages["report.pdf"]
    assert "over the" in messages["huge.txt"]
    assert all(message.startswith(str(tmp_path)) for message in messages.values())


def test_missing_paths_and_hidden_files(tmp_path):
    (tmp_path / ".hidden.txt").write_text("secret")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("An article.")
    found = list(expand([tmp_path, tmp_path / "nope.txt"]))
    assert found[0] == tmp_path / "sub" / "a.txt"
    assert isinstance(found[1], IngestProblem) and "no such file" in found[1].message
