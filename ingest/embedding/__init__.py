"""Text to vectors: all-MiniLM-L6-v2 from site-packages, as an int8 ONNX graph or with PyTorch."""

from .embedder import Embedder, TextEmbedder, packaged_model_path
from .remote import RemoteEmbedder

__all__ = ["Embedder", "RemoteEmbedder", "TextEmbedder", "packaged_model_path"]
