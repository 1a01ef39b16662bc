"""newsdesk: ask questions about news articles and get answers cited to the sentence."""

from ingest import Document, Filters, IngestProblem, IngestReport
from ingest.quotes import Statement

from .api import Assistant
from .settings import Settings
from .types import Answer, Citation, Passage

__all__ = [
    "Answer",
    "Assistant",
    "Citation",
    "Document",
    "Filters",
    "IngestProblem",
    "IngestReport",
    "Passage",
    "Settings",
    "Statement",
]
