"""The ``newsdesk`` command: a thin shell over the Assistant."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import click

from ingest.text.repair import printable

from .generation.errors import ModelServerError
from .types import Answer, Citation, FinalAnswer, Passage, PassagesFound, TextDelta


def echo(text: str = "", **options) -> None:
    """click.echo of text with every terminal escape and control character taken out: an article's text, title or
    url must not clear the screen, retitle the window or hide what it prints."""
    click.echo(printable(text), **options)


class InputError(click.ClickException):
    """Something the user typed or set is wrong: one line, exit code 2, as click's own usage errors."""

    exit_code = 2


class Newsdesk(click.Group):
    """Says what went wrong in one line, without a traceback, for the failures a user can act on."""

    def invoke(self, ctx: click.Context):
        from ingest.index.index import IndexIncomplete, IndexReadOnly
        from ingest.index.vectors import EmbedderMismatch

        try:
            return super().invoke(ctx)
        except (IndexIncomplete, IndexReadOnly, EmbedderMismatch, ModelServerError) as error:
            raise click.ClickException(printable(str(error))) from None
        except sqlite3.DatabaseError as error:
            index = ctx.obj or "newsdesk-index"
            raise click.ClickException(
                f"the catalog {Path(index) / 'catalog.sqlite3'} is unreadable ({error}): it is the source of truth, "
                "so restore it from a backup, or move the index aside and run `newsdesk ingest` on your files again"
            ) from None


def checked_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from ingest.index.filters import Filters

    if value is None:
        return None
    try:
        Filters(published_after=value).after_ts  # noqa: B018  # parses it, as a search will
    except ValueError as error:
        why = "" if str(error).startswith("not a date") else f" ({error})"
        name = (param.name or "").removeprefix("published_")
        raise InputError(f"--{name}: {value!r} is not a date{why}") from None
    return value


def positive(ctx: click.Context, param: click.Parameter, value: int) -> int:
    if value < 1:
        raise InputError(f"-{param.name}: {value} passages is not a number to ask for; give 1 or more")
    return value


def filter_options(command):
    for option in reversed(
        [
            click.option("--source", multiple=True, help="Only articles from this outlet (repeatable)."),
            click.option("--author", multiple=True, help="Only articles by this author (repeatable)."),
            click.option(
                "--after",
                "published_after",
                callback=checked_date,
                help="Only articles published on or after this date.",
            ),
            click.option(
                "--before",
                "published_before",
                callback=checked_date,
                help="Only articles published on or before this date.",
            ),
        ]
    ):
        command = option(command)
    return command


def filters_from(source, author, published_after, published_before) -> dict:
    return {
        "source": list(source) or None,
        "author": list(author) or None,
        "published_after": published_after,
        "published_before": published_before,
    }


@click.group(cls=Newsdesk)
@click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path),
    envvar="NEWSDESK_INDEX_DIR",
    help="Index folder (default: ./newsdesk-index, or NEWSDESK_INDEX_DIR).",
)
@click.pass_context
def cli(ctx: click.Context, index_dir: Path | None):
    """Ask questions about news articles; every claim is cited to the sentence it came from."""
    ctx.obj = index_dir


def open_assistant(ctx: click.Context):
    from pydantic import ValidationError

    from .api import Assistant

    try:
        return Assistant(ctx.obj)
    except ValidationError as error:
        raise InputError(bad_setting(error)) from None


def bad_setting(error) -> str:
    """A pydantic ValidationError of the settings, as the variable a user would set."""
    first = error.errors()[0]
    name = "NEWSDESK_" + "_".join(str(part) for part in first["loc"]).upper()
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"setting {name}={first.get('input')!r}: {first['msg']}{more}"


