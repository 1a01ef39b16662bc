"""The same file name in two folders never silently replaces an article: refused, renamed or replaced, as asked."""

import pytest

from assistant import Assistant

from .test_reliability import newsdesk


def files(tmp_path):
    first, second = tmp_path / "a" / "report.txt", tmp_path / "b" / "report.md"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text("Apple reported record sales in Europe, the company said on Tuesday.")
    second.write_text("Wheat prices fell for a third week as harvests improved, traders said.")
    return first, second


@pytest.mark.slow  # the CLI in its own processes
def test_a_second_file_of_the_same_name_is_refused_naming_both(tmp_path):
    first, second = files(tmp_path)
    index = tmp_path / "index"
    assert newsdesk("ingest", str(first), index=index).returncode == 0
    refused = newsdesk("ingest", str(second), index=index)
    assert refused.returncode == 1 and "0 added, 0 updated" in refused.stdout
    assert f"{second}: id 'report' is already taken by {first}" in refused.stderr
    assert Assistant(index).document("report").text.startswith("Apple")


def test_rename_keeps_both_and_replace_replaces(tmp_path):
    first, second = files(tmp_path)
    assistant = Assistant(tmp_path / "index")
    assert assistant.ingest(first).added == ["report"]
    first.write_text("Apple reported record sales in Asia, the company said on Tuesday.")
    assert assistant.ingest(first).updated == ["report"]  # the same file again is an update, not a conflict

    renamed = assistant.ingest(second, on_conflict="rename")
    (new_id,) = renamed.added
    assert new_id.startswith("report-") and assistant.ingest(second, on_conflict="rename").unchanged == [new_id]
    assert {d.doc_id for d in assistant.documents()} == {"report", new_id}
    assert assistant.search("wheat harvests", 1)[0].doc_id == new_id

    assert assistant.ingest(second, on_conflict="replace").updated == ["report"]
    assert assistant.document("report").text.startswith("Wheat")
