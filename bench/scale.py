"""Vector search at 10k, 100k and 1M chunks: exact in memory, Chroma embedded (HNSW), and a Chroma server.

Embedding a million chunks takes hours on 2 cores, so the vectors are synthetic, made near real ones: the chunks of
the BBC articles (ingest's own chunker) are embedded with newsdesk's embedder, and each synthetic vector is one of
them plus gaussian noise (``--noise`` per dimension), made unit length again. Queries are real: BBC headlines,
embedded. Per size and engine: search p50/p95 (k=10, one query at a time), memory (RSS growth of this process, or of
the server), the first search of a new process, store throughput (vectors/s, no embedding) and ingest throughput
with the embedding step (from the embedder's measured rate), and Hits@10 of HNSW against the exact top 10.
Results are written to bench/results/scale-*.json after every measurement and printed as a table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ingest.chunking import chunk_document
from ingest.document import Document
from ingest.index.search import MemorySearch, codes

from .common import DEFAULT_DATA, Data, PeakMemory, log, percentile, print_table, read_jsonl, run_info, write_results

K = 10
ENGINES = {"memory": "memory (exact)", "embedded": "chroma embedded", "server": "chroma server"}
BASE_CACHE = Path.home() / ".cache" / "newsdesk" / "bench-scale"


def real_vectors(limit: int, queries: int) -> tuple[np.ndarray, np.ndarray, float]:
    """BBC chunks and headlines embedded (cached between runs), and the embedder's rate in chunks a second."""
    from assistant.settings import Settings
    from ingest import Embedder

    cache = BASE_CACHE / f"bbc-{limit}-{queries}.npz"
    if cache.exists():
        saved = np.load(cache)
        return saved["base"], saved["queries"], float(saved["rate"])
    articles = read_jsonl(Data.under(DEFAULT_DATA).distractors)
    texts: list[str] = []
    for a in articles:
        document = Document(doc_id=str(a["id"]), text=a["body"], title=a["title"])
        texts.extend(f"{a['title']}\n{c.text}" for c in chunk_document(document, Settings().chunk_chars))
    texts = texts[:limit]
    settings = Settings()
    embedder = Embedder(settings.model_cache_dir, settings.embedding_model)
    started = time.perf_counter()
    base = embedder.embed(texts)
    rate = len(texts) / (time.perf_counter() - started)
    headlines = [a["title"] for a in articles[::-1][:queries]]
    asked = np.stack([embedder.embed_one(h) for h in headlines])
    BASE_CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(cache, base=base, queries=asked, rate=rate)
    return base, asked, rate


def synthetic(base: np.ndarray, n: int, noise: float, seed: int = 0) -> np.ndarray:
    """``n`` unit vectors, each a real one (in turn) plus gaussian noise; made in blocks to keep memory flat."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(start + 100_000, n)
        block = base[np.arange(start, stop) % len(base)] + rng.normal(0, noise, (stop - start, base.shape[1]))
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def timings(search, queries: np.ndarray) -> tuple[list[list[int]], float, float]:
    """Each query's top-k rows, and the p50 and p95 of the search times in ms."""
    found, times = [], []
    for q in queries:
        started = time.perf_counter()
        found.append(search(q))
        times.append((time.perf_counter() - started) * 1000)
    return found, percentile(times, 50) or 0.0, percentile(times, 95) or 0.0


def hits(found: list[list[int]], exact: list[list[int]]) -> float:
    return float(np.mean([len(set(f[:K]) & set(e[:K])) / K for f, e in zip(found, exact)]))


def memory_search(vectors: np.ndarray) -> MemorySearch:
    n = len(vectors)
    empty = codes([""] * n)
    return MemorySearch(0, [str(i) for i in range(n)], empty, empty, np.full(n, np.nan), vectors, None)


FIRST_MEMORY = """
import sys, time
started = time.perf_counter()
import numpy as np
from pathlib import Path
from bench.scale import memory_search
memory = memory_search(np.load(Path(sys.argv[1]) / "arrays.npz")["vectors"])  # as MemorySearch.load, without BM25
memory.dense(np.load(sys.argv[2])[0], 10, [None])
print(time.perf_counter() - started)
"""

FIRST_CHROMA = """
import sys, time
started = time.perf_counter()
import numpy as np
from pathlib import Path
from ingest.index.vectors import VectorStore, open_client
host = sys.argv[3] or None
store = VectorStore(open_client(Path(sys.argv[1]), host, int(sys.argv[4] or 8000)), "scale", "bench")
store.search(np.load(sys.argv[2])[0], 10)
print(time.perf_counter() - started)
"""


