"""The browser app: a Gradio page (ask, library, who said what) and, beside it, the reader page that citations open.

Gradio gives the page, its events and their queue. What it does not do well (citations that open a reader, copying
an answer with its sources, a library to search, sort and select in) is HTML made in ``render`` and its neighbours,
where everything is escaped, with a few lines of plain JavaScript (``static/``). The conversation lives in the
browser's storage, so a reload keeps it. Everyone shares one model, which answers one question at a time: a
question that needs it waits in a ``ModelLine`` and shows its place there."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import AsyncIterator
from html import escape
from pathlib import Path

import gradio as gr
from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse

from ingest import Document

from ..api import Assistant
from ..types import FinalAnswer, PassagesFound, TextDelta
from .conversation import Phase, Turn, dump, history, restore
from .filters import read_filters
from .library import (
    UPLOAD_TYPES,
    dates_html,
    deleted_html,
    ingest_report_html,
    library_html,
    shown_name,
    sources_html,
)
from .line import ModelLine
from .people import speaker_choices, statements_html
from .reader import article_page
from .render import conversation_html, empty_html, note_html
from .runs import POLL_SECONDS, Ended, Failed, Run, Step, Waiting, Writing
from .stories import story_choices, story_html

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
WARMING, ANSWERING = "getting ready", "answering"
STOP, NEW_CHAT = "stop", "new chat"
READER_PANEL = """<aside id="reader" hidden aria-label="Article reader">
<header><b>Article</b><a class="newtab" target="_blank" rel="noopener">Open in a new tab</a>
<button type="button" class="close" aria-label="Close the reader">Close ✕</button></header>
<iframe title="Article" name="article"></iframe></aside>"""
LIBRARY_TOOLS = (
    '<div class="library-tools"><input type="search" class="library-search" aria-label="Search the library" '
    'placeholder="Search titles, outlets, authors, ids"><span class="library-count"></span>'
    '<button type="button" class="delete-selected" disabled>Delete selected</button></div>'
    '<div class="library-scroll">${value}</div>'
)


def one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


class Desk:
    """What the page's events do, over one Assistant shared by everyone who has the app open."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        assistant.answerer  # noqa: B018  made now, so that the warm-up and a first question share one
        self.line = ModelLine()
        self.interrupts: dict[str, str] = {}  # session -> STOP or NEW_CHAT, asked for while it was answering
        self.warm_up_error: str | None = None
        self.writing = threading.Lock()  # one library change at a time

    def start_warm_up(self) -> threading.Thread:
        """Readies the search structures and the model in the background, first in line: a question that needs the
        model meanwhile waits for it, and says so."""
        ticket = self.line.join(WARMING)

        def run() -> None:
            try:
                self.assistant.warm_up()
            except Exception as error:  # the app still serves the library; questions will say what is wrong
                log.exception("warming up the model failed")
                self.warm_up_error = one_line(error)
            finally:
                self.line.leave(ticket)

        thread = threading.Thread(target=run, daemon=True, name="warm-up")
        thread.start()
        return thread

    # --- the model's state, and a question's place in line

    def model_status(self) -> str:
        holder, waiting = self.line.holder(), self.line.waiting()
        if holder is None:
            state, text = (
                ("failed", f"Model not loaded: {self.warm_up_error}")
                if self.warm_up_error
                else ("ready", "Model ready")
            )
        elif holder.doing == WARMING:
            state, text = "warming", "Model getting ready…"
        else:
            state, text = "busy", "Model answering" + (f" · {waiting} waiting" if waiting else "")
        return f'<span class="model-status" data-state="{state}" role="status">{escape(text)}</span>'

    def waiting_note(self, ahead: int) -> str:
        holder = self.line.holder()
        if holder is not None and holder.doing == WARMING:
            others = ahead - 1
            then = f", then {others} question{'s' * (others != 1)} ahead of yours" if others else ""
            return f"Waiting for the model to get ready (it loads once, after the app starts){then}."
        return f"Waiting for the model: {ahead} question{'s' * (ahead != 1)} ahead of yours."

    # --- asking

    async def ask(
        self,
        text: str,
        saved: list,
        outlets: list[str] | None,
        after: str,
        before: str,
        follow_up: bool,
        request: gr.Request,
    ) -> AsyncIterator[tuple]:
        """Outputs: the stored conversation, its HTML, the question box, the filters' note, the follow-up box. The
        question and follow-up boxes are emptied once, when the question is taken, and not touched again: what is
        typed or ticked meanwhile, for the next question, stays. Only a question the person marks as a follow-up is
        read with the one before it: an unrelated question in the same chat is searched on its own."""
        session = request.session_hash or ""
        chosen = read_filters(outlets, after, before)
        if isinstance(chosen, str):
            yield gr.skip(), gr.skip(), gr.skip(), note_html(chosen), gr.skip()
            return
        text = (text or "").strip()
        if not text:
            yield gr.skip(), gr.skip(), gr.skip(), "", gr.skip()
            return
        turns = restore(saved)
        earlier = history(turns) if follow_up else []
        turn = Turn(
            text,
            follows=turns[-1].question if earlier else None,
            filters=chosen.describe(),
            note="Searching the articles…",
        )
        turns.append(turn)
        self.interrupts.pop(session, None)

        def shown(box=None, follow=None) -> tuple:
            skip = gr.skip()
            return (
                dump(turns),
                self.conversation(turns),
                skip if box is None else box,
                "",
                skip if follow is None else follow,
            )

        yield shown(gr.update(value="", submit_btn=False, stop_btn=True), False)
        run = Run(self.assistant.stream(text, earlier or None, **chosen.kwargs()), self.line, ANSWERING).start()
        try:
            while session not in self.interrupts:
                step = run.next_step()
                if step is None:
                    await asyncio.sleep(POLL_SECONDS)
                    continue
                if isinstance(step, Ended):
                    break
                self.show(turn, step)
                yield shown()
        finally:
            run.stop()  # stopped, or the page went away: the model stops writing this answer either way
        interrupt = self.interrupts.pop(session, None)
        if interrupt == NEW_CHAT:
            turns.clear()
        elif turn.live:
            turn.phase, turn.note = Phase.STOPPED, ""
        yield shown(gr.update(submit_btn=True, stop_btn=False))

    def show(self, turn: Turn, step: Step) -> None:
        """The turn as it stands after one more step of its run."""
        if isinstance(step, PassagesFound):
            turn.phase, turn.note, turn.passages = Phase.ANSWERING, "", step.passages
        elif isinstance(step, Waiting):
            turn.phase, turn.note = Phase.WAITING, self.waiting_note(step.ahead)
        elif isinstance(step, Writing):
            turn.phase, turn.note = Phase.ANSWERING, ""
        elif isinstance(step, TextDelta):
            turn.text += step.text
            turn.citations = [*turn.citations, *step.citations]
        elif isinstance(step, FinalAnswer):
            turn.finish(step.answer)
        elif isinstance(step, Failed):  # said in the turn, where it happened, rather than over the whole page
            turn.phase, turn.note = Phase.FAILED, one_line(step.error)

    def stop(self, request: gr.Request) -> None:
        self.interrupts[request.session_hash or ""] = STOP

    def new_chat(self, request: gr.Request) -> tuple:
        """Clears this chat (its follow-ups with it); an answer still coming is stopped."""
        self.interrupts[request.session_hash or ""] = NEW_CHAT
        return [], self.conversation([])

    def conversation(self, turns: list[Turn]) -> str:
        return conversation_html(turns) if turns else empty_html(len(self.assistant.library()))

    # --- what the page shows on load, and again after the library changes

    def load(self, saved: list) -> tuple:
        turns = restore(saved)
        stamp = self.stamp()  # what the filters below show: the timer sends them again only after a change
        entries = self.assistant.library()
        return (
            stamp,
            dump(turns),
            conversation_html(turns) if turns else empty_html(len(entries)),
            outlet_choices(entries),
            dates_html(entries),
            self.speaker_choices(),
            self.model_status(),
        )

    def library(self) -> tuple:
        """All that shows the library: what version of it this is (the stamp), the sources followed, its table,
        the outlets and dates to filter on, the people it quotes."""
        stamp = self.stamp()  # before what it stamps is read: a change meanwhile shows at the next look
        entries = self.assistant.library()
        return (
            stamp,
            sources_html(self.assistant.list_sources()),
            library_html(entries),
            outlet_choices(entries),
            dates_html(entries),
            self.speaker_choices(),
        )

    def stamp(self) -> str:
        """Changes with every write to the articles and every read of a source."""
        return f"{self.assistant.index.catalog.generation()}:{hash(tuple(self.assistant.list_sources()))}"

    def speaker_choices(self):
        return gr.update(choices=speaker_choices(self.assistant.speakers()))

    def add_files(self, files: list[str] | None, progress=gr.Progress(track_tqdm=True)) -> tuple:  # noqa: B008
        """Ingests each uploaded file in turn and reports what became of each. The progress shows the file it is on
        and the articles read so far (ingest's own tqdm bar, which Gradio follows: a JSONL file's size is not known
        before it is read)."""
        paths = [str(f) for f in files or []]
        reports = []
        with self.writing:
            for path in progress.tqdm(paths, desc="Files", unit="files"):
                # An upload arrives under a new temporary folder each time: the same name is the same article again.
                reports.append((shown_name(path), self.assistant.ingest(path, progress=True, on_conflict="replace")))
            if any(r.added or r.updated for _, r in reports):
                progress(1.0, desc="Readying search")
                self.assistant.prepare_search()
        for name, report in reports:
            for problem in report.problems:
                log.warning("upload %s: %s", name, problem)
        return ingest_report_html(reports) if reports else "", *self.library(), None

    def add_source(self, url: str, progress=gr.Progress(track_tqdm=True)) -> tuple:  # noqa: B008
        """Follows a feed or page URL and reads it now, with what became of it (each problem with its URL)."""
        from ingest.subscriptions import NotASource

        url = (url or "").strip()
        if not url:
            return gr.skip(), *self.library(), gr.skip()
        progress(0, desc=f"Reading {url}")
        try:  # not under self.writing: the site is read before ingest takes the index's write lock
            source, report = self.assistant.add_source(url)
        except NotASource as error:
            return note_html(str(error)), *self.library(), gr.skip()
        for problem in report.problems if report else []:
            log.warning("source %s: %s", url, problem)
        outcome = ingest_report_html([(source.location, report)]) if report else ""
        return outcome, *self.library(), ""

    def changed(self, shown: str) -> tuple:
        """The library again when it changed since ``shown`` (what this page last showed), so that articles a
        watcher brings in appear without a reload; else nothing is sent (a new table would untick the boxes)."""
        return (gr.skip(),) * 6 if self.stamp() == shown else self.library()

    def delete(self, evt: gr.EventData) -> tuple:
        ids = [str(i) for i in getattr(evt, "ids", None) or []]
        with self.writing:
            gone = {doc_id: self.assistant.delete(doc_id) for doc_id in ids}
            if any(gone.values()):
                self.assistant.prepare_search()
        deleted = [doc_id for doc_id, done in gone.items() if done]
        missing = [doc_id for doc_id, done in gone.items() if not done]
        return deleted_html(deleted, missing), *self.library()

    def statements(self, person: str | None) -> str:
        person = (person or "").strip()
        found = self.assistant.quotes(person) if person else []
        documents = {doc_id: self.assistant.document(doc_id) for doc_id in {s.doc_id for s in found}}
        return statements_html(person, found, {k: d for k, d in documents.items() if d})

    def stories(self):
        """The stories to pick from, latest first."""
        return gr.update(choices=story_choices(self.assistant.stories()))

    def open_story(self, request: gr.Request) -> tuple:
        """The page opened at ``?story=ID`` (the reader's link to an article's story): the Stories tab at it."""
        asked = (request.query_params.get("story") or "") if request else ""
        story = self.assistant.story(int(asked)) if asked.isdigit() else None
        if story is None:
            return gr.skip(), gr.skip(), gr.skip()
        choices = story_choices(self.assistant.stories())
        return gr.Tabs(selected="stories"), gr.update(choices=choices, value=story.story_id), story_html(story)

    def story(self, story_id: int | None) -> str:
        return story_html(self.assistant.story(int(story_id)) if story_id is not None else None)

    def filters_note(self, outlets: list[str] | None, after: str, before: str) -> str:
        chosen = read_filters(outlets, after, before)
        return note_html(chosen) if isinstance(chosen, str) else ""