@cli.command()
@click.argument("paths", nargs=-1, required=True)  # not click.Path: a URL's "//" must stay as typed
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option(
    "--on-conflict",
    type=click.Choice(["refuse", "rename", "replace"]),
    help="A file named like an article from another file: refuse it (default), keep both, or replace the first.",
)
@click.pass_context
def ingest(ctx, paths, progress, on_conflict):
    """Add articles from files or folders (.txt .md .html .jsonl), or from feed and page URLs (RSS, Atom, JSON Feed,
    an article's web page)."""
    assistant = open_assistant(ctx)
    report = assistant.ingest(paths, sys.stderr.isatty() if progress is None else progress, on_conflict)
    if report.added or report.updated:
        assistant.prepare_search()  # now, rather than in the next question's time
    for problem in report.problems:
        echo(f"error: {problem}", err=True)
    echo(report.summary())
    if report.problems:
        sys.exit(1)


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON.")
@filter_options
@click.pass_context
def ask(ctx, question, as_json, **filters):
    """Answer a question from the articles, with citations."""
    if not question.strip():
        raise InputError("the question is empty")
    assistant = open_assistant(ctx)
    problem = assistant.question_problem(question)
    if problem:
        raise InputError(problem)
    events = assistant.stream(question, **filters_from(**filters))
    if as_json:
        echo(json.dumps(final_answer(events).to_dict(), ensure_ascii=False, indent=2))
        return
    answer = None
    printed = False
    found: list[Passage] = []
    try:
        for event in events:
            if isinstance(event, PassagesFound):
                found = event.passages
            elif isinstance(event, TextDelta):
                # Each piece is checked before it comes: what is printed stays.
                echo(event.text, nl=False)
                printed = True
            elif isinstance(event, FinalAnswer):
                answer = event.answer
    except ModelServerError:
        # The model failed, not the search: what the question found is still worth reading.
        if found:
            echo(("\n\n" if printed else "") + "Passages found:")
            echo(format_passages(found))
        raise
    assert answer is not None
    echo("" if printed else answer.text)
    echo(format_citations(answer.citations))


def final_answer(events) -> Answer:
    for event in events:
        if isinstance(event, FinalAnswer):
            return event.answer
    raise RuntimeError("the answer stream ended without an answer")


def format_citations(citations: list[Citation]) -> str:
    lines = []
    for c in citations:
        about = ", ".join(x for x in (c.source, (c.published_at or "")[:10]) if x)
        lines.append(f"\n[{c.n}] {c.title}" + (f" ({about})" if about else "") + f"  {c.doc_id}:{c.start}-{c.end}")
        lines.append(f"    “{c.quote}”")
        if c.url:
            lines.append(f"    {c.url}")
    return "\n".join(lines)


@cli.command()
@click.argument("query")
@click.option("-k", "k", default=10, show_default=True, callback=positive, help="How many passages.")
@click.option("--json", "as_json", is_flag=True, help="Print the passages as JSON.")
@filter_options
@click.pass_context
def search(ctx, query, k, as_json, **filters):
    """Find the passages that match a query best."""
    passages = open_assistant(ctx).search(query, k, **filters_from(**filters))
    if as_json:
        echo(json.dumps([asdict(p) for p in passages], ensure_ascii=False, indent=2))
        return
    echo(format_passages(passages))


def format_passages(passages: list[Passage]) -> str:
    lines = []
    for rank, p in enumerate(passages, start=1):
        about = ", ".join(x for x in (p.source, (p.published_at or "")[:10]) if x)
        lines.append(f"{rank:>2}. {p.title}" + (f" ({about})" if about else "") + f"  {p.doc_id}:{p.start}-{p.end}")
        lines.append(f"    {p.text[:300]}" + ("…" if len(p.text) > 300 else ""))
    return "\n".join(lines)


@cli.command()
@click.argument("speaker")
@filter_options
@click.pass_context
def quotes(ctx, speaker, **filters):
    """What a person said, across the articles (by surname: 'Lutnick')."""
    found = open_assistant(ctx).quotes(speaker, **filters_from(**filters))
    for statement in found:
        echo(f"{statement.speaker}  {statement.doc_id}:{statement.start}-{statement.end}\n    {statement.text}")
    if not found:
        echo(f"no statements by '{speaker}'", err=True)
        sys.exit(1)


@cli.command()
@click.option("--min-articles", default=2, show_default=True, callback=positive, help="Only stories this large.")
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON.")
@click.pass_context
def stories(ctx, min_articles, as_json):
    """The stories the articles tell: latest first, with their articles, outlets and dates."""
    found = open_assistant(ctx).stories(min_articles)
    if as_json:
        echo(json.dumps([asdict(s) for s in found], ensure_ascii=False, indent=2))
        return
    for s in found:
        span = " to ".join(dict.fromkeys(d for d in (s.first, s.last) if d)) or "undated"
        echo(
            f"{s.story_id:>5}  {s.label}\n       {s.articles} articles · {span} · {', '.join(s.outlets) or 'no outlet named'}"
        )
    echo(f"{len(found)} stories", err=True)


