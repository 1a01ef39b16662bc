"""Answers end to end with the local model: accuracy, refusals, citation checks and latency.

    python -m bench.answers [--limit N] [--types T1,T2] [--no-distractors] [--data DIR]
    python -m bench.answers --seeds    # five questions about seeds/, for time to first token
    python -m bench.answers --recheck bench/results/answers-....json   # today's checks on a run's stored answers
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path

from assistant import Answer, Assistant
from ingest.sentences import sentence_spans

from .common import (
    DEFAULT_DATA,
    REPO,
    Data,
    answer_correct,
    fact_recall,
    log,
    mean,
    normalized,
    offered_words,
    percentile,
    print_table,
    progress,
    read_jsonl,
    run_info,
    write_results,
)

REPORTED_SETTINGS = {
    "llm_backend", "local_model_path", "top_k", "evidence_chars", "collection_chars", "max_tokens", "threads"
}
MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# Questions about the two seed articles, with a phrase a right answer contains.
SEEDS = {
    "What did Lutnick say about rare earths?": "fundamental part of the framework",
    "Who led the Chinese delegation in Kuala Lumpur?": "He Lifeng",
    "What did Kevin Hassett say about AI chips?": "remain",
    "Where were the talks held before the London agreement?": "Geneva",
    "What will the U.S. lift in exchange?": "export controls",
}


def timed_answer(assistant: Assistant, question: str) -> tuple[Answer, str, float | None, float]:
    """The checked answer, the model's raw text, seconds to its first delta (None when the model was never asked)
    and in total."""
    started = time.perf_counter()
    first = None
    raw = []
    for event in assistant.stream(question):
        if isinstance(event, str):
            first = first or time.perf_counter() - started
            raw.append(event)
        elif isinstance(event, Answer):
            return event, "".join(raw), first, time.perf_counter() - started
    raise RuntimeError(f"no answer for {question!r}")


def verbatim_quotes(assistant: Assistant, answer: Answer) -> list[bool]:
    found = []
    for c in answer.citations:
        document = assistant.document(c.doc_id)
        found.append(document is not None and document.text[c.start : c.end] == c.quote)
    return found


def sentences_cited(text: str, question: str = "") -> list[bool]:
    """For each sentence of the answer that has words, whether it carries an [n] marker. An opening "Yes.", "No."
    or a word the question offers ("Consistent." to "consistent or inconsistent?") is the verdict its cited
    sentences bear out, not a claim of its own."""
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    if sentences and normalized(sentences[0]) in {"yes", "no", *offered_words(question)}:
        sentences = sentences[1:]
    return [bool(MARKER.search(s)) for s in sentences if re.search(r"\w", MARKER.sub("", s))]


def dangling_markers(answer: Answer) -> int:
    """[n] markers in the text with no citation n."""
    numbers = [int(n) for group in MARKER.findall(answer.text) for n in re.split(r"[,;]", group)]
    return sum(not 1 <= n <= len(answer.citations) for n in numbers)


def facts_shown(assistant: Assistant, q: dict) -> float | None:
    """The share of the question's gold evidence sentences among the sentences shown to the model: what it could
    answer from. None for a question without evidence."""
    facts = [e["fact"] for e in q.get("evidence", [])]
    if not facts:
        return None
    evidence = assistant.answerer.evidence(assistant.answerer.retrieve(q["question"], None, None), None)
    return fact_recall(facts, [s.text for s in evidence[0]]) if evidence else 0.0


def run(assistant: Assistant, questions: list[dict]) -> list[dict]:
    rows = []
    for q in progress(questions, "answers"):
        answer, raw, ttft, total = timed_answer(assistant, q["question"])
        rows.append(row(assistant, q, answer, raw, ttft, total))
        log(f"{q['id']}: {total:.1f}s refused={answer.refused} correct={rows[-1]['correct']} {answer.text[:100]!r}")
    return rows


def recheck(assistant: Assistant, stored: list[dict], gold_evidence: dict[str, list[dict]]) -> list[dict]:
    """The stored runs' model answers through today's retrieval and checks; their timings are kept.
    ``gold_evidence`` holds each question's evidence by id, for the facts shown."""
    rows = []
    for r in progress(stored, "recheck"):
        q = {"id": r["id"], "question": r["question"], "question_type": r["type"], "answer": r["gold"]}
        q["evidence"] = gold_evidence.get(r["id"], [])
        answer = assistant.answerer.recheck(r["question"], r["raw"])
        rows.append(row(assistant, q, answer, r["raw"], r["ttft s"], r["total s"]))
    return rows


