"""Stories: placed at ingest, one article at a time, kept in the catalog's transactions; and a story's page."""

import json
import sqlite3
from datetime import date

import pytest

from assistant import Assistant
from ingest.index import story_tables
from ingest.text.dates import mentioned_dates

from .conftest import SEEDS
from .test_cli import run

STRIKE = [
    (
        "strike-reuters",
        "Reuters",
        "2025-06-12T09:00:00+00:00",
        "Rotterdam dock workers end strike after pay deal",
        "Dock workers at the port of Rotterdam ended their strike on Wednesday after the FNV union accepted a pay "
        "deal with the port employers. “This is a fair deal for the dockers,” said FNV negotiator Niek Stam. "
        "The strike at Europe's largest port had stranded hundreds of container ships.",
    ),
    (
        "strike-bloomberg",
        "Bloomberg",
        "2025-06-10T15:00:00+00:00",
        "Rotterdam port strike strands container ships",
        "A strike by dock workers at the port of Rotterdam stranded container ships for a third day, as the FNV "
        "union and the port employers failed to agree on pay. Niek Stam of the FNV union said the dockers would "
        "not return without a pay deal.",
    ),
    (
        "strike-ap",
        "AP",
        "2025-06-11T12:00:00+00:00",
        "Rotterdam dockers and employers near pay deal to end port strike",
        "Talks between the FNV union and Rotterdam port employers neared a pay deal on Tuesday to end the strike "
        "by dock workers that has stranded container ships at Europe's largest port, FNV negotiator Niek Stam said.",
    ),
]
COPY = (
    "strike-ap-yahoo",
    "Yahoo News",
    "2025-06-11T12:30:00+00:00",
    STRIKE[2][3],
    STRIKE[2][4],
)
FOOTBALL = [
    (
        "coach-guardian",
        "The Guardian",
        "2025-03-02T18:00:00+00:00",
        "Everton sack manager Sean Dyche after home defeat",
        "Everton sacked their manager Sean Dyche on Sunday after a home defeat to Brentford left the club one point "
        "above the Premier League relegation zone.",
    ),
    (
        "coach-bbc",
        "BBC Sport",
        "2025-03-03T08:00:00+00:00",
        "Everton begin search for new manager after Dyche sacking",
        "Everton have begun their search for a new manager after sacking Sean Dyche, with the club one point above "
        "the Premier League relegation zone after the defeat to Brentford.",
    ),
]


def feed(path, articles) -> None:
    path.write_text(
        "\n".join(
            json.dumps({"id": i, "source": s, "published_at": d, "title": t, "body": b}) for i, s, d, t, b in articles
        )
    )


@pytest.fixture
def news(tmp_path) -> Assistant:
    feed(tmp_path / "news.jsonl", [*STRIKE, COPY, *FOOTBALL])
    assistant = Assistant(tmp_path / "index")
    assert assistant.ingest(tmp_path / "news.jsonl").ok
    return assistant


def story_of(assistant: Assistant, doc_id: str):
    story_id = assistant.story_of(doc_id)
    assert story_id is not None
    story = assistant.story(story_id)
    assert story is not None
    return story


def consistent(index_dir) -> None:
    """Each story's count and span are those of the articles it holds, and every article is in exactly one."""
    with sqlite3.connect(index_dir / "catalog.sqlite3") as db:
        docs = {row[0] for row in db.execute("SELECT doc_id FROM documents")}
        members = dict(db.execute("SELECT doc_id, story_id FROM story_members").fetchall())
        assert set(members) == docs
        for sid, n, first, last in db.execute("SELECT story_id, n, first_ts, last_ts FROM stories"):
            held = db.execute(
                "SELECT count(*), min(published_ts), max(published_ts) FROM story_members WHERE story_id = ?", (sid,)
            ).fetchone()
            assert held == (n, first, last)
        assert set(members.values()) == {row[0] for row in db.execute("SELECT story_id FROM stories")}


