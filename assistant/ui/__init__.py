"""The browser app over an Assistant: ask, read the cited articles, manage the library, see who said what."""

from .app import build_app, launch, server

__all__ = ["build_app", "launch", "server"]
