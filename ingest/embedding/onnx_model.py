"""A sentence-transformers model as an int8 ONNX graph, exported once per machine from the local weights.

Embedding is nearly all of ingest time and a good part of search time. On a CPU without VNNI, an ONNX graph with
fused attention and per-channel int8 matrix multiplies encodes news chunks about 1.6x as fast as PyTorch fp32,
with vectors at a mean cosine of 0.993 to the fp32 ones (bench/retrieval.py --compare-embedders measures the
retrieval quality of both). Only the MatMul weights are quantized: int8 word embeddings cost far more accuracy.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

EXPORT_VERSION = 1  # part of the cache key: bump when the export recipe changes


class EmbeddingModelError(RuntimeError):
    pass


@lru_cache(maxsize=8)
def weights_digest(model_dir: Path) -> str:
    """Names the exported file after the weights it came from, so other weights never reuse it."""
    digest = hashlib.sha256()
    weights = sorted(model_dir.glob("*.safetensors")) or sorted(model_dir.glob("pytorch_model*.bin"))
    if not weights:
        raise EmbeddingModelError(f"{model_dir}: no model weights (*.safetensors or pytorch_model.bin) found")
    for path in weights:
        with path.open("rb") as f:
            while block := f.read(1 << 22):
                digest.update(block)
    return digest.hexdigest()[:16]


def quantized_model_path(model_dir: Path, cache_dir: Path) -> Path:
    """The int8 graph for ``model_dir``, exported and quantized on first use (about half a minute)."""
    target = cache_dir / f"embedder-{weights_digest(model_dir)}-v{EXPORT_VERSION}-int8.onnx"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = cache_dir / f".export-{os.getpid()}"
    work.mkdir(exist_ok=True)
    try:
        exported, fused, quantized = work / "model.onnx", work / "fused.onnx", work / "int8.onnx"
        export(model_dir, exported)
        fuse(exported, fused, model_dir)
        quantize(fused, quantized)
        quantized.replace(target)  # only a complete file ever carries the final name
    finally:
        for leftover in work.iterdir():
            leftover.unlink()
        work.rmdir()
    return target


def export(model_dir: Path, out: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    transformer = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)[0].auto_model
    transformer.eval()  # type: ignore[union-attr]

    class LastHiddenState(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    example = torch.ones((1, 8), dtype=torch.int64)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    dynamic = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
        torch.onnx.export(
            LastHiddenState(transformer),
            (example, example, torch.zeros_like(example)),
            str(out),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=dynamic,
            opset_version=17,
            dynamo=False,
        )


def fuse(model: Path, out: Path, model_dir: Path) -> None:
    from onnxruntime.transformers import optimizer

    config = json.loads((model_dir / "config.json").read_text())
    optimized = optimizer.optimize_model(
        str(model), model_type="bert", num_heads=config["num_attention_heads"], hidden_size=config["hidden_size"]
    )
    optimized.save_model_to_file(str(out))


def quantize(model: Path, out: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # its advice to pre-process is for static quantization of vision models
    try:
        quantize_dynamic(
            str(model),
            str(out),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root.setLevel(level)


class OnnxEncoder:
    """Tokenizes with the model's own tokenizer.json and pools as its sentence-transformers config says."""

    def __init__(self, model_dir: Path, graph: Path):
        from tokenizers import Tokenizer

        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if pooling.get("pooling_mode_mean_tokens"):
            self.pooling = "mean"
        elif pooling.get("pooling_mode_cls_token"):
            self.pooling = "cls"
        else:
            raise EmbeddingModelError(
                f"{model_dir}: only mean or CLS pooling can run as ONNX; set NEWSDESK_EMBEDDING_QUANTIZED=false"
            )
        max_tokens = json.loads((model_dir / "sentence_bert_config.json").read_text()).get("max_seq_length", 256)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.no_padding()  # tokenizer.json pads to 128 for batches; one text at a time needs none
        # Many texts: one per run, one core per run, as many runs side by side as there are cores: measured faster
        # than batches here, and a text's vector never depends on its neighbours (dynamic int8 quantization scales
        # a whole batch's activations together, padding included). One text (a question): all cores on it, in a
        # session of its own, since sharing one between concurrent runs slows ingest by a quarter.
        self.graph = graph
        self.cores = os.cpu_count() or 1
        self.pool = ThreadPoolExecutor(self.cores)
        self.session = self.open_session(threads=1)
        self.dimension = self.session.get_outputs()[0].shape[-1]

    def open_session(self, threads: int):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        # Idle threads sleep instead of spinning: llama.cpp needs every core right after a question is embedded.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return onnxruntime.InferenceSession(str(self.graph), options, providers=["CPUExecutionProvider"])

    @cached_property
    def single(self):
        return self.open_session(threads=self.cores)

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            return self.encode_one(texts[0], self.single)[None]
        return np.stack(list(self.pool.map(self.encode_one, texts)))

    def encode_one(self, text: str, session=None) -> np.ndarray:
        encoding = self.tokenizer.encode(text)
        inputs = {
            "input_ids": np.array([encoding.ids], dtype=np.int64),
            "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([encoding.type_ids], dtype=np.int64),
        }
        hidden = (session or self.session).run(None, inputs)[0][0]
        pooled = hidden[0] if self.pooling == "cls" else hidden.mean(axis=0)
        return (pooled / np.linalg.norm(pooled)).astype(np.float32)