def first_search(script: str, *args: str) -> float:
    """Seconds from a new process's start (imports included) to its first search's result."""
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def measure_memory(vectors: np.ndarray, queries: np.ndarray, work: Path, query_file: Path) -> tuple[dict, list]:
    with PeakMemory() as peak:
        memory = memory_search(vectors.copy())
        found, p50, p95 = timings(lambda q: [int(c) for c, _ in memory.dense(q, K, [None])[0]], queries)
    folder = work / "memory"
    memory.save(folder)
    first = first_search(FIRST_MEMORY, str(folder), str(query_file))
    shutil.rmtree(folder)
    row = {"p50 ms": p50, "p95 ms": p95, "memory MB": peak.growth_mb, "first search s": first, "Hits@10": 1.0}
    return row, found


def chroma_server(folder: Path) -> tuple[subprocess.Popen, int]:
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
            return process, port
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise TimeoutError("chroma run did not answer")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def measure_chroma(
    vectors: np.ndarray, queries: np.ndarray, exact: list, work: Path, query_file: Path, server: bool, ef: int | None
) -> dict:
    from ingest.index.vectors import VectorStore, open_client

    # A folder per run: the embedded client keeps a removed folder's database open for the process's life.
    folder = work / f"{'server' if server else 'embedded'}-{len(vectors)}"
    process, port = chroma_server(folder) if server else (None, 0)
    try:
        host = "127.0.0.1" if server else None
        with PeakMemory() as peak:
            before = rss_mb(process.pid) if process else 0.0
            store = VectorStore(open_client(folder, host, port), "scale", "bench", ef_search=ef)
            ids = [str(i) for i in range(len(vectors))]
            started = time.perf_counter()
            for i in range(0, len(ids), 20_000):  # in slices: a million vectors at once are a list of a million lists
                store.add(ids[i : i + 20_000], vectors[i : i + 20_000], [{"doc_id": "d"}] * len(ids[i : i + 20_000]))
            added = len(ids) / (time.perf_counter() - started)
            found, p50, p95 = timings(lambda q: [int(c) for c, _ in store.search(q, K)], queries)
        grown = (rss_mb(process.pid) - before) if process else peak.growth_mb
        first = first_search(FIRST_CHROMA, str(folder), str(query_file), host or "", str(port))
        return {
            "p50 ms": p50,
            "p95 ms": p95,
            "memory MB": grown,
            "first search s": first,
            "Hits@10": hits(found, exact),
            "store vectors/s": added,
        }
    finally:
        if process:
            process.terminate()
            process.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--engines", nargs="+", choices=list(ENGINES), default=list(ENGINES))
    parser.add_argument("--max-embedded", type=int, default=1_000_000, help="largest size built in Chroma embedded")
    parser.add_argument("--max-server", type=int, default=1_000_000, help="largest size built on the Chroma server")
    parser.add_argument("--base", type=int, default=3000, help="real BBC chunks embedded as the vectors' centres")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--noise", type=float, default=0.025, help="gaussian noise per dimension, before renorm")
    parser.add_argument("--ef-search", type=int, default=None, help="HNSW ef_search (Chroma's default: 100)")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()

    base, queries, embed_rate = real_vectors(args.base, args.queries)
    log(f"{len(base)} real chunk vectors, {len(queries)} headline queries; embedder: {embed_rate:.0f} chunks/s")
    payload: dict = {
        "run": run_info(),
        "method": {
            "base chunks": len(base),
            "queries": len(queries),
            "noise": args.noise,
            "k": K,
            "ef_search": args.ef_search,
            "embed chunks/s": embed_rate,
        },
        "rows": [],
    }
    work = Path(args.work or tempfile.mkdtemp(prefix="newsdesk-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    query_file = work / "queries.npy"
    np.save(query_file, queries)
    path = None
    for n in args.sizes:
        vectors = synthetic(base, n, args.noise)
        log(
            f"{n:,} vectors: mean cosine to their real centre {float(np.mean(np.sum(vectors[:1000] * base[np.arange(min(n, 1000)) % len(base)], axis=1))):.3f}"
        )
        memory_row, exact = measure_memory(vectors, queries, work, query_file)
        engines = [
            e
            for e in args.engines
            if e == "memory" or n <= {"embedded": args.max_embedded, "server": args.max_server}[e]
        ]
        for engine in engines:
            log(f"{n:,} {engine} ...")
            measured = (
                memory_row
                if engine == "memory"
                else measure_chroma(vectors, queries, exact, work, query_file, engine == "server", args.ef_search)
            )
            row = {"chunks": n, "engine": ENGINES[engine], "store vectors/s": None, **measured}
            store_rate = row["store vectors/s"]
            # Every chunk is embedded, then stored: the two times add up.
            row["ingest chunks/s"] = 1 / (1 / embed_rate + 1 / store_rate) if store_rate else None
            payload["rows"].append(row)
            if path:
                path.unlink()
            path = write_results("scale", payload)
            log(str(row))
        del vectors
    shutil.rmtree(work, ignore_errors=True)
    print_table(payload["rows"])
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
