"""The browser app in a real browser (Debian's chromium, headless), served in-process on a copy of the seeded index,
with a scripted model: the tests are about the product's behaviour (what streams, what links where, what waits and
what stays), so they are fast and the same on every CPU. Each test leaves a screenshot in tests/artifacts/."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from playwright.sync_api import Page, expect, sync_playwright

from assistant import Assistant
from assistant.ui.app import server

from .conftest import free_port

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DELEGATION = "Who led the Chinese delegation in Kuala Lumpur?"
TWO_PARTS = "Who led the Chinese delegation in Kuala Lumpur, and who is China's chief trade negotiator?"
UNANSWERED = "What is the population of Kuala Lumpur?"
REPLY = "Vice Premier He Lifeng led the Chinese delegation [1]. Li Chenggang is China's chief trade negotiator [2]."
SECOND_SENTENCE = "Li Chenggang"
WAIT = 30_000  # ms: generous for a loaded 2-core machine; a scripted answer takes well under a second


class Scripted(GenericFakeChatModel):
    """Writes its reply word by word, ``pause`` seconds a word, as a model takes its time; its first call (the
    warm-up's) takes ``load`` seconds more, as loading a model does."""

    pause: float = 0.0
    load: float = 0.0
    written: int = 0  # pieces written so far

    def _stream(self, messages, *args, **kwargs):
        if str(messages[-1].content).startswith("Sentences:"):  # a constrained reply: the sentence naming He Lifeng
            found = re.search(r"^\[(\d+)\] .*He Lifeng", str(messages[-1].content), re.M)
            reply = {"sentence": int(found.group(1)), "answer": "Vice Premier He Lifeng"} if found else {}
            time.sleep(self.pause * len(REPLY.split()))  # as long as the prose reply takes
            self.written += 1
            yield ChatGenerationChunk(message=AIMessageChunk(content=json.dumps(reply)))
            return
        for chunk in super()._stream(messages, *args, **kwargs):
            time.sleep(self.pause)
            self.written += 1
            yield chunk

    def _generate(self, *args, **kwargs):
        time.sleep(self.load)
        self.load = 0.0
        return super()._generate(*args, **kwargs)


@dataclass
class App:
    url: str
    assistant: Assistant


@contextmanager
def serving(index: Path, pause: float = 0.0, load: float = 0.0) -> Iterator[App]:
    """The app as ``newsdesk serve`` serves it, in a thread, around a scripted model."""
    model = Scripted(messages=itertools.cycle([AIMessage(content=REPLY)]), pause=pause, load=load)
    assistant = Assistant(index, llm=model)
    port = free_port()
    uvicorn_server = uvicorn.Server(uvicorn.Config(server(assistant), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not uvicorn_server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield App(f"http://127.0.0.1:{port}/", assistant)
    finally:
        uvicorn_server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def app(seeded) -> Iterator[App]:
    with serving(seeded) as served:
        yield served


@pytest.fixture
def open_page(browser, request):
    """Opens the app in a fresh browser profile (its own storage), as a new person would; each page's screenshot is
    left in tests/artifacts/ under the test's name."""
    contexts = []

    def opened(url: str, width: int = 1280, height: int = 900) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        expect(page.locator("#conversation")).to_be_visible(timeout=WAIT)
        return page

    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    for i, context in enumerate(contexts):
        for j, page in enumerate(context.pages):
            suffix = f"-{i}" if len(contexts) > 1 else ""
            suffix += f"-{j}" if len(context.pages) > 1 else ""
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}{suffix}.png"), full_page=True)
        context.close()


def ask(page: Page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")


def turns(page: Page, phase: str | None = None):
    return page.locator("#conversation section.turn" + (f'[data-phase="{phase}"]' if phase else ""))


def answered(page: Page, count: int = 1) -> None:
    expect(turns(page, "done")).to_have_count(count, timeout=WAIT)


def reader_mark(page: Page):
    """The reader's marked sentence, once the reader shows it in view."""
    expect(page.locator("#reader")).to_be_visible()
    mark = page.frame_locator("#reader iframe").locator("mark#cited")
    expect(mark).to_be_visible(timeout=WAIT)
    in_view = mark.evaluate(
        "m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    assert in_view, "the cited sentence is not scrolled into view"
    return mark


def test_an_answer_streams_in_as_it_stays_and_each_citation_opens_its_sentence_in_the_article(app, open_page):
    app.assistant.llm.pause = 0.05
    page = open_page(app.url)
    box = page.locator("#question textarea")
    ask(page, TWO_PARTS)
    expect(box).to_have_value("")  # taken
    seen: set[str] = set()
    deadline = time.monotonic() + WAIT / 1000
    while not turns(page, "done").count() and time.monotonic() < deadline:
        text = page.locator(".answer-text").first.inner_text()
        if text and not any(seen):
            box.fill("the next question, typed ahead")
            page.locator("#follow-up input").check()
        seen.add(text)
        time.sleep(0.03)
    answered(page)
    final = page.locator(".answer-text").first.inner_text()
    shown = {text for text in seen if text}
    assert shown and all(final.startswith(text) for text in shown), "text that streamed in was changed after"
    assert any(SECOND_SENTENCE not in text for text in shown), "the answer did not stream: it came whole"
    expect(box).to_have_value("the next question, typed ahead")  # what streamed in after did not erase it
    expect(page.locator("#follow-up input")).to_be_checked()
    box.fill("")
    page.locator("#follow-up input").uncheck()

    cites = page.locator("#conversation .answer-text a.cite")
    cards = page.locator("#conversation ol.sources li.card")
    expect(cites).to_have_count(2)
    expect(cards).to_have_count(2)
    for card in cards.all():
        assert not re.search(r"\d+-\d+|:\d+", card.inner_text()), "a card shows raw offsets"
    quotes = [card.locator("q.quote").inner_text().strip("“”") for card in cards.all()]
    expect(page.locator("#model-status")).to_contain_text("Model ready", timeout=5_000)  # handed on when done
    page.screenshot(path=str(ARTIFACTS / "chat-with-sources.png"), full_page=True)

    for n in (0, 1):
        cites.nth(n).click()
        expect(reader_mark(page)).to_have_text(quotes[n])
        page.screenshot(path=str(ARTIFACTS / f"reader-from-citation-{n + 1}.png"))
        page.locator("#reader button.close").click()
        expect(page.locator("#reader")).to_be_hidden()
    cards.nth(1).click()  # a card opens its sentence as its [n] does
    expect(reader_mark(page)).to_have_text(quotes[1])


def test_each_answer_keeps_its_own_sources_and_copies_as_markdown_with_them(app, open_page):
    page = open_page(app.url)
    ask(page, DELEGATION)
    answered(page)
    ask(page, "What did Lutnick say about rare earths?")
    answered(page, 2)
    first, second = turns(page).all()
    assert first.locator("li.card").count() >= 1 and second.locator("li.card").count() >= 1
    first.locator("a.cite").first.click()
    expect(reader_mark(page)).to_contain_text("He Lifeng")
    page.locator("#reader button.close").click()

    first.locator("button.copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.search(r"\[1\]", copied.split("\n\n")[0]) and re.search(r"^\[1\] .*“.*He Lifeng.*”$", copied, re.M)
    with page.expect_download() as download:
        page.locator("#export-chat").click()
    exported = Path(download.value.path()).read_text()
    assert exported.count("## ") == 2 and "He Lifeng" in exported and "fundamental part of the framework" in exported


def test_the_conversation_survives_a_reload_and_new_chat_clears_it(app, open_page):
    page = open_page(app.url)
    ask(page, DELEGATION)
    answered(page)
    page.reload()
    answered(page)  # restored from the browser's storage
    turns(page).first.locator("a.cite").first.click()
    expect(reader_mark(page)).to_contain_text("He Lifeng")
    page.locator("#reader button.close").click()
    page.locator("#new-chat").click()
    expect(turns(page)).to_have_count(0)
    page.reload()
    expect(page.locator("#conversation .empty")).to_be_visible(timeout=WAIT)
    expect(turns(page)).to_have_count(0)


def test_only_a_question_marked_as_a_follow_up_is_read_with_the_one_before(app, open_page):
    page = open_page(app.url)
    ask(page, DELEGATION)
    answered(page)
    ask(page, UNANSWERED)
    answered(page, 2)
    expect(turns(page).nth(1).locator(".asked-with")).to_have_count(0)  # unrelated: searched on its own
    turns(page).nth(1).locator("button.follow-up").click()
    expect(page.locator("#follow-up input")).to_be_checked()
    ask(page, "And who is China's chief trade negotiator?")
    answered(page, 3)
    expect(turns(page).nth(2).locator(".asked-with")).to_contain_text(f"Follow-up to “{UNANSWERED}”")
    expect(page.locator("#follow-up input")).not_to_be_checked()  # the next question stands alone again


def test_a_refusal_says_why_and_keeps_the_closest_evidence_one_click_away(app, open_page):
    page = open_page(app.url)
    ask(page, UNANSWERED)
    answered(page)
    turn = turns(page).first
    expect(turn.locator(".why")).to_contain_text("none of them says it")
    evidence = turn.locator("details.evidence")
    expect(evidence.locator("li.card").first).to_be_hidden()
    evidence.locator("summary").click()
    expect(evidence.locator("li.card").first).to_be_visible()
    passage = evidence.locator("li.card").first.locator(".quote").inner_text().rstrip("…")
    evidence.locator("li.card a").first.click()
    assert reader_mark(page).inner_text().startswith(passage)


def test_filters_come_from_the_library_and_a_bad_date_is_an_inline_message_not_an_error(app, open_page):
    page = open_page(app.url)
    page.locator("#filters").click()
    expect(page.locator("#outlets")).to_contain_text("None of the articles in the library names its outlet")
    expect(page.locator("#dates")).to_contain_text("None of the articles in the library has a date")
    after = page.locator("#after input")
    after.click()
    page.keyboard.type("06")  # a month and nothing else
    page.locator("#before input").click()
    expect(page.locator("#filter-note")).to_contain_text("only partly filled in")
    ask(page, DELEGATION)
    expect(page.locator("#filter-note")).to_contain_text("only partly filled in")
    expect(turns(page)).to_have_count(0)
    assert page.locator("#question textarea").input_value() == DELEGATION  # the question is kept
    assert page.locator(".toast-body, .error").count() == 0

    after.fill("2030-01-01")
    after.blur()
    expect(page.locator("#filter-note")).to_be_empty()
    ask(page, DELEGATION)
    answered(page)
    expect(turns(page).first.locator(".why")).to_contain_text("No articles match these filters")
    expect(turns(page).first.locator(".asked-with")).to_contain_text("from 2030-01-01")


def test_a_question_shows_as_text_and_no_link_in_the_app_is_anything_but_http(app, open_page, tmp_path):
    feed = tmp_path / "feed.jsonl"
    body = "Officials in Kuala Lumpur said the delegation was led by Vice Premier He Lifeng on Monday."
    feed.write_text(json.dumps({"id": "js", "title": "Trick", "url": "javascript:alert(1)", "body": body}))
    assert app.assistant.ingest(feed).ok
    page = open_page(app.url)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    question = '<img src=x onerror="alert(1)"> <b>Who led the Chinese delegation?</b>'
    ask(page, question)
    answered(page)
    expect(turns(page).first.locator(".asked")).to_have_text(question)
    assert turns(page).first.locator(".asked img, .asked b").count() == 0
    page.get_by_role("tab", name="Library").click()
    page.locator("#library a.title", has_text="Trick").click()
    frame = page.frame_locator("#reader iframe")
    expect(frame.locator("h1")).to_have_text("Trick")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    hrefs += frame.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
    assert not [url for url in requested if url.rstrip("/").endswith("/x")] and not dialogs


def test_stop_ends_the_answer_at_once_keeps_what_was_shown_and_typing_ahead_is_kept(seeded, open_page):
    with serving(seeded, pause=0.4) as app:  # the second sentence would take seconds more
        page = open_page(app.url)
        ask(page, TWO_PARTS)
        expect(page.locator(".answer-text").first).to_contain_text("He Lifeng", timeout=WAIT)
        page.locator("#question textarea").fill("my next question")
        page.locator("#question textarea").press("Enter")  # asks nothing yet, and says so
        expect(page.locator("#question .busy-hint")).to_be_visible()
        expect(turns(page)).to_have_count(1)
        page.locator("#question button.stop-button").click()
        expect(turns(page, "stopped")).to_have_count(1, timeout=3_000)
        time.sleep(0.5)
        written = app.assistant.llm.written
        time.sleep(1.5)
        assert app.assistant.llm.written == written, "the model went on writing after Stop"
        expect(turns(page).first.locator(".answer-text")).to_contain_text("He Lifeng")
        expect(turns(page).first.locator("li.card")).to_have_count(1)  # the shown sentence keeps its source
        assert page.locator("#question textarea").input_value() == "my next question"
        expect(page.locator("#model-status")).to_contain_text("Model ready", timeout=WAIT)  # the model is handed on
        expect(page.locator(".answer-text").first).not_to_contain_text(SECOND_SENTENCE)
        page.locator("#question textarea").press("Enter")
        answered(page)


def test_the_model_state_shows_and_questions_from_two_people_wait_their_turn_in_order(seeded, open_page):
    with serving(seeded, pause=0.3, load=8.0) as app:  # the warm-up takes 8 s; an answer about 5 s
        first = open_page(app.url)
        second = open_page(app.url)
        expect(first.locator("#model-status")).to_contain_text("getting ready")
        ask(first, "What did Lutnick say about rare earths?")  # his own words, from the statements: no model
        answered(first)
        expect(first.locator("#model-status")).to_contain_text("getting ready")  # it did not wait for the model
        ask(first, TWO_PARTS)
        expect(turns(first).last.locator(".status")).to_contain_text("Waiting for the model to get ready")
        expect(turns(first).last.locator(".answer-text")).to_contain_text("He Lifeng", timeout=WAIT)
        ask(second, DELEGATION)
        expect(turns(second).first.locator(".status")).to_contain_text("1 question ahead of yours")
        expect(second.locator("#model-status")).to_contain_text("Model answering · 1 waiting", timeout=5_000)
        answered(first, 2)
        answered(second)
        expect(second.locator("#model-status")).to_contain_text("Model ready", timeout=5_000)


def test_twenty_questions_at_once_through_the_app_are_all_answered_in_the_order_they_came(seeded):
    from gradio_client import Client

    with serving(seeded, pause=0.02) as app:  # about 0.4 s an answer: they queue
        arrived: list[str] = []
        stream = app.assistant.stream
        app.assistant.stream = lambda question, *args, **kwargs: (
            arrived.append(question),
            stream(question, *args, **kwargs),
        )[1]
        client = Client(app.url, verbose=False)
        finished: list[tuple[str, list]] = []
        lock = threading.Lock()

        def one(question: str) -> None:
            saved, *_ = client.predict(question, [], [], "", "", False, api_name="/ask")
            with lock:
                finished.append((question, saved))

        questions = [f"Question {i}: who led the Chinese delegation in Kuala Lumpur?" for i in range(20)]
        threads = [threading.Thread(target=one, args=(q,)) for q in questions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert sorted(arrived) == sorted(questions)
        assert [q for q, _ in finished] == arrived, "answered out of the order the questions came in"
        for question, saved in finished:
            [turn] = saved
            assert turn["question"] == question and turn["phase"] == "done"
            assert turn["citations"] and "He Lifeng" in turn["text"]


def test_the_library_lists_searches_sorts_uploads_with_a_report_and_deletes(app, open_page, tmp_path):
    good = tmp_path / "harbour-deal.md"
    good.write_text(
        "---\ntitle: Harbour deal signed\nsource: Wired\ndate: 2025-06-20\nauthor: Ada Reporter\n---\n"
        "The harbour deal was signed in Rotterdam on Friday. “It is done,” said Mayor Jan Visser.\n"
    )
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "ok1", "title": "Tariffs paused", "body": "Tariffs were paused."}) + "\n{oops\n")
    page = open_page(app.url)
    page.get_by_role("tab", name="Library").click()
    rows = page.locator("#library tbody tr")
    expect(rows).to_have_count(2, timeout=WAIT)
    expect(page.locator("#library .library-count")).to_have_text("2 articles")

    page.locator("#upload input[type=file]").set_input_files([str(good), str(feed)])
    report = page.locator("#ingest-report")
    expect(report).to_contain_text("harbour-deal.md: 1 added", timeout=WAIT)
    expect(report).to_contain_text("feed.jsonl: 1 added")
    expect(report.locator(".problems")).to_contain_text("line 2")
    expect(rows).to_have_count(4)
    wired = rows.filter(has_text="Harbour deal signed")
    expect(wired).to_contain_text("Wired")
    expect(wired).to_contain_text("2025-06-20")

    page.locator("#library input.library-search").fill("harbour")
    expect(page.locator("#library tbody tr:not([hidden])")).to_have_count(1)
    expect(page.locator("#library .library-count")).to_have_text("1 of 4 articles match")
    page.locator("#library input.library-search").fill("")
    page.locator("#library button.sort[data-key=title]").click()
    titles = [t.lower() for t in page.locator("#library tbody a.title").all_inner_texts()]
    assert titles == sorted(titles)
    page.locator("#library button.sort[data-key=title]").click()
    assert page.locator("#library tbody a.title").all_inner_texts()[0].lower() == max(titles)

    wired.locator("a.title").click()
    expect(page.frame_locator("#reader iframe").locator("h1")).to_have_text("Harbour deal signed")
    page.locator("#reader button.close").click()

    page.get_by_role("tab", name="Ask").click()
    page.locator("#filters").click()
    page.locator("#outlets input").click()
    expect(page.get_by_role("option", name="Wired")).to_be_visible()  # the outlets come from the library
    expect(page.locator("#dates")).to_contain_text("dated 2025-06-20 to 2025-06-20; 3 undated")
    page.get_by_role("tab", name="Library").click()

    page.on("dialog", lambda dialog: dialog.accept())
    wired.locator("input.pick").check()
    rows.filter(has_text="Tariffs paused").locator("input.pick").check()
    page.locator("#library button.delete-selected").click()
    expect(report).to_contain_text("Deleted 2 articles", timeout=WAIT)
    expect(rows).to_have_count(2)
    expect(page.locator("#library input.pick:checked")).to_have_count(0)  # no tick left on another article
    expect(page.locator("#library button.delete-selected")).to_be_disabled()
    assert app.assistant.document("ok1") is None and len(app.assistant.documents()) == 2
    assert app.assistant.search("harbour deal Rotterdam", k=3)[0].doc_id != "harbour-deal"


def test_who_said_what_lists_a_persons_statements_newest_first_each_opening_its_sentence(app, open_page):
    page = open_page(app.url)
    page.get_by_role("tab", name="Who said what").click()
    page.locator("#person input").click()
    page.get_by_role("option", name=re.compile(r"Howard Lutnick \(\d+\)")).click()
    statements = page.locator("#statements li.statement")
    expected = app.assistant.quotes("Howard Lutnick")
    expect(statements).to_have_count(len(expected), timeout=WAIT)
    assert [s.locator("blockquote").inner_text() for s in statements.all()] == [s.text for s in expected]
    statements.nth(2).locator("a").click()
    expect(reader_mark(page)).to_have_text(expected[2].text)

    page.locator("#reader button.close").click()
    page.locator("#person input").fill("Nobody Atall")
    page.locator("#person input").press("Enter")
    expect(page.locator("#statements")).to_contain_text("quote no one called “Nobody Atall”")


def test_on_a_phone_the_answer_and_its_sources_sit_together(app, open_page):
    page = open_page(app.url, width=390, height=844)
    ask(page, DELEGATION)
    answered(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
    answer = page.locator(".answer-text").first.bounding_box()
    card = page.locator("li.card").first.bounding_box()
    assert answer and card and 0 <= card["y"] - (answer["y"] + answer["height"]) < 100
    assert card["x"] >= 0 and card["x"] + card["width"] <= 390
    page.screenshot(path=str(ARTIFACTS / "phone-chat.png"))
    page.locator("a.cite").first.click()
    reader_mark(page)
    box = page.locator("#reader").bounding_box()
    assert box and box["width"] >= 380
    page.screenshot(path=str(ARTIFACTS / "phone-reader.png"))
