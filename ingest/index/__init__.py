"""The index on disk and the searches it answers: the catalog (the source of truth), the vectors kept in step with
it, and the search structures held in memory while it is unchanged."""

from .filters import Filters
from .index import Index

__all__ = ["Filters", "Index"]