@cli.command("story")
@click.argument("story_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the story as JSON.")
@click.pass_context
def story_page(ctx, story_id, as_json):
    """A story: its timeline (each development quoted and cited), coverage by outlet, and who said what in it."""
    found = open_assistant(ctx).story(story_id)
    if found is None:
        raise click.ClickException(f"no story {story_id}: `newsdesk stories` lists them")
    if as_json:
        echo(json.dumps(asdict(found), ensure_ascii=False, indent=2))
        return
    echo(f"{found.label}\n")
    echo("Timeline")
    for d in found.timeline:
        how = "" if d.dated_by == "text" else " (published)"
        echo(f"  {d.day}{how}  {d.source or ''}  {d.doc_id}:{d.start}-{d.end}\n      “{d.quote}”")
    if found.undated:
        echo("  Undated (the articles carry no date; in no particular order):")
        for d in found.undated:
            echo(f"    {d.source or ''}  {d.doc_id}:{d.start}-{d.end}\n      “{d.quote}”")
    echo("\nCoverage")
    for c in found.coverage:
        span = " to ".join(dict.fromkeys(d for d in (c.first, c.last) if d)) or "undated"
        echo(f"  {c.outlet}: {c.articles} article{'s' * (c.articles != 1)}, {span}")
    if found.people:
        echo("\nWho said what")
        for speaker, said in found.people:
            echo(f"  {speaker}")
            for st in said:
                echo(f"    “{st.text}”  {st.doc_id}:{st.start}-{st.end}")


@cli.group()
def docs():
    """List or delete indexed articles."""


@docs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON (without article text).")
@filter_options
@click.pass_context
def docs_list(ctx, as_json, **filters):
    documents = open_assistant(ctx).documents(**filters_from(**filters))
    listing(
        as_json,
        [{k: v for k, v in asdict(d).items() if k != "text"} for d in documents],
        (f"{d.doc_id}\t{(d.published_at or '')[:10]}\t{d.source or ''}\t{d.title}" for d in documents),
        f"{len(documents)} documents",
    )


def listing(as_json: bool, records: list[dict], lines: Iterable[str], count: str) -> None:
    """A list as JSON records, or as lines with their count on stderr."""
    if as_json:
        echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    for line in lines:
        echo(line)
    echo(count, err=True)


@docs.command("delete")
@click.argument("doc_ids", nargs=-1, required=True)
@click.pass_context
def docs_delete(ctx, doc_ids):
    assistant = open_assistant(ctx)
    missing = [doc_id for doc_id in doc_ids if not assistant.delete(doc_id)]
    if len(missing) < len(doc_ids):
        assistant.prepare_search()  # now, rather than in the next question's time
    removals("deleted", len(doc_ids), [f"no document '{doc_id}'" for doc_id in missing])


def removals(done: str, asked: int, missing: list[str]) -> None:
    """How many were removed, and an error line for each that was not there (exit code 1)."""
    for why in missing:
        echo(f"error: {why}", err=True)
    echo(f"{done} {asked - len(missing)}")
    if missing:
        sys.exit(1)


@cli.group()
def sources():
    """Follow feeds, pages and folders: `newsdesk watch` (or `serve --watch`) keeps their articles current."""


@sources.command("add")
@click.argument("locations", nargs=-1, required=True)
@click.option("--read/--no-read", default=True, show_default=True, help="Read each one now.")
@click.pass_context
def sources_add(ctx, locations, read):
    """Follow feed or page URLs, or folders; each is read now (unless --no-read)."""
    from ingest.subscriptions import NotASource

    assistant = open_assistant(ctx)
    failed = False
    for location in locations:
        try:
            source, report = assistant.add_source(location, read)
        except NotASource as error:
            raise InputError(str(error)) from None
        echo(f"following {source.location}" + (f": {report.summary()}" if report else ""))
        for problem in report.problems if report else []:
            echo(f"error: {problem}", err=True)
            failed = True
    if failed:
        sys.exit(1)


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@click.pass_context
def sources_list(ctx, as_json):
    """The sources followed: when each was last read, what that brought, its last error."""
    followed = open_assistant(ctx).list_sources()
    lines = (
        "\n".join(
            [
                f"{s.location}\t{s.kind}\t" + (f"read {s.last_read}: {s.brought}" if s.last_read else "not read yet"),
                *(f"    error: {line}" for line in (s.last_error or "").splitlines()),
            ]
        )
        for s in followed
    )
    listing(as_json, [asdict(s) for s in followed], lines, f"{len(followed)} sources")


