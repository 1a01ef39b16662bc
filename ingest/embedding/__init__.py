"""Text to vectors: all-MiniLM-L6-v2 from site-packages, as an int8 ONNX graph or with PyTorch."""

from .embedder import Embedder, packaged_model_path

__all__ = ["Embedder", "packaged_model_path"]
