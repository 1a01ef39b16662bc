"""Text to vectors from an OpenAI-compatible embeddings endpoint (an embedding server shared by many processes)."""

from __future__ import annotations

import numpy as np


class RemoteEmbedder:
    """Unit-length float32 vectors from ``base_url``'s ``/embeddings``, ``batch_size`` texts a request.

    ``name`` says which model made them, so that an index never mixes them with another embedder's."""

    def __init__(
        self, base_url: str, model: str, api_key: str = "not-needed", batch_size: int = 64, timeout: float = 60.0
    ):
        from openai import OpenAI

        self.client = OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=2)
        self.model = model
        self.batch_size = batch_size
        self.name = f"openai-{model}"
        self.dimension = len(self.request(["dimension"])[0])  # the index needs the width before any text comes

    def request(self, texts: list[str]) -> list[list[float]]:
        response = self.client.embeddings.create(model=self.model, input=texts, encoding_format="float")
        return [d.embedding for d in sorted(response.data, key=lambda d: d.index)]

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = [v for i in range(0, len(texts), self.batch_size) for v in self.request(texts[i : i + self.batch_size])]
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)  # servers differ on normalising

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]
