"""The browser app (``newsdesk serve``, or ``python app.py``): ask about the articles and read each cited sentence in
its article, manage the library, see who said what. It is built in ``assistant/ui``."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from assistant.ui.app import build_app, launch, server

__all__ = ["build_app", "launch", "server"]

if __name__ == "__main__":
    import sys

    from assistant.cli import cli

    cli(["serve", *sys.argv[1:]])
