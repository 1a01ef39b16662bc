"""``newsdesk doctor``: the local setup, checked part by part, each failure with its fix.

The model is only ever run in a worker process here: a build that does not fit this CPU, or a crash in llama.cpp,
is a failed check, not a dead doctor."""

from __future__ import annotations

import hashlib
import platform
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from importlib import metadata
from pathlib import Path

from .generation.cpu import build_key, has_amx, read_cpu_flags, repack_weights
from .generation.errors import ModelServerError
from .generation.model_files import QWEN_FILE, QWEN_SHA256, ModelFileError, local_model_path
from .generation.supervisor import BUILD_RECORD, LocalWorker, WorkerConfig, build_problem, built_for, default_threads
from .settings import Settings

SETUP = "run ./scripts/setup.sh"


class Status(StrEnum):
    OK = "ok"
    NOTE = "note"  # worth knowing, nothing to fix
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def cpu_check(flags: frozenset[str]) -> Check:
    kinds = [name for name, present in (("AVX2", "avx2" in flags), ("AVX-512", "avx512f" in flags)) if present]
    kinds += ["AMX"] if has_amx(flags) else []
    return Check(
        "CPU", Status.OK, f"{platform.machine()}, {' '.join(kinds) or 'no AVX2'}; build key {build_key(flags)}"
    )


def build_check(flags: frozenset[str], built: frozenset[str] | None) -> Check:
    """``built``: the instruction sets setup recorded for the installed llama.cpp."""
    try:
        version = metadata.version("llama_cpp_python")
    except metadata.PackageNotFoundError:
        return Check("llama.cpp", Status.FAIL, "llama-cpp-python is not installed", SETUP)
    if built is None:
        return Check("llama.cpp", Status.NOTE, f"llama-cpp-python {version}, not installed by setup ({BUILD_RECORD})")
    problem = build_problem(built, flags)
    if problem:
        return Check("llama.cpp", Status.FAIL, problem, SETUP)
    return Check("llama.cpp", Status.OK, f"llama-cpp-python {version}, built for this CPU's instruction sets")


def repack_check(flags: frozenset[str], setting: str) -> Check:
    on = repack_weights(flags, setting)  # type: ignore[arg-type]
    why = f"NEWSDESK_LLAMA_REPACK={setting}" if setting != "auto" else ("the CPU has AMX" if has_amx(flags) else "auto")
    if on and has_amx(flags):
        return Check(
            "weight repacking", Status.NOTE, f"on ({why}); on AMX CPUs llama.cpp may crash with it", "unset it"
        )
    return Check("weight repacking", Status.OK, f"{'on' if on else 'off'} ({why})")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def model_check(settings: Settings) -> tuple[Check, Path | None]:
    if settings.local_model_path:
        path = settings.local_model_path
        try:
            with path.open("rb") as file:
                magic = file.read(4)
        except OSError as error:
            return Check("model file", Status.FAIL, f"{path}: {error.strerror}", "set NEWSDESK_LOCAL_MODEL_PATH"), None
        if magic != b"GGUF":
            return Check("model file", Status.FAIL, f"{path} is not a GGUF file", "set NEWSDESK_LOCAL_MODEL_PATH"), None
        return Check("model file", Status.OK, f"{path} (your own, {path.stat().st_size / 1e6:,.0f} MB)"), path
    try:
        path = local_model_path(settings.model_cache_dir)
    except ModelFileError as error:
        return Check("model file", Status.FAIL, str(error), SETUP), None
    if sha256(path) != QWEN_SHA256:
        return (
            Check("model file", Status.FAIL, f"{path} does not match its sha256", f"delete it and {SETUP}"),
            None,
        )
    return Check("model file", Status.OK, f"{QWEN_FILE}, sha256 verified"), path


def generation_check(settings: Settings, path: Path, flags: frozenset[str]) -> Check:
    """Five tokens from the model, in a worker process of its own."""
    threads = settings.threads or default_threads()
    worker = LocalWorker(WorkerConfig(str(path), 512, threads, repack_weights(flags, settings.llama_repack)))
    try:
        started = time.perf_counter()
        worker.started()
        loaded = time.perf_counter()
        pieces = list(worker.chat([{"role": "user", "content": "Count from one to ten."}], {"max_tokens": 5}))
        took = time.perf_counter() - loaded
    except ModelServerError as error:
        return Check("generation", Status.FAIL, str(error), SETUP)
    finally:
        worker.stop()
    if not pieces:
        return Check("generation", Status.FAIL, "the model wrote nothing", "try another NEWSDESK_LOCAL_MODEL_PATH")
    return Check(
        "generation",
        Status.OK,
        f"{len(pieces)} tokens in a worker process in {took:.2f} s ({len(pieces) / took:.1f} tokens/s, "
        f"after loading in {loaded - started:.1f} s)",
    )


def index_check(settings: Settings) -> Check:
    from ingest.index.catalog import Catalog

    directory = settings.index_dir
    if not (directory / "catalog.sqlite3").exists():
        return Check("index", Status.NOTE, f"no index at {directory} yet: `newsdesk ingest FILES` makes one")
    catalog = Catalog(directory / "catalog.sqlite3")
    try:
        problem = catalog.db.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            return Check("index", Status.FAIL, f"the catalog is damaged: {problem}", "restore catalog.sqlite3")
        documents, chunks = catalog.count()
        dirty, generation = catalog.vectors_dirty(), catalog.generation()
    finally:
        catalog.db.close()
    from .api import Assistant

    vectors = Assistant(settings=settings).index.vectors.count()
    if dirty or vectors != chunks:
        return Check(
            "index",
            Status.FAIL,
            f"{directory}: the catalog holds {chunks} chunks, the vector store {vectors}",
            "newsdesk reindex (or the next ingest) puts them in step",
        )
    search = directory / "search" / settings.collection / str(generation)
    saved = "saved" if search.is_dir() else "built on the first search"
    return Check(
        "index", Status.OK, f"{directory}: {documents} articles, {chunks} chunks, vectors in step; search {saved}"
    )


def checks(settings: Settings) -> Iterator[Check]:
    """Each part of the setup, in the order they depend on each other; the model is not run if it cannot be."""
    flags = read_cpu_flags()
    yield cpu_check(flags)
    build = build_check(flags, built_for())
    yield build
    yield repack_check(flags, settings.llama_repack)
    model, path = model_check(settings)
    yield model
    if settings.llm_backend != "local":
        yield Check("generation", Status.NOTE, f"answers come from {settings.openai_base_url or 'OpenAI'}")
    elif path and build.status is not Status.FAIL:
        yield generation_check(settings, path, flags)
    yield index_check(settings)
