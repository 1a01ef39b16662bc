"""Files to Documents, one loader per format; anything unreadable becomes an IngestProblem, never an exception."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import htmldate
import trafilatura
from trafilatura.settings import Document as TrafilaturaDocument

from ..document import Document, IngestProblem
from .metadata import (
    author_in_text,
    date_in_text,
    normalize_date,
    split_front_matter,
    title_from_text,
)

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
JSONL_FIELDS = ("title", "source", "published_at", "url", "author")

Loaded = Document | IngestProblem


class UnreadableText(ValueError):
    """Bytes that are not a text article; the message says why, for the person who owns the file."""


def expand(paths: Iterable[str | Path], skip: Path | None = None) -> Iterator[Path | IngestProblem]:
    """Files named, and the files inside folders named (recursively, in a stable order, hidden ones and those
    under ``skip``, the index itself, left out)."""
    skip = skip.resolve() if skip else None
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                inside_index = skip is not None and child.resolve().is_relative_to(skip)
                if child.is_file() and not hidden and not inside_index:
                    yield child
        elif path.is_file():
            yield path
        else:
            yield IngestProblem(str(path), "no such file or folder")


def load(path: Path, max_bytes: int) -> Iterator[Loaded]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        yield IngestProblem(
            str(path), f"unsupported file type '{suffix or path.name}' (supported: {', '.join(sorted(SUPPORTED))})"
        )
        return
    if suffix in JSONL_SUFFIXES:
        yield from load_jsonl(path, max_bytes)
        return
    size = path.stat().st_size
    if size > max_bytes:
        yield IngestProblem(
            str(path), f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for one article"
        )
        return
    try:
        text = decode(path.read_bytes())
        yield (load_html if suffix in HTML_SUFFIXES else load_text)(path, text)
    except UnreadableText as problem:
        yield IngestProblem(str(path), str(problem))
    except OSError as error:
        yield IngestProblem(str(path), f"cannot read: {error.strerror or error}")


def decode(data: bytes) -> str:
    if not data.strip():
        raise UnreadableText("file is empty")
    if b"\x00" in data[:8192]:
        raise UnreadableText("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableText(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); save it as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_text(path: Path, text: str) -> Document:
    fields, body_start = split_front_matter(text)
    body = text[body_start:]
    if not body.strip():
        raise UnreadableText("no article text after the front matter")
    return Document(
        doc_id=path.stem,
        text=body,
        title=fields.get("title") or title_from_text(body),
        source=fields.get("source"),
        published_at=normalize_date(fields.get("published_at")) or date_in_text(body),
        url=fields.get("url"),
        author=fields.get("author") or author_in_text(body),
        path=str(path),
    )


def load_html(path: Path, html: str) -> Document:
    return article_from_html(html, path.stem, str(path))


def article_from_html(html: str, doc_id: str, path: str, url: str | None = None) -> Document:
    """The article in a web page: its main text, title, author, outlet and date, by trafilatura; the date by
    htmldate's wider search of the page when its metadata gives none. ``url``: where it was found, when the page
    names no canonical URL of its own."""
    extracted = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False, as_dict=False)
    text = (extracted.text if isinstance(extracted, TrafilaturaDocument) else None) or ""
    if not isinstance(extracted, TrafilaturaDocument) or not text.strip():
        raise UnreadableText("no article text found in the HTML")
    date = normalize_date(extracted.date) or normalize_date(
        htmldate.find_date(html, extensive_search=True, original_date=True)
    )
    title = extracted.title or title_from_text(text)
    return Document(
        doc_id=doc_id,
        text=without_headline(text, title),
        title=title,
        source=extracted.sitename,
        published_at=date or date_in_text(text),
        url=extracted.url or url,
        author=extracted.author or author_in_text(text),
        path=path,
    )


def without_headline(text: str, title: str) -> str:
    """The text without a first line that repeats the title (a page's <h1>, which trafilatura sometimes keeps):
    the title is stored, and given to each chunk, already."""
    first, _, rest = text.lstrip().partition("\n")
    return rest.lstrip("\n") if title and rest.strip() and " ".join(first.split()) == " ".join(title.split()) else text


def load_jsonl(path: Path, max_bytes: int) -> Iterator[Loaded]:
    """One article per line; a bad line is reported with its number and the others still load."""
    try:
        handle = path.open("rb")
    except OSError as error:
        yield IngestProblem(str(path), f"cannot read: {error.strerror or error}")
        return
    with handle:
        saw_content = False
        seen: dict[str, int] = {}  # doc_id -> the line it was first on
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            saw_content = True
            if len(raw) > max_bytes:
                yield IngestProblem(
                    str(path), f"line is {len(raw) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit", number
                )
                continue
            try:
                article = article_from_json(path, decode(raw))
            except UnreadableText as problem:
                yield IngestProblem(str(path), str(problem), number)
                continue
            if (first := seen.setdefault(article.doc_id, number)) != number:
                # Two lines of one file with one id: neither may silently replace the other.
                yield IngestProblem(str(path), f"id '{article.doc_id}' is already on line {first}", number)
                continue
            yield article
        if not saw_content:
            yield IngestProblem(str(path), "file is empty")


def article_from_json(path: Path, line: str) -> Document:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise UnreadableText(f"malformed JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(record, dict):
        raise UnreadableText(f"expected a JSON object, got {type(record).__name__}")
    body = record.get("body")
    if not isinstance(body, str) or not body.strip():
        raise UnreadableText("missing or empty 'body'")
    body = body.replace("\r\n", "\n")
    fields = {name: str(record[name]).strip() for name in JSONL_FIELDS if record.get(name) not in (None, "")}
    # Without an id the body is the article's identity: loading the same line twice stays one document.
    doc_id = str(record.get("id") or "").strip() or hashlib.sha256(body.encode()).hexdigest()[:16]
    return Document(
        doc_id=doc_id,
        text=body,
        title=fields.get("title") or title_from_text(body),
        source=fields.get("source"),
        published_at=normalize_date(fields.get("published_at")) or date_in_text(body),
        url=fields.get("url"),
        author=fields.get("author") or author_in_text(body),
        path=str(path),
    )
