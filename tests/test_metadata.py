from ingest.loading.metadata import (
    author_in_text,
    date_in_text,
    date_to_timestamp,
    normalize_date,
    split_front_matter,
    title_from_text,
)


def test_front_matter_fields_and_body_offset():
    text = (
        "---\ntitle: Talks resume\nOutlet: Reuters\ndate: June 11, 2025\nurl: https://x.test/a\n---\nBody starts here."
    )
    fields, start = split_front_matter(text)
    assert fields == {
        "title": "Talks resume",
        "source": "Reuters",
        "published_at": "June 11, 2025",
        "url": "https://x.test/a",
    }
    assert text[start:] == "Body starts here."


def test_no_front_matter_means_body_is_everything():
    assert split_front_matter("Just text.\n---\nnot front matter") == ({}, 0)


def test_title_is_a_short_first_line():
    assert title_from_text("\nTrade talks resume\nNegotiators met on Monday.") == "Trade talks resume"


def test_title_is_a_markdown_heading():
    assert title_from_text("# Trade talks resume\n\nBody.") == "Trade talks resume"


def test_title_from_a_long_first_sentence_keeps_abbreviations_whole():
    text = "Senior U.S. and Chinese trade negotiators are holding high-level meetings in Kuala Lumpur this week on the sidelines of the summit. More."
    title = title_from_text(text)
    assert title.startswith("Senior U.S. and Chinese trade negotiators")
    assert title.endswith("…") and len(title) <= 101


def test_dates_normalize_to_iso_utc_and_sort_as_numbers():
    assert normalize_date("2023-11-24") == "2023-11-24T00:00:00+00:00"
    assert normalize_date("June 11, 2025") == "2025-06-11T00:00:00+00:00"
    assert normalize_date("2023-09-26T17:01:22+00:00") == "2023-09-26T17:01:22+00:00"
    assert normalize_date("not a date") is None
    assert date_to_timestamp("2023-11-24T00:00:00+00:00") < date_to_timestamp("2023-11-25T00:00:00+00:00")


def test_dateline_and_byline_found_near_the_top():
    text = "By Jane Doe\nLONDON, June 11, 2025 - The talks ended."
    assert author_in_text(text) == "Jane Doe"
    assert date_in_text(text) == "2025-06-11T00:00:00+00:00"
    assert author_in_text("No byline here.") is None
