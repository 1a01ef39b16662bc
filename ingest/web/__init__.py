"""Feeds and web pages: fetching them politely and safely, and reading their articles."""