def row(assistant: Assistant, q: dict, answer: Answer, raw: str, ttft: float | None, total: float) -> dict:
    answerable = q["question_type"] != "null_query"
    quotes = verbatim_quotes(assistant, answer)
    cited = [] if answer.refused else sentences_cited(answer.text, q["question"])
    return {
        "id": q["id"],
        "type": q["question_type"],
        "question": q["question"],
        "gold": q["answer"],
        "answer": answer.text,
        "raw": raw,  # before the citation check: shows what the check dropped
        "refused": answer.refused,
        "correct": answer_correct(q["answer"], answer.text, answer.refused, q["question"]) if answerable else None,
        "raw correct": answer_correct(q["answer"], raw, not raw, q["question"]) if answerable else None,
        "citations": len(answer.citations),
        "verbatim quotes": sum(quotes),
        "sentences": len(cited),
        "cited sentences": sum(cited),
        "dangling markers": dangling_markers(answer),
        "facts shown": facts_shown(assistant, q) if answerable else None,
        "ttft s": ttft,
        "total s": total,
    }


def summarize(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["type"] != "null_query"]
    unanswerable = [r for r in rows if r["type"] == "null_query"]
    ttfts = [r["ttft s"] for r in rows if r["ttft s"] is not None]
    totals = [r["total s"] for r in rows]
    citations = sum(r["citations"] for r in rows)
    sentences = sum(r["sentences"] for r in rows)
    return {
        "questions": len(rows),
        "accuracy": mean([float(r["correct"]) for r in answerable]),
        "accuracy (raw)": mean([float(r["raw correct"]) for r in answerable]),
        "facts shown": mean([r["facts shown"] for r in answerable if r.get("facts shown") is not None]),
        "refused (null)": mean([float(r["refused"]) for r in unanswerable]),
        "refused (answerable)": mean([float(r["refused"]) for r in answerable]),
        "quotes verbatim": sum(r["verbatim quotes"] for r in rows) / citations if citations else None,
        "sentences cited": sum(r["cited sentences"] for r in rows) / sentences if sentences else None,
        "dangling [n]": sum(r["dangling markers"] for r in rows),
        "ttft p50 s": percentile(ttfts, 50),
        "ttft p95 s": percentile(ttfts, 95),
        "total p50 s": percentile(totals, 50),
        "total p95 s": percentile(totals, 95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.answers", description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N questions (after --types and --skip)")
    parser.add_argument("--skip", type=int, default=0, help="leave out the first N questions (after --types)")
    parser.add_argument("--types", help="comma list of question types, e.g. inference_query,null_query")
    parser.add_argument("--seeds", action="store_true", help="five questions about seeds/ instead of dev.jsonl")
    parser.add_argument("--no-distractors", action="store_true", help="index the question corpus alone, without BBC")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding eval/ and corpora/ (../shared)")
    parser.add_argument(
        "--recheck",
        type=Path,
        metavar="RESULTS",
        help="no model: re-run retrieval and the citation check on the answers stored in a results file, on its corpus",
    )
    args = parser.parse_args()
    stored = json.loads(args.recheck.read_text()) if args.recheck else None
    if stored:  # the same articles as the stored run, or retrieval would differ from what its model saw
        args.seeds, args.no_distractors = stored["options"]["seeds"], stored["options"]["no_distractors"]

    data = Data.under(args.data)
    if args.seeds:
        files = [REPO / "seeds"]
        questions = [
            {"id": f"seed-{i}", "question": q, "question_type": "seed", "answer": a} for i, (q, a) in enumerate(SEEDS.items())
        ]
    else:
        files = [data.corpus] + ([] if args.no_distractors else [data.distractors])
        types = set(args.types.split(",")) if args.types else None
        questions = [q for q in read_jsonl(data.questions) if types is None or q["question_type"] in types]
        questions = questions[args.skip :][: args.limit]
    info = run_info()

    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        assistant = Assistant(tmp)
        log(f"indexing {', '.join(str(f) for f in files)}")
        report = assistant.ingest(files)
        for problem in report.problems:
            log(f"ingest problem: {problem}")
        if stored:
            gold_evidence = {} if args.seeds else {q["id"]: q["evidence"] for q in read_jsonl(data.questions)}
            rows, warm_up = recheck(assistant, stored["per_question"], gold_evidence), stored["summary"]["warm-up s"]
        else:
            log("loading the model")
            started = time.perf_counter()
            # Not timed per question: otherwise the first question's latency is the model's load time.
            assistant.warm_up()
            warm_up = time.perf_counter() - started
            rows = run(assistant, questions)

    summary = summarize(rows) | {"warm-up s": warm_up}
    name = ("answers-seeds" if args.seeds else "answers") + ("-recheck" if stored else "")
    payload = {
        "benchmark": name,
        "run": info,
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "settings": assistant.settings.model_dump(mode="json", include=REPORTED_SETTINGS),
        "summary": summary,
        "per_question": rows,
    }
    path = write_results(name, payload)
    print(f"\n{name}: {len(rows)} questions over {report.chunks} chunks, {info['cpus']} CPUs")
    print_table([summary])
    if args.seeds:
        print()
        print_table([{k: r[k] for k in ("question", "refused", "correct", "ttft s", "total s")} for r in rows])
    print(f"\nresults: {path}")


if __name__ == "__main__":
    main()
