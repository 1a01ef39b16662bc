"""The hybrid search as a LangChain retriever, so that it composes into chains like any other."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ingest import Filters

from ..types import Passage
from .hybrid import HybridSearch


class NewsRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever, so it composes into chains like any other."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: HybridSearch
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [
            LCDocument(page_content=p.text, metadata={k: v for k, v in vars(p).items() if k != "text"}, id=p.chunk_id)
            for p in self.search(self.search.read(query), self.k, self.filters)
        ]


def passages_from(documents: list[LCDocument]) -> list[Passage]:
    return [Passage(text=d.page_content, **d.metadata) for d in documents]