def outlet_choices(entries: list[tuple[Document, int]]):
    outlets = sorted({d.source for d, _ in entries if d.source}, key=str.lower)
    info = (
        f"{len(outlets)} outlet{'s' * (len(outlets) != 1)} in the library."
        if outlets
        else "None of the articles in the library names its outlet, so there is nothing to choose yet."
    )
    return gr.update(choices=outlets, info=info)


def html(value: str = "", elem_id: str | None = None, **options) -> gr.HTML:
    """HTML made in ``render`` and styled by newsdesk.css alone (not Gradio's prose styles)."""
    options.setdefault("js_on_load", None)
    return gr.HTML(value, elem_id=elem_id, elem_classes=["newsdesk"], apply_default_css=False, **options)


def date_picker(label: str, elem_id: str) -> gr.HTML:
    """A native date input: a calendar to pick from, and no free text that is not a date."""
    return html(
        "",
        html_template=f'<label class="date-field"><span>{escape(label)}</span><input type="date" value="${{value}}"></label>',
        js_on_load=(STATIC / "date.js").read_text(),
        elem_id=elem_id,
    )


def build_app(assistant: Assistant) -> gr.Blocks:
    desk = Desk(assistant)
    desk.start_warm_up()
    # The browser keeps the conversation under a key of this index: another index's citations would lead nowhere.
    index_key = hashlib.sha256(str(Path(assistant.settings.index_dir).resolve()).encode()).hexdigest()[:16]

    with gr.Blocks(title="newsdesk", analytics_enabled=False) as app:
        saved = gr.BrowserState([], storage_key=f"newsdesk-chat-{index_key}", secret=index_key)
        with gr.Row(elem_id="topbar"):
            html(
                '<h1>newsdesk</h1><p class="tagline">Answers from the articles, each claim cited to its sentence.</p>',
                "brand",
                scale=4,
            )
            status = html(desk.model_status(), "model-status", scale=1, min_width=150)
        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab("Ask", id="ask", elem_id="ask-tab"):
                conversation = html(elem_id="conversation")
                question = gr.Textbox(
                    placeholder="Ask about the articles, e.g. what did someone say about something?",
                    show_label=False,
                    elem_id="question",
                    submit_btn=True,
                    stop_btn=False,
                    lines=1,
                    max_lines=6,
                    autofocus=True,
                )
                with gr.Row(elem_id="chat-tools"):
                    follow_up = gr.Checkbox(False, label="Follow-up to the last question", elem_id="follow-up")
                    new_chat = gr.Button("New chat", size="sm", variant="secondary", elem_id="new-chat")
                    export = gr.Button("Export chat (.md)", size="sm", variant="secondary", elem_id="export-chat")
                with gr.Accordion("Filters", open=False, elem_id="filters"):
                    outlets = gr.Dropdown([], multiselect=True, label="Outlets", value=[], elem_id="outlets")
                    with gr.Row():
                        after = date_picker("Published on or after", "after")
                        before = date_picker("Published on or before", "before")
                    dates = html(elem_id="dates")
                    filter_note = html(elem_id="filter-note")
            with gr.Tab("Library", id="library", elem_id="library-tab") as library_tab:
                upload = gr.File(
                    label="Add articles (.txt .md .html .jsonl)",
                    file_count="multiple",
                    file_types=UPLOAD_TYPES,
                    height=150,
                    elem_id="upload",
                )
                with gr.Row(elem_id="add-source"):
                    source_url = gr.Textbox(
                        placeholder="https://… a feed (RSS, Atom, JSON Feed) or an article's page",
                        show_label=False,
                        scale=5,
                        elem_id="source-url",
                    )
                    follow = gr.Button("Follow", variant="secondary", scale=1, elem_id="follow-source")
                report = html(elem_id="ingest-report")
                sources = html(sources_html(assistant.list_sources()), "sources")
                shown = gr.State("")  # what this page's library last showed: refreshed only when that changes
                library = html(
                    "",
                    html_template=LIBRARY_TOOLS,
                    js_on_load=(STATIC / "library.js").read_text(),
                    elem_id="library",
                )
            with gr.Tab("Who said what", id="people", elem_id="people-tab"):
                person = gr.Dropdown(
                    [],
                    label="Person",
                    info="Pick someone the articles quote, or type a name (a surname finds everyone by it).",
                    allow_custom_value=True,
                    filterable=True,
                    value=None,
                    elem_id="person",
                )
                said = html(statements_html("", [], {}), "statements")
            with gr.Tab("Stories", id="stories", elem_id="stories-tab") as stories_tab:
                story = gr.Dropdown(
                    [],
                    label="Story",
                    info="The stories the articles tell, latest first: pick one for its timeline and coverage.",
                    filterable=True,
                    value=None,
                    elem_id="story",
                )
                story_page = html(story_html(None), "story-page")
        html(READER_PANEL, "reader-host")

        app.load(
            desk.load, [saved], [shown, saved, conversation, outlets, dates, person, status], show_progress="hidden"
        )
        gr.Timer(2).tick(desk.model_status, None, status, show_progress="hidden", queue=False)
        question.submit(
            desk.ask,
            [question, saved, outlets, after, before, follow_up],
            [saved, conversation, question, filter_note, follow_up],
            show_progress="hidden",
            concurrency_limit=None,  # everyone's question is taken at once; the ModelLine orders the model's use
        )
        question.stop(desk.stop, None, None, queue=False)
        new_chat.click(desk.new_chat, None, [saved, conversation], queue=False)
        export.click(None, None, None, js="() => window.newsdesk.exportChat()")
        for picker in (outlets, after, before):
            picker.change(desk.filters_note, [outlets, after, before], filter_note, queue=False)
        view = [shown, sources, library, outlets, dates, person]  # what Desk.library gives
        library_tab.select(desk.library, None, view, show_progress="hidden")
        upload.upload(
            desk.add_files,
            [upload],
            [report, *view, upload],
            show_progress="full",
            show_progress_on=[report],
        )
        library.delete_articles(desk.delete, None, [report, *view])
        for event in (source_url.submit, follow.click):
            event(
                desk.add_source,
                [source_url],
                [report, *view, source_url],
                show_progress="full",
                show_progress_on=[report],
            )
        gr.Timer(3).tick(desk.changed, [shown], view, show_progress="hidden")
        person.change(desk.statements, [person], said, show_progress="hidden")
        stories_tab.select(desk.stories, None, story, show_progress="hidden")
        app.load(desk.open_story, None, [tabs, story, story_page], show_progress="hidden")
        story.change(desk.story, [story], story_page, show_progress="hidden")
    return app


def head() -> str:
    return f"<script>{(STATIC / 'newsdesk.js').read_text()}</script>"


def server(assistant: Assistant) -> FastAPI:
    """The app to serve: the reader page, and the Gradio page at the root."""
    api = FastAPI(title="newsdesk")

    @api.get("/read", response_class=HTMLResponse)
    def read(doc: str, start: int | None = Query(None, ge=0), end: int | None = Query(None, ge=0)) -> HTMLResponse:
        document = assistant.document(doc)
        story_id = assistant.story_of(doc) if document else None
        story = assistant.story(story_id) if story_id is not None else None
        part_of = story.summary if story and story.summary.articles > 1 else None
        return HTMLResponse(article_page(document, start, end, part_of), status_code=200 if document else 404)

    return gr.mount_gradio_app(
        api,
        build_app(assistant),
        path="/",
        css=(STATIC / "newsdesk.css").read_text(),
        head=head(),
        show_error=False,
    )


def launch(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    print(f"newsdesk: open http://{host}:{port}/ in a browser", flush=True)
    uvicorn.run(server(assistant), host=host, port=port, log_level="warning")
