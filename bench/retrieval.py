"""Retrieval quality and speed on MultiHop-RAG: newsdesk's hybrid search, plain BM25 over the same index, and the
LangChain tutorial pipeline (1000/200 recursive splitter, the same MiniLM model, Chroma, dense search).

    python -m bench.retrieval [--limit N] [--no-baseline] [--no-distractors] [--compare-embedders] [--json-only]
                              [--data DIR]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant import Assistant

from .common import (
    DEFAULT_DATA,
    Data,
    PeakMemory,
    distinct,
    fact_recall,
    hits_at,
    log,
    mean,
    percentile,
    print_table,
    progress,
    read_jsonl,
    reciprocal_rank,
    run_info,
    write_results,
)
from .tutorial import Tutorial

Hit = tuple[str, str]  # (doc_id, passage text)
Search = Callable[[str], list[Hit]]  # a question to passages, best first

DEPTH = 10  # distinct articles scored
NEWSDESK_PASSAGES = 30  # newsdesk keeps at most two passages per article, so 30 passages reach past 10 articles
FIRST_K = 40  # chunk-level searches start here and double until they cover DEPTH articles


def ingest_stats(articles: int, chars: int, chunks: int, seconds: float, memory_mb: float) -> dict:
    return {
        "articles": articles,
        "chunks": chunks,
        "seconds": seconds,
        "memory growth MB": memory_mb,
        "chunks/s": chunks / seconds,
        "articles/s": articles / seconds,
        "chars/s": chars / seconds,
    }


def first_search(directory: Path, question: str, quantized: bool) -> dict:
    """Seconds to a new Assistant's first search (the embedder already loaded, as a CLI question's would be by then):
    building the search structures from the index, as after a write, and loading them as saved."""

    def seconds() -> float:
        assistant = Assistant(directory, embedding_quantized=quantized)
        started = time.perf_counter()
        assistant.search(question)
        return time.perf_counter() - started

    shutil.rmtree(directory / "search", ignore_errors=True)
    built = seconds()
    return {"first search built s": built, "first search loaded s": seconds()}


def widened(search_k: Callable[[int], list[Hit]], everything: int) -> list[Hit]:
    """A search over chunks, asked for more until its chunks cover DEPTH articles or nothing more can come."""
    k = FIRST_K
    while True:
        hits = search_k(k)
        if len(distinct(d for d, _ in hits)) >= DEPTH or len(hits) < k or k >= everything:
            return hits
        k *= 2


def newsdesk_search(assistant: Assistant) -> Search:
    return lambda question: [(p.doc_id, p.text) for p in assistant.search(question, k=NEWSDESK_PASSAGES)]


def bm25_search(assistant: Assistant, chunks: int) -> Search:
    def search_k(question: str, k: int) -> list[Hit]:
        ids = [cid for cid, _ in assistant.index.lexical_search(question, k)]  # BM25 alone, as the index holds it
        found = assistant.index.chunks(ids)
        return [(found[cid].doc_id, found[cid].text) for cid in ids if cid in found]

    return lambda question: widened(lambda k: search_k(question, k), chunks)


def build_baseline(directory: Path, files: list[Path]) -> tuple[Search, dict]:
    """The pipeline of LangChain's RAG tutorial, timed from reading the files to the last vector stored."""
    tutorial = Tutorial(directory)
    built = tutorial.build(files)
    stats = ingest_stats(built.articles, built.chars, built.chunks, built.seconds, built.memory_mb)
    return (lambda question: widened(lambda k: tutorial.search(question, k), built.chunks)), stats


