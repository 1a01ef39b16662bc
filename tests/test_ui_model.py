"""The browser app as ``newsdesk serve`` runs it, with the default local model, in a real browser: asserting only
what holds for any sensible output of the model, which differs from one CPU to the next."""

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .conftest import LUTNICK_QUOTE, free_port, wait_for_http
from .test_ui import ARTIFACTS, CHROMIUM_ARGS, DELEGATION, ask, reader_mark, turns

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app_url(seeded_index, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "app.log"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "newsdesk"), "--index", str(seeded_index), "serve", "--port", str(port)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", process, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_with_the_local_model_answers_come_with_citations_that_open_the_reader(app_url):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(app_url)
            # What a person said comes from the statements index: no model, so no wait for it to load.
            ask(page, "What did Lutnick say about rare earths?")
            expect(turns(page, "done")).to_have_count(1, timeout=60_000)
            turns(page).first.locator(".answer-text a.cite", has_text="[1]").click()
            expect(reader_mark(page)).to_contain_text(LUTNICK_QUOTE)
            page.locator("#reader button.close").click()

            ask(page, DELEGATION)  # the model writes this one: its words may differ, its links may not
            expect(turns(page, "done")).to_have_count(2, timeout=300_000)
            answer = turns(page).nth(1)
            cites = answer.locator(".answer-text a.cite")
            cards = answer.locator("ol.sources li.card")
            assert cards.count() == len(set(cites.all_inner_texts()))
            if cites.count():
                quote = cards.first.locator("q.quote").inner_text().strip("“”")
                cites.first.click()
                expect(reader_mark(page)).to_have_text(quote)
            else:
                expect(answer.locator(".why")).to_be_visible()
        finally:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "local-model.png"), full_page=True)
            browser.close()
