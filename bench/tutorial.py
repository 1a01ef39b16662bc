"""The pipeline of LangChain's RAG tutorial, as the baseline of both benchmarks: RecursiveCharacterTextSplitter(1000,
200), HuggingFaceEmbeddings with the same MiniLM model, Chroma with cosine distance, dense top-k search, and the
tutorial's stock prompt answered by the same local model newsdesk uses. It cites nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .common import PeakMemory, read_jsonl

# The prompt of LangChain's RAG tutorial (hub "rlm/rag-prompt"), word for word.
PROMPT = (
    "You are an assistant for question-answering tasks. Use the following pieces of retrieved context to answer "
    "the question. If you don't know the answer, just say that you don't know. Use three sentences maximum and keep "
    "the answer concise.\nQuestion: {question} \nContext: {context} \nAnswer:"
)


@dataclass
class Built:
    articles: int
    chars: int
    chunks: int
    seconds: float
    memory_mb: float


class Tutorial:
    def __init__(self, directory: Path):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings

        from ingest.embedding import packaged_model_path

        self.client = chromadb.PersistentClient(
            path=str(directory), settings=ChromaSettings(anonymized_telemetry=False)
        )
        self.store = Chroma(
            collection_name="tutorial",
            embedding_function=HuggingFaceEmbeddings(model_name=str(packaged_model_path())),
            client=self.client,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    def build(self, files: list[Path]) -> Built:
        """Reads, splits, embeds and stores the articles of these JSONL files, timed from the first read."""
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        with PeakMemory() as memory:
            started = time.perf_counter()
            articles = [article for path in files for article in read_jsonl(path)]
            documents = [Document(page_content=a["body"], metadata={"doc_id": a["id"]}) for a in articles]
            chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(documents)
            batch = self.client.get_max_batch_size()  # Chroma refuses a larger add
            for i in range(0, len(chunks), batch):
                self.store.add_documents(chunks[i : i + batch])
            seconds = time.perf_counter() - started
        return Built(len(articles), sum(len(a["body"]) for a in articles), len(chunks), seconds, memory.growth_mb)

    def search(self, question: str, k: int) -> list[tuple[str, str]]:
        """(doc_id, chunk text), best first."""
        return [(d.metadata["doc_id"], d.page_content) for d in self.store.similarity_search(question, k=k)]

    def answer(self, question: str, llm, k: int = 4) -> tuple[str, list[str], str]:
        """The tutorial's answer with ``llm``, the doc ids of the chunks it read, and its prompt."""
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate

        found = self.search(question, k)
        context = "\n\n".join(text for _, text in found)
        chain = ChatPromptTemplate.from_messages([("human", PROMPT)]) | llm | StrOutputParser()
        text = chain.invoke({"question": question, "context": context})
        return text, [doc for doc, _ in found], PROMPT.format(question=question, context=context)