def test_a_development_is_dated_by_what_the_text_says_else_by_publication():
    thursday = date(2025, 6, 12)
    on = mentioned_dates("Officials confirmed the deal on Wednesday.", thursday)
    assert [m.day for m in on] == [date(2025, 6, 11)]
    assert [m.day for m in mentioned_dates("The talks began on June 9 in London.", thursday)] == [date(2025, 6, 9)]
    assert [m.day for m in mentioned_dates("Prices fell yesterday.", thursday)] == [date(2025, 6, 11)]
    # What is to come is the next such day; a December date in a January article is last year's.
    assert [m.day for m in mentioned_dates("They will meet again on Friday.", thursday)] == [date(2025, 6, 13)]
    assert [m.day for m in mentioned_dates("It began on Dec. 28.", date(2025, 1, 3))] == [date(2024, 12, 28)]
    # Only the mention's own clause says whether it is to come.
    monday = date(2023, 11, 6)
    said = "The league suspended the coach on Friday, and the team will be without him on Saturday."
    assert [m.day for m in mentioned_dates(said, monday)] == [date(2023, 11, 3), date(2023, 11, 11)]
    # Without a publication date only a date given in full can be placed.
    assert mentioned_dates("Officials confirmed the deal on Wednesday.", None) == []
    assert [m.day for m in mentioned_dates("It was signed on 11 June 2025.", None)] == [date(2025, 6, 11)]


def test_articles_join_their_story_and_a_syndicated_copy_counts_once(news):
    strike = story_of(news, "strike-reuters")
    assert {a.doc_id for a in strike.articles} == {"strike-reuters", "strike-bloomberg", "strike-ap"}
    assert next(a for a in strike.articles if a.doc_id == "strike-ap").copies == ("strike-ap-yahoo",)
    assert strike.summary.articles == 3
    assert strike.label in {title for _, _, _, title, _ in STRIKE}
    assert (strike.summary.first, strike.summary.last) == ("2025-06-10", "2025-06-12")
    # Who covered it, when, how much: the outlet that carried the copy covered it too.
    assert {c.outlet for c in strike.coverage} == {"Reuters", "Bloomberg", "AP", "Yahoo News"}
    assert strike.per_day == {
        "2025-06-10": {"Bloomberg": 1},
        "2025-06-11": {"AP": 1, "Yahoo News": 1},
        "2025-06-12": {"Reuters": 1},
    }
    football = story_of(news, "coach-bbc")
    assert {a.doc_id for a in football.articles} == {"coach-guardian", "coach-bbc"}
    assert football.story_id != strike.story_id
    listed = news.stories()
    assert [s.story_id for s in listed] == [strike.story_id, football.story_id]  # latest first
    consistent(news.settings.index_dir)


def test_the_timeline_quotes_each_development_at_its_offsets_dated_as_the_text_says(news):
    strike = story_of(news, "strike-reuters")
    for entry in strike.timeline:
        assert news.document(entry.doc_id).text[entry.start : entry.end] == entry.quote
    days = [e.day for e in strike.timeline]
    assert days == sorted(days)
    ended = next(e for e in strike.timeline if e.doc_id == "strike-reuters")
    assert (ended.day, ended.dated_by) == ("2025-06-11", "text")  # "on Wednesday" in Thursday's article
    assert not any(e.doc_id == "strike-ap-yahoo" for e in strike.timeline)  # a copy tells nothing new
    people = dict(strike.people)
    assert "Niek Stam" in people
    assert all(news.document(s.doc_id).text[s.start : s.end] == s.text for s in people["Niek Stam"])


def test_undated_articles_say_so_and_are_given_no_date_or_order(tmp_path):
    assistant = Assistant(tmp_path / "index")
    assert assistant.ingest(SEEDS).ok
    (seeds,) = assistant.stories()
    story = assistant.story(seeds.story_id)
    assert story is not None and story.summary.articles == 2
    assert story.timeline == [] and story.undated
    assert all(e.day is None and e.dated_by == "undated" for e in story.undated)
    assert (story.summary.first, story.summary.last) == (None, None)


