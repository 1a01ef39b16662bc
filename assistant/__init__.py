"""newsdesk: ask questions about news articles and get answers cited to the sentence they came from."""

from ingest import Document, Filters, IngestProblem, IngestReport, Statement

from .api import Assistant
from .generation.errors import ModelServerError
from .generation.supervisor import ModelStopped
from .grounding.policy import POLICY, Policy
from .question import Expects, Question
from .settings import Settings
from .stories import Development, OutletCoverage, Story, StoryArticle, StorySummary
from .types import (
    Answer,
    Citation,
    Dropped,
    Event,
    FinalAnswer,
    Made,
    Passage,
    PassagesFound,
    Refusal,
    Source,
    TextDelta,
)

__all__ = [
    "POLICY",
    "Answer",
    "Assistant",
    "Citation",
    "Development",
    "Document",
    "Dropped",
    "Event",
    "Expects",
    "Filters",
    "FinalAnswer",
    "IngestProblem",
    "IngestReport",
    "Made",
    "ModelServerError",
    "ModelStopped",
    "OutletCoverage",
    "Passage",
    "PassagesFound",
    "Policy",
    "Question",
    "Refusal",
    "Settings",
    "Source",
    "Statement",
    "Story",
    "StoryArticle",
    "StorySummary",
    "TextDelta",
]
