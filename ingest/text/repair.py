"""Text as its author wrote it: mojibake ("Â£" for "£") undone, terminal escapes and control characters dropped."""

from __future__ import annotations

import re
from dataclasses import replace

import ftfy

from ..document import Document

# ftfy's defaults also straighten curly quotes and narrow full-width letters: news text keeps both as written.
FIXES = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=False)
# An operating system command (a terminal's title, a link) runs to BEL or ESC \; ftfy drops only its ESC.
OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
# Every escape sequence and control character a terminal acts on; tab and newline stay.
TERMINAL = re.compile(OSC.pattern + r"|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]?|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def repaired_text(text: str) -> str:
    return ftfy.fix_text(OSC.sub("", text), FIXES)


def printable(text: str) -> str:
    """What is safe to print to a terminal: nothing in it moves the cursor, clears the screen or retitles the window."""
    return TERMINAL.sub("", text)


def repaired(document: Document) -> Document:
    """Every text field repaired; the id is left as given, since it names the article elsewhere too."""
    fields = ("text", "title", "source", "author", "url", "published_at")
    return replace(document, **{name: repaired_text(value) for name in fields if (value := getattr(document, name))})