def test_deleting_or_changing_an_article_updates_only_its_story(news, tmp_path):
    strike = story_of(news, "strike-reuters")
    assert news.delete("strike-ap")
    after = story_of(news, "strike-reuters")
    assert after.story_id == strike.story_id
    # The copy stands for the article it copied.
    assert {a.doc_id for a in after.articles} == {"strike-reuters", "strike-bloomberg", "strike-ap-yahoo"}
    consistent(news.settings.index_dir)
    changed = [(*FOOTBALL[1][:4], FOOTBALL[1][4] + " Dyche had been in charge for two years.")]
    feed(tmp_path / "changed.jsonl", changed)
    report = news.ingest(tmp_path / "changed.jsonl")
    assert report.updated == ["coach-bbc"]
    assert {a.doc_id for a in story_of(news, "coach-bbc").articles} == {"coach-guardian", "coach-bbc"}
    for doc_id in ("coach-guardian", "coach-bbc"):
        news.delete(doc_id)
    assert news.story_of("coach-bbc") is None and len(news.stories()) == 1
    consistent(news.settings.index_dir)


def test_stories_survive_reindex_and_are_placed_for_an_index_made_before_them(news):
    before = {s.story_id: {a.doc_id for a in news.story(s.story_id).articles} for s in news.stories()}
    news.reindex()
    assert {s.story_id: {a.doc_id for a in news.story(s.story_id).articles} for s in news.stories()} == before
    index_dir = news.settings.index_dir
    with sqlite3.connect(index_dir / "catalog.sqlite3") as db:  # as an index made before stories has them
        db.execute("DROP TABLE story_members")
        db.execute("DROP TABLE stories")
    older = Assistant(index_dir)
    assert sorted(sorted(a.doc_id for a in older.story(s.story_id).articles) for s in older.stories()) == sorted(
        sorted(ids) for ids in before.values()
    )
    consistent(index_dir)


def test_a_failed_write_leaves_no_story_behind_and_the_next_write_places_again(tmp_path, monkeypatch):
    assistant = Assistant(tmp_path / "index")
    feed(tmp_path / "first.jsonl", STRIKE[:1])
    assert assistant.ingest(tmp_path / "first.jsonl").ok
    writing = story_tables.place

    def crashing(db, book, articles):
        writing(db, book, articles)
        raise OSError("disk gone")

    monkeypatch.setattr(story_tables, "place", crashing)
    feed(tmp_path / "more.jsonl", STRIKE[1:])
    with pytest.raises(OSError):
        assistant.ingest(tmp_path / "more.jsonl")
    consistent(tmp_path / "index")  # the documents and their places were rolled back together
    monkeypatch.setattr(story_tables, "place", writing)
    assert assistant.ingest(tmp_path / "more.jsonl").ok
    consistent(tmp_path / "index")
    assert len(story_of(assistant, "strike-reuters").articles) == 3


def test_two_writers_on_one_index_keep_stories_in_step(tmp_path):
    one, two = Assistant(tmp_path / "index"), Assistant(tmp_path / "index")
    for i, article in enumerate([*STRIKE, *FOOTBALL]):
        feed(tmp_path / f"{i}.jsonl", [article])
        assert (one if i % 2 else two).ingest(tmp_path / f"{i}.jsonl").ok
    consistent(tmp_path / "index")
    assert len(story_of(one, "strike-ap").articles) == 3
    assert len(story_of(two, "coach-bbc").articles) == 2


@pytest.mark.slow  # two processes, each loading the index
def test_the_stories_and_story_commands(tmp_path):
    index = tmp_path / "index"
    feed(tmp_path / "news.jsonl", [*STRIKE, COPY, *FOOTBALL])
    assert run("ingest", str(tmp_path / "news.jsonl"), index=index).returncode == 0
    listed = run("stories", "--json", index=index)
    assert listed.returncode == 0, listed.stderr
    stories = json.loads(listed.stdout)
    assert [s["articles"] for s in stories] == [3, 2]
    page = run("story", str(stories[0]["story_id"]), index=index)
    assert page.returncode == 0, page.stderr
    assert "Timeline" in page.stdout and "Coverage" in page.stdout and "Niek Stam" in page.stdout
    assert "2025-06-11  Reuters  strike-reuters:" in page.stdout  # dated by the text, so not marked "(published)"
    missing = run("story", "999", index=index)
    assert missing.returncode == 1 and "no story 999" in missing.stderr
