"""Files to a searchable index: loading, metadata, chunking, who said what, embedding and storage."""

from .document import Chunk, Document, IngestProblem, IngestReport
from .embedding import Embedder
from .index import Filters, Index
from .pipeline import ingest
from .statements import Statement

__all__ = ["Chunk", "Document", "Embedder", "Filters", "Index", "IngestProblem", "IngestReport", "Statement", "ingest"]
