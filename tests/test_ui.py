"""The chat in a real browser (Debian's chromium, headless), with the default local model."""

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .conftest import LUTNICK_QUOTE, free_port, wait_for_http

pytestmark = pytest.mark.slow
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


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


def test_asking_in_the_browser_shows_a_cited_answer_with_its_quote(app_url, tmp_path):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            page.goto(app_url)
            box = page.locator("#question textarea")
            box.fill("What did Lutnick say about rare earths?")
            box.press("Enter")
            expect(page.locator("#sources")).to_contain_text("Reading:", timeout=60_000)  # evidence before words
            expect(page.locator("#chat")).to_contain_text("still getting ready")  # the app warms up at start
            citation = page.locator("#sources .cite").first
            expect(citation).to_contain_text(LUTNICK_QUOTE, timeout=240_000)
            expect(citation).to_contain_text("[1]")
            expect(page.locator("#chat")).to_contain_text("[1]")
            expect(page.locator("#chat")).to_contain_text("fundamental part of the framework")
        finally:
            page.screenshot(path=str(tmp_path / "ui.png"), full_page=True)
            browser.close()