@sources.command("remove")
@click.argument("locations", nargs=-1, required=True)
@click.pass_context
def sources_remove(ctx, locations):
    """Stop following them; the articles they brought stay (`newsdesk docs delete` removes those)."""
    assistant = open_assistant(ctx)
    missing = [location for location in locations if not assistant.remove_source(location)]
    removals("removed", len(locations), [f"not followed: {location}" for location in missing])


@cli.command()
@click.option("--once", is_flag=True, help="Read what is due once, then stop.")
@click.pass_context
def watch(ctx, once):
    """Keep reading the sources followed: feeds and pages every NEWSDESK_FEED_POLL_MINUTES, folders when their
    files change. Questions can be asked meanwhile, from another shell or the browser."""
    from .watching import Watcher

    assistant = open_assistant(ctx)
    if not assistant.list_sources():
        echo("no sources followed yet: add some with `newsdesk sources add URL-or-FOLDER`", err=True)
    if once:
        for source, report in assistant.refresh_sources():
            print_read(source, report)
        return
    watcher = Watcher(assistant, print_read)
    echo(f"watching {len(assistant.list_sources())} sources (Ctrl-C stops)", err=True)
    try:
        watcher.run()
    except KeyboardInterrupt:
        watcher.stop()


def print_read(source, report) -> None:
    echo(f"{source.last_read} {source.location}: {source.brought}")
    for problem in report.problems:
        echo(f"error: {problem}", err=True)


@cli.command()
@click.pass_context
def reindex(ctx):
    """Rebuild the vectors and search structures from the catalog (after a lost chroma folder or damaged cache)."""
    chunks = open_assistant(ctx).reindex()
    echo(f"reindexed {chunks} chunks")


@cli.command()
def model():
    """Prepare the local models (join the LLM's parts once and check its sha256, export the int8 embedder) and print
    the LLM's path."""
    from ingest import Embedder

    from .generation.model_files import local_model_path
    from .settings import Settings

    settings = Settings()
    if settings.embedding_quantized:
        Embedder(settings.model_cache_dir, settings.embedding_model)
    echo(str(settings.local_model_path or local_model_path(settings.model_cache_dir)))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7860, show_default=True)
@click.option("--ingest", "paths", multiple=True, help="Ingest these files, folders or URLs first (repeatable).")
@click.option("--watch", is_flag=True, help="Keep the sources followed current meanwhile (as `newsdesk watch`).")
@click.pass_context
def serve(ctx, host, port, paths, watch):
    """Start the chat in the browser."""
    from app import launch

    from .watching import Watcher

    assistant = open_assistant(ctx)
    if paths:
        echo(assistant.ingest(paths, progress=sys.stderr.isatty()).summary())
    if watch:
        Watcher(assistant, print_read).start()
    launch(assistant, host, port)


if __name__ == "__main__":
    cli()


@cli.command()
@click.pass_context
def doctor(ctx):
    """Check the local setup: the CPU, the llama.cpp build, weight repacking, the model file, five tokens from the
    model in a worker process, and the index. Exits non-zero, with the fix, when something is wrong."""
    from pydantic import ValidationError

    from .doctor import Status, checks
    from .settings import Settings

    try:
        settings = Settings(**({"index_dir": ctx.obj} if ctx.obj else {}))
    except ValidationError as error:
        raise InputError(bad_setting(error)) from None
    failed = 0
    for check in checks(settings):
        echo(
            f"{check.status.value:>4}  {check.name}: {check.detail}"
            + (f"\n      fix: {check.fix}" if check.fix else "")
        )
        failed += check.status is Status.FAIL
    if failed:
        raise click.ClickException(f"{failed} check{'s' * (failed > 1)} failed")
