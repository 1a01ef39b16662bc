"""The browser app's pure parts, without a browser: what the HTML may and may not contain, how filters are read, how
questions wait for the model, what a reload restores."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from assistant import Citation, Document, IngestProblem, IngestReport, Refusal
from assistant.ui.conversation import Phase, Turn, dump, history, restore
from assistant.ui.filters import ChosenFilters, read_filters
from assistant.ui.library import dates_html, ingest_report_html, library_html
from assistant.ui.line import ModelLine
from assistant.ui.reader import article_page
from assistant.ui.render import answer_html, citation_card, empty_html, reader_href, safe_url, turn_html

from .conftest import make_passage

TEXT = "Talks began on Monday. “We will implement the framework,” Lutnick said. Markets rose."
QUOTE = "“We will implement the framework,” Lutnick said."


def citation(n: int = 1, **fields) -> Citation:
    start = TEXT.index(QUOTE)
    values = {
        "doc_id": "d1",
        "title": "US and China agree a framework",
        "source": "Reuters",
        "published_at": "2025-06-11T00:00:00",
        "url": "https://example.com/a",
        "quote": QUOTE,
        "start": start,
        "end": start + len(QUOTE),
    }
    return Citation(n=n, **(values | fields))


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser would parse them."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict]:
        return [attrs for t, attrs in self.tags if t == tag]


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com/a?b=1", True),
        ("http://example.com", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//example.com/a", False),
        ("/relative/path", False),
        ("http:///no-host", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_urls_with_a_host_may_become_links(url, safe):
    assert (safe_url(url) is not None) is safe


def test_every_citation_marker_links_to_its_sentence_in_the_reader_and_unknown_ones_stay_text():
    html = answer_html("Lutnick said they will implement it [1]. Markets rose [2].", [citation()])
    [link] = Tags(html).named("a")
    assert link["href"] == reader_href("d1", citation().start, citation().end)
    assert "data-reader" in link and "[2]" in html


def test_quoted_lines_become_quotation_blocks_with_their_links():
    html = answer_html(f"What Howard Lutnick said:\n> {QUOTE} [1]", [citation()])
    assert re.search(r"<blockquote><p>.*implement the framework.*<a [^>]*>\[1\]</a></p></blockquote>", html)


def test_a_question_and_an_answer_are_shown_as_text_never_as_markup():
    turn = Turn('<img src=x onerror="alert(1)"> and <script>alert(2)</script>', Phase.DONE, text="<b>bold</b> [1]")
    turn.citations = [citation(title="<i>t</i>", quote="<svg onload=alert(3)>")]
    tags = {tag for tag, _ in Tags(turn_html(turn, 0)).tags}
    assert not tags & {"img", "script", "b", "i", "svg"}
    assert "&lt;img src=x" in turn_html(turn, 0)


def test_a_card_shows_outlet_and_date_not_offsets_and_opens_the_reader():
    c = citation()
    html = citation_card(c)
    assert "Reuters · 2025-06-11" in html and "US and China agree a framework" in html
    assert f"{c.start}-{c.end}" not in html and "d1:" not in html
    assert Tags(html).named("a")[0]["href"] == reader_href("d1", c.start, c.end)


def test_a_card_leaves_out_a_title_that_only_repeats_the_quoted_sentence():
    html = citation_card(citation(title="“We will implement the…", source=None, published_at=None))
    assert html.count("We will implement") == 1


def test_a_javascript_url_never_becomes_a_link_in_the_reader():
    document = Document("d1", TEXT, "Title", "Reuters", "2025-06-11", "javascript:alert(1)")
    hrefs = [a.get("href", "") for a in Tags(article_page(document)).named("a")]
    assert not any(h.lower().startswith("javascript") for h in hrefs)
    assert 'href="https://example.com/a"' in article_page(Document("d1", TEXT, url="https://example.com/a"))


def test_the_reader_marks_exactly_the_cited_span_and_escapes_the_article():
    document = Document("d1", TEXT + " <script>alert(1)</script>", "Title")
    c = citation()
    page = article_page(document, c.start, c.end)
    assert re.search(r'<mark id="cited">(.*?)</mark>', page).group(1) == QUOTE
    assert "<script>alert" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(("start", "end"), [(None, None), (5, 5), (10, 2), (0, 10_000), (-1, 3)])
def test_a_span_outside_the_article_marks_nothing(start, end):
    assert "<mark" not in article_page(Document("d1", TEXT, "Title"), start, end)


def test_a_deleted_article_says_it_is_gone():
    assert "not in the library any more" in article_page(None)


@pytest.mark.parametrize(
    ("after", "before", "expected"),
    [
        ("", "", ChosenFilters()),
        ("2025-06-01", "", ChosenFilters(after=date(2025, 6, 1))),
        ("2025-06-01", "2025-06-30", ChosenFilters(after=date(2025, 6, 1), before=date(2025, 6, 30))),
        ("last week", "", "“last week” is not a date"),
        ("incomplete", "", "only partly filled in"),
        ("2025-07-01", "2025-06-01", "is later than"),
    ],
)
def test_dates_are_read_or_said_to_be_wrong_in_one_line(after, before, expected):
    read = read_filters([], after, before)
    if isinstance(expected, str):
        assert isinstance(read, str) and expected in read and "\n" not in read
    else:
        assert read == expected


def test_chosen_filters_are_the_apis_keyword_arguments_and_are_described():
    chosen = read_filters(["Reuters"], "2025-06-01", "")
    assert isinstance(chosen, ChosenFilters)
    assert chosen.kwargs() == {"source": ["Reuters"], "published_after": date(2025, 6, 1), "published_before": None}
    assert chosen.describe() == "Outlets: Reuters · from 2025-06-01"


def test_questions_take_the_model_in_the_order_they_came_and_a_stopped_one_gives_up_its_place():
    line = ModelLine()
    warm, first, second, third = (line.join(what) for what in ("getting ready", "a", "b", "c"))
    assert [line.ahead(t) for t in (warm, first, second, third)] == [0, 1, 2, 3]
    line.leave(second)  # stopped while waiting
    line.leave(warm)
    assert (line.holder(), line.ahead(third), line.waiting()) == (first, 1, 1)
    line.leave(first)
    line.leave(first)  # leaving twice is harmless
    assert line.ahead(third) == 0


def test_a_reload_keeps_every_turn_and_a_turn_cut_short_keeps_what_it_showed():
    done = Turn("q1", Phase.DONE, text="Answer [1].", citations=[citation()], passages=[make_passage("p")])
    live = Turn("q2", Phase.ANSWERING, text="Half an answer [1].", citations=[citation()])
    refused = Turn("q3", Phase.DONE, text="The articles don't say.", refusal=Refusal.NOT_STATED)
    turns = restore([*dump([done, live, refused]), {"nonsense": 1}, "not a turn"])
    assert [t.question for t in turns] == ["q1", "q2", "q3"]
    assert turns[0] == done and turns[2] == refused
    assert turns[1].phase is Phase.STOPPED and turns[1].text == live.text and turns[1].citations == live.citations
    assert restore(None) == [] and restore({"a": 1}) == []


def test_history_is_this_chats_turns_as_messages():
    turns = [Turn("q1", Phase.DONE, text="a1"), Turn("q2", Phase.FAILED)]
    assert history(turns) == [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
    ]


def test_a_turn_copies_as_the_answer_with_its_numbered_sources():
    turn = Turn("q", Phase.DONE, text="They will implement it [1].", citations=[citation()])
    assert turn.markdown == (
        "They will implement it [1].\n\n"
        f"[1] [US and China agree a framework](https://example.com/a) (Reuters, 2025-06-11): “{QUOTE}”"
    )
    assert 'data-markdown="They will implement it [1].' in turn_html(turn, 0)


@pytest.mark.parametrize(
    ("why", "said"),
    [
        (Refusal.NOTHING_FOUND, "No article in the library is about this"),
        (Refusal.NOT_STATED, "none of them says it"),
        (Refusal.NO_MATCHING_ARTICLES, "No articles match these filters"),
        (Refusal.NOT_QUOTED, "not on this"),
    ],
)
def test_a_refusal_says_why_and_keeps_the_closest_evidence_one_click_away(why, said):
    turn = Turn("q", Phase.DONE, text="The articles don't say.", refusal=why, passages=[make_passage("Closest.")])
    html = turn_html(turn, 0)
    assert said in html
    assert re.search(r'<details class="evidence"><summary>Closest evidence: 1 passage</summary>.*Closest\.', html)


def test_an_empty_library_says_where_to_add_articles():
    assert "Library" in empty_html(0) and "Ask about 2 articles" in empty_html(2)


def test_the_date_filters_say_which_dates_the_library_spans():
    dated = [
        (Document("a", "", published_at="2025-06-11T00:00:00"), 1),
        (Document("b", "", published_at="2024-01-02"), 1),
    ]
    assert "dated 2024-01-02 to 2025-06-11." in dates_html(dated)
    assert "2025-06-11; 1 undated, which no date filter matches." in dates_html([*dated, (Document("c", ""), 1)])
    assert "None of the articles in the library has a date" in dates_html([(Document("c", ""), 1)])


def test_the_library_lists_every_article_newest_first_with_its_chunks_and_without_its_text(feed):
    listed = feed.library()
    assert [d.doc_id for d, _ in listed] == ["t1", "w1", "v1"]
    assert all(n >= 1 for _, n in listed) and all(d.text == "" and d.source for d, _ in listed)


def test_the_library_table_escapes_and_links_each_article_to_the_reader():
    document = Document("d<1>", "text", "<b>Title</b>", "Reuters", "2025-06-11T00:00:00", author="A. Writer")
    html = library_html([(document, 3)])
    assert "<b>Title" not in html and 'data-date="2025-06-11"' in html and 'data-chunks="3"' in html
    assert Tags(html).named("a")[0]["href"] == reader_href("d<1>")


def test_the_upload_report_names_each_file_and_the_line_of_each_problem():
    bad = IngestReport(added=["a"], problems=[IngestProblem("/tmp/x/feed.jsonl", "invalid JSON", 2)])
    html = ingest_report_html([("good.md", IngestReport(added=["g"], chunks=2)), ("feed.jsonl", bad)])
    assert "good.md</b>: 1 added" in html and "line 2: invalid JSON" in html and "1 file with problems" in html