def evaluate(name: str, search: Search, questions: list[dict]) -> tuple[dict, list[dict]]:
    search(questions[0]["question"])  # not timed: the first query loads the vector index from disk
    rows = []
    for q in progress(questions, name):
        started = time.perf_counter()
        hits = search(q["question"])
        ms = (time.perf_counter() - started) * 1000
        ranked = distinct(doc for doc, _ in hits)
        top = set(ranked[:DEPTH])
        passages = [text for doc, text in hits if doc in top]
        gold = distinct(e["doc_id"] for e in q["evidence"])
        rows.append(
            {
                "id": q["id"],
                "type": q["question_type"],
                "hits@4": hits_at(ranked, gold, 4),
                "hits@10": hits_at(ranked, gold, DEPTH),
                "mrr@10": reciprocal_rank(ranked, gold, DEPTH),
                "facts@10": fact_recall([e["fact"] for e in q["evidence"]], passages),
                "ms": ms,
                "top": ranked[:DEPTH],
            }
        )
    summary: dict[str, object] = {
        metric: mean([r[metric] for r in rows]) for metric in ("hits@4", "hits@10", "mrr@10", "facts@10")
    }
    summary["hits@10 by type"] = {
        kind: mean([r["hits@10"] for r in rows if r["type"] == kind]) for kind in sorted({r["type"] for r in rows})
    }
    latencies = [r["ms"] for r in rows]
    summary |= {"p50 ms": percentile(latencies, 50), "p95 ms": percentile(latencies, 95)}
    return summary, rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N answerable questions")
    parser.add_argument("--no-baseline", action="store_true", help="skip the LangChain tutorial pipeline")
    parser.add_argument("--no-distractors", action="store_true", help="index the question corpus alone, without BBC")
    parser.add_argument(
        "--compare-embedders", action="store_true", help="also index and search with the fp32 PyTorch embedder"
    )
    parser.add_argument("--json-only", action="store_true", help="print only the path of the results file")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding eval/ and corpora/ (../shared)")
    args = parser.parse_args()

    data = Data.under(args.data)
    files = [data.corpus] + ([] if args.no_distractors else [data.distractors])
    questions = [q for q in read_jsonl(data.questions) if q["question_type"] != "null_query"][: args.limit]
    articles = [a for path in files for a in read_jsonl(path)]
    chars = sum(len(a["body"]) for a in articles)
    info = run_info()
    ingest: dict[str, dict] = {}
    systems: dict[str, dict] = {}
    per_question: dict[str, list[dict]] = {}

    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        variants = {"newsdesk": True} | ({"newsdesk (fp32 PyTorch embedder)": False} if args.compare_embedders else {})
        searches: dict[str, Search] = {}
        for name, quantized in variants.items():
            log(f"{name}: indexing {len(articles)} articles")
            assistant = Assistant(Path(tmp) / name, embedding_quantized=quantized)
            with PeakMemory() as memory:
                started = time.perf_counter()
                report = assistant.ingest(files)
                seconds = time.perf_counter() - started
            for problem in report.problems:
                log(f"{name} ingest problem: {problem}")
            stats = ingest_stats(len(report.added), chars, report.chunks, seconds, memory.growth_mb)
            stats |= first_search(Path(tmp) / name, questions[-1]["question"], quantized)
            ingest[name] = stats | {"problems": len(report.problems)}
            searches[name] = newsdesk_search(assistant)
        searches["bm25 (newsdesk index)"] = bm25_search(assistant, report.chunks)
        if not args.no_baseline:
            log(f"langchain tutorial: indexing {len(articles)} articles")
            searches["langchain tutorial"], ingest["langchain tutorial"] = build_baseline(Path(tmp) / "tutorial", files)
        for name, search in searches.items():
            log(f"{name}: {len(questions)} questions")
            systems[name], per_question[name] = evaluate(name, search, questions)

    payload = {
        "benchmark": "retrieval",
        "run": info,
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "questions": len(questions),
        "ingest": ingest,
        "systems": systems,
        "per_question": per_question,
    }
    path = write_results("retrieval", payload)
    if args.json_only:
        print(path)
        return
    rows = []
    for name, summary in systems.items():
        built = ingest.get(name, {})
        rows.append(
            {
                "system": name,
                "index s": built.get("seconds"),
                "chunks": built.get("chunks"),
                "chunks/s": built.get("chunks/s"),
                "articles/s": built.get("articles/s"),
                "chars/s": built.get("chars/s"),
                "+MB": built.get("memory growth MB"),
                "Hits@4": summary["hits@4"],
                "Hits@10": summary["hits@10"],
                "MRR@10": summary["mrr@10"],
                "facts@10": summary["facts@10"],
                "p50 ms": summary["p50 ms"],
                "p95 ms": summary["p95 ms"],
            }
        )
    corpus = "corpus" if args.no_distractors else "corpus + BBC distractors"
    print(f"\nretrieval: {len(questions)} questions, {len(articles)} articles ({corpus}), {info['cpus']} CPUs")
    print_table(rows)
    for name, built in ingest.items():
        if "first search built s" in built:
            print(
                f"{name}: a new process's first search {built['first search built s']:.2f} s building the search "
                f"structures, {built['first search loaded s']:.2f} s loading them as saved"
            )
    print(f"\nresults: {path}")


if __name__ == "__main__":
    main()
