"""Sources a collection follows: feeds and pages read again every so often, folders whenever their files change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .document import IngestProblem
from .loading.loaders import expand
from .web.fetch import SCHEMES, web_scheme

FOLDER, WEB = "folder", "web"


@dataclass(frozen=True)
class Subscription:
    location: str  # an http(s) URL, or a folder's absolute path
    kind: str  # FOLDER or WEB
    added_at: str
    last_read: str | None = None  # ISO 8601, UTC: when it was last read, whatever came of it
    brought: str | None = None  # what the last read that found something new did: "3 added, 1 updated, 2 removed"
    last_error: str | None = None  # the last read's problems, one a line; None when it went cleanly
    signature: str | None = None  # a folder's files (names, sizes, times) when it was last read


class NotASource(ValueError):
    """A location that cannot be followed; the message says why."""


def stored_location(location: str) -> str:
    """A URL as given, a folder as its absolute path."""
    return location if web_scheme(location) else str(Path(location).expanduser().resolve())


def subscription_for(location: str) -> tuple[str, str]:
    """(location as stored, kind) of a source that can be followed; NotASource for anything else."""
    if not location.strip():
        raise NotASource("an empty location: give a feed or page URL, or a folder")
    scheme = web_scheme(location)
    if scheme in SCHEMES:
        return location, WEB
    if scheme:
        raise NotASource(f"{location}: only http(s) URLs and folders can be followed, not {scheme}:")
    if not Path(location).expanduser().is_dir():
        raise NotASource(f"{location}: not a folder, nor an http(s) URL of a feed or page")
    return stored_location(location), FOLDER


def folder_signature(folder: Path, skip: Path | None = None) -> str | None:
    """Changes when a file in the folder is added, removed or rewritten; None when the folder is gone. Polling
    names, sizes and times costs one stat a file and needs nothing from the operating system's change events."""
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in expand([folder], skip):
        if not isinstance(path, IngestProblem):
            stat = path.stat()
            digest.update(f"{path}\x00{stat.st_size}\x00{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def due(subscription: Subscription, now: datetime, every_seconds: float) -> bool:
    """Whether a feed or page is due to be read again."""
    if subscription.last_read is None:
        return True
    return (now - datetime.fromisoformat(subscription.last_read)).total_seconds() >= every_seconds
