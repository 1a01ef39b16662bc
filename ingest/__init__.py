"""Files to a searchable index: loading, metadata, chunking, embedding and storage."""

from .document import Chunk, Document, IngestProblem, IngestReport
from .embedding import Embedder
from .filters import Filters
from .index import Index
from .pipeline import ingest

__all__ = ["Chunk", "Document", "Embedder", "Filters", "Index", "IngestProblem", "IngestReport", "ingest"]
