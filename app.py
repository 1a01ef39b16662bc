"""The chat in the browser: answers stream in, and each citation shows the article and the sentence it rests on."""

from __future__ import annotations

import html
import os
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from assistant import Answer, Assistant, Citation, FinalAnswer, Passage, PassagesFound, TextDelta

EXAMPLES = ["What did Lutnick say about rare earths?", "Who led the Chinese delegation in Kuala Lumpur?"]
CSS = """
.cite { margin: 0 0 .8em 0; }
.cite blockquote { margin: .3em 0 0 0; padding: .3em .6em; border-left: 3px solid #f59e0b; background: #fffbeb; color: #1f2937; }
.evidence { color: #6b7280; font-size: .9em; }
"""


def byline(source: str | None, published_at: str | None) -> str:
    return ", ".join(html.escape(x) for x in (source, (published_at or "")[:10]) if x)


def citation_html(c: Citation) -> str:
    title = html.escape(c.title or c.doc_id)
    linked = f'<a href="{html.escape(c.url)}" target="_blank">{title}</a>' if c.url else title
    about = byline(c.source, c.published_at)
    return (
        f'<div class="cite" id="cite-{c.n}"><b>[{c.n}]</b> {linked}'
        + (f" — {about}" if about else "")
        + f" <code>{html.escape(c.doc_id)}:{c.start}-{c.end}</code>"
        + f"<blockquote>{html.escape(c.quote)}</blockquote></div>"
    )


def evidence_html(passages: list[Passage], heading: str) -> str:
    items = "".join(
        f"<li><b>{html.escape(p.title or p.doc_id)}</b> {byline(p.source, p.published_at)}<br>"
        f"{html.escape(p.text[:280])}{'…' if len(p.text) > 280 else ''}</li>"
        for p in passages[:3]
    )
    return f'<div class="evidence"><p>{heading}</p><ol>{items}</ol></div>' if items else ""


def sources_html(answer: Answer) -> str:
    if answer.refused:
        return "<p>The articles don't answer this.</p>" + evidence_html(answer.passages, "Closest evidence:")
    return "".join(citation_html(c) for c in answer.citations)


def build_app(assistant: Assistant) -> gr.Blocks:
    ready = threading.Event()

    def warm_up() -> None:
        try:
            assistant.warm_up()
        finally:
            ready.set()

    threading.Thread(target=warm_up, daemon=True, name="warm-up").start()
    sources = sorted({d.source for d in assistant.documents() if d.source})

    def respond(message: str, history: list[dict], source: list[str], after: str, before: str):
        message = (message or "").strip()
        if not message:
            yield history, gr.update(), ""
            return
        earlier = [{"role": m.get("role"), "content": text_of(m.get("content"))} for m in history]
        history = [
            *history,
            {"role": "user", "content": message},
            {"role": "assistant", "content": "Searching the articles…"},
        ]
        yield history, "", ""
        written = ""
        try:
            events = assistant.stream(
                message, earlier, source=source or None, published_after=after or None, published_before=before or None
            )
            for event in events:
                if isinstance(event, PassagesFound):
                    # The first question after start waits for the warm-up: say so rather than look stuck.
                    history[-1]["content"] = (
                        "Reading the articles…"
                        if ready.is_set()
                        else "Reading the articles (the model is still getting ready)…"
                    )
                    yield history, "", evidence_html(event.passages, "Reading:")
                elif isinstance(event, TextDelta):
                    written += event.text
                    history[-1]["content"] = written
                    yield history, "", gr.update()
                elif isinstance(event, FinalAnswer):
                    history[-1]["content"] = event.answer.text
                    yield history, "", sources_html(event.answer)
        except Exception as error:  # shown to the person asking, not swallowed
            history[-1]["content"] = f"Sorry, something went wrong: {error}"
            yield history, "", ""
            raise

    with gr.Blocks(title="newsdesk", analytics_enabled=False) as app:
        gr.Markdown(
            "## newsdesk\nAsk about the news articles in the index. Every claim is cited to the sentence it came from."
        )
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Conversation", height=480, elem_id="chat")
                question = gr.Textbox(
                    placeholder="What did Lutnick say about rare earths?",
                    show_label=False,
                    elem_id="question",
                    submit_btn=True,
                )
                with gr.Accordion("Filters", open=False):
                    source = gr.Dropdown(sources, multiselect=True, label="Outlets", value=[])
                    with gr.Row():
                        after = gr.Textbox(label="Published on or after (YYYY-MM-DD)")
                        before = gr.Textbox(label="Published on or before (YYYY-MM-DD)")
                gr.Examples(EXAMPLES, inputs=question)
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                cited = gr.HTML(elem_id="sources")
        question.submit(respond, [question, chat, source, after, before], [chat, question, cited])
    return app


def text_of(content) -> str:
    """Gradio keeps a message's content as a string or as a list of typed parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def launch(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860) -> None:
    build_app(assistant).launch(server_name=host, server_port=port, css=CSS, show_error=True)


if __name__ == "__main__":
    import sys

    from assistant.cli import cli

    cli(["serve", *sys.argv[1:]])
