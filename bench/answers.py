"""Answers end to end with the local model, on the real path (no warm whole-collection prefix): right answers,
refusals, citations, prompt tokens and latency.

    python -m bench.answers bbc [--half tune|report|all] [--no-baseline] [--more-unanswerable] [--limit N] [--index DIR]
    python -m bench.answers multihop [--half tune|report|all] [--limit N] [--types T1,T2] [--index DIR]
    python -m bench.answers seeds          # five questions about seeds/, after warm_up(), for time to first token
    python -m bench.answers --recheck bench/results/answers-....json   # today's checks on a run's stored answers

Each set is split in two fixed halves: the rules are tuned on "tune" and reported on "report" (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from assistant import Answer, Assistant, FinalAnswer, Made, PassagesFound, Refusal, TextDelta
from assistant.generation.model_files import local_model_path
from assistant.generation.prompt import format_question, format_sources
from assistant.generation.reply import format_sentences
from assistant.question import Question
from assistant.types import Source
from ingest.text.sentences import sentence_spans

from .common import (
    DEFAULT_DATA,
    REPO,
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
}  # fmt: skip
MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# More unanswerable BBC questions, written for this benchmark in the fields of the public set (bench/README.md).
UNANSWERABLE = REPO / "bench" / "questions" / "bbc-unanswerable.jsonl"
# Questions about the two seed articles, with a phrase a right answer contains.
SEEDS = {
    "What did Lutnick say about rare earths?": "fundamental part of the framework",
    "Who led the Chinese delegation in Kuala Lumpur?": "He Lifeng",
    "What did Kevin Hassett say about AI chips?": "remain",
    "Where were the talks held before the London agreement?": "Geneva",
    "What will the U.S. lift in exchange?": "export controls",
}
# How the tutorial's model says it cannot answer.
TUTORIAL_REFUSAL = re.compile(
    r"\b(?:don't know|do not know|not (?:mentioned|provided|specified|stated|available)|no information|cannot|can't)\b"
    r"|\bdoes(?:n't| not) (?:say|mention|provide|specify|state)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QuestionSet:
    name: str
    files: list[Path]  # the articles indexed
    questions: list[dict]  # each with "id", "question", "kind" and what its scoring needs


def half_of(questions: list[dict], half: str) -> list[dict]:
    """The fixed halves: within each kind, "tune" takes the 1st, 3rd, 5th ... question, "report" the others."""
    if half == "all":
        return questions
    seen: dict[str, int] = {}
    chosen = []
    for q in questions:
        position = seen.get(q["kind"], 0)
        seen[q["kind"]] = position + 1
        if (position % 2 == 0) == (half == "tune"):
            chosen.append(q)
    return chosen


def bbc_set(data: Path, half: str, more_unanswerable: bool = False) -> QuestionSet:
    """The public BBC questions; with ``more_unanswerable``, also ours (``UNANSWERABLE``), split into their own
    halves and counted as their own kind."""
    questions = half_of(read_jsonl(data / "eval" / "bbc" / "questions.jsonl"), half)
    if more_unanswerable:
        questions += [q | {"kind": "null-bench"} for q in half_of(read_jsonl(UNANSWERABLE), half)]
    return QuestionSet("bbc", [REPO / "seeds", data / "corpora" / "bbc" / "articles.jsonl"], questions)


def multihop_set(data: Path, half: str, with_distractors: bool = True) -> QuestionSet:
    questions = [q | {"kind": q["question_type"]} for q in read_jsonl(data / "eval" / "multihop" / "dev.jsonl")]
    files = [data / "eval" / "multihop" / "corpus.jsonl"]
    files += [data / "corpora" / "bbc" / "articles.jsonl"] if with_distractors else []
    return QuestionSet("multihop", files, half_of(questions, half))


def seeds_set() -> QuestionSet:
    questions = [
        {"id": f"seed-{i}", "question": q, "kind": "seed", "answer": a} for i, (q, a) in enumerate(SEEDS.items())
    ]
    return QuestionSet("seeds", [REPO / "seeds"], questions)


# Scoring


def is_unanswerable(q: dict) -> bool:
    return q["kind"].startswith("null")


def bbc_right(q: dict, text: str, refused: bool, cited: list[str]) -> bool:
    """The set's README: a null question is right when refused; another when not refused, holding an answer fragment
    (case-insensitive, whitespace-normalized) and citing one of its doc_ids."""
    if is_unanswerable(q):
        return refused
    found = " ".join(text.lower().split())
    return (
        not refused
        and any(" ".join(f.lower().split()) in found for f in q["answer_fragments"])
        and bool(set(cited) & set(q["doc_ids"]))
    )


def right(q: dict, answer: Answer) -> bool | None:
    if "answer_fragments" in q:
        return bbc_right(q, answer.text, answer.refused, [c.doc_id for c in answer.citations])
    if q["kind"] == "null_query":
        return None
    return answer_correct(q["answer"], answer.text, answer.refused, q["question"])


def answer_sentence_shown(q: dict, shown: list[tuple[str, str]]) -> bool | None:
    """Whether a sentence the model was shown (or the answer quotes) holds an answer fragment, from a right article."""
    if "answer_fragments" not in q or is_unanswerable(q):
        return None
    fragments = [" ".join(f.lower().split()) for f in q["answer_fragments"]]
    return any(doc in q["doc_ids"] and any(f in " ".join(s.lower().split()) for f in fragments) for doc, s in shown)


def user_turn(question: Question, sources: list[Source]) -> str:
    """The prompt's part after the cached instruction, as the model read it: numbered sentences for a constrained
    reply, numbered sources for prose."""
    if question.one_value:
        return f"Sentences:\n{format_sentences(sources)}\n\n{format_question(question)}"
    return f"Sources:\n{format_sources(sources)}\n\n{format_question(question)}"


def verbatim_quotes(assistant: Assistant, answer: Answer) -> list[bool]:
    found = []
    for c in answer.citations:
        document = assistant.document(c.doc_id)
        found.append(document is not None and document.text[c.start : c.end] == c.quote)
    return found


def sentences_cited(text: str, question: str = "") -> list[bool]:
    """For each sentence of a written answer with words, whether it carries an [n] marker. An opening "Yes.", "No."
    or a word the question offers ("Consistent.") is the verdict its cited sentences bear out, not a claim."""
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    if sentences and normalized(sentences[0]) in {"yes", "no", *offered_words(question)}:
        sentences = sentences[1:]
    return [bool(MARKER.search(s)) for s in sentences if re.search(r"\w", MARKER.sub("", s))]


class Tokens:
    """Counts the tokens of the prompt's user turn (sources and question) with the local model's tokenizer: the
    instruction before it is the cached prefix, so these are the tokens a question brings, on any machine."""

    def __init__(self, assistant: Assistant):
        from llama_cpp import Llama

        settings = assistant.settings
        path = settings.local_model_path or local_model_path(settings.model_cache_dir)
        self.llama = Llama(model_path=str(path), vocab_only=True, verbose=False)

    def __call__(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode(), add_bos=False, special=True))


# Running


def timed_answer(assistant: Assistant, question: str) -> tuple[Answer, dict]:
    """The final answer and its timings: seconds to the passages found, to the first words shown, and in all."""
    started = time.perf_counter()
    times: dict[str, float | None] = {"evidence s": None, "first words s": None}
    for event in assistant.stream(question):
        now = time.perf_counter() - started
        if isinstance(event, PassagesFound):
            times["evidence s"] = now
        elif isinstance(event, TextDelta) and times["first words s"] is None:
            times["first words s"] = now
        elif isinstance(event, FinalAnswer):
            return event.answer, times | {"total s": now}
    raise RuntimeError(f"no answer for {question!r}")


def row(assistant: Assistant, q: dict, answer: Answer, times: dict, tokens: Tokens | None) -> dict:
    question = assistant.read(q["question"])
    if answer.made is Made.STATEMENTS or answer.refusal is Refusal.NOT_QUOTED:
        shown = [(c.doc_id, c.quote) for c in answer.citations]
        prompt_tokens = 0
    else:
        # The rounds the model read: as many as it wrote drafts.
        rounds = assistant.evidence(q["question"])[: len(answer.drafts)]
        shown = [(s.passage.doc_id, e.text) for sources in rounds for s in sources for e in s.sentences]
        users = [user_turn(question, sources) for sources in rounds]
        prompt_tokens = sum(tokens(user) for user in users) if tokens else 0
    quotes = verbatim_quotes(assistant, answer)
    facts = [e["fact"] for e in q.get("evidence") or [] if isinstance(e, dict)]
    return {
        "id": q["id"],
        "kind": q["kind"],
        "question": q["question"],
        "gold": q.get("answer") or q.get("answer_fragments"),
        "answer": answer.text,
        "drafts": answer.drafts,  # the model's text in each round, before the check: shows what the check dropped
        "dropped": [[d.sentence, d.reason] for d in answer.dropped],
        "made": answer.made.value,
        "refused": answer.refused,
        "correct": right(q, answer),
        "cites gold doc": bool({c.doc_id for c in answer.citations} & set(q["doc_ids"])) if q.get("doc_ids") else None,
        "answer sentence shown": answer_sentence_shown(q, shown),
        "facts shown": fact_recall(facts, [s for _, s in shown]) if facts else None,
        "citations": len(answer.citations),
        "verbatim quotes": sum(quotes),
        "sentences": len(
            cited := (
                [] if answer.refused or answer.made is not Made.WRITTEN else sentences_cited(answer.text, q["question"])
            )
        ),
        "cited sentences": sum(cited),
        "prompt tokens": prompt_tokens,
        **times,
    }


def run(assistant: Assistant, questions: list[dict], tokens: Tokens) -> list[dict]:
    rows = []
    for q in progress(questions, "answers"):
        answer, times = timed_answer(assistant, q["question"])
        rows.append(row(assistant, q, answer, times, tokens))
        log(
            f"{q['id']}: {times['total s']:.1f}s {answer.made.value} correct={rows[-1]['correct']} {answer.text[:100]!r}"
        )
    return rows


def recheck(assistant: Assistant, stored: list[dict], questions: dict[str, dict], tokens: Tokens | None) -> list[dict]:
    """The stored runs' model texts through today's retrieval and checks; their timings are kept."""
    rows = []
    for r in progress(stored, "recheck"):
        q = questions[r["id"]]
        answer = assistant.recheck(q["question"], r["drafts"])
        rows.append(
            row(assistant, q, answer, {k: r.get(k) for k in ("evidence s", "first words s", "total s")}, tokens)
        )
    return rows


def summarize(rows: list[dict]) -> dict:
    """Per kind and over all: right answers, refusals, citations, tokens and times."""
    kinds = sorted({r["kind"] for r in rows})
    answerable = [r for r in rows if not is_unanswerable(r)]
    unanswerable = [r for r in rows if is_unanswerable(r)]
    answered = [r for r in answerable if not r["refused"]]
    given = [r for r in rows if not r["refused"]]  # answers given, to any question
    citations = sum(r["citations"] for r in rows)
    sentences = sum(r["sentences"] for r in rows)
    asked = [r["prompt tokens"] for r in rows if r["prompt tokens"]]
    said = [r["first words s"] for r in rows if r["made"] == "statements" and r["first words s"] is not None]
    summary: dict[str, object] = {"questions": len(rows)}
    summary |= {
        f"right: {kind}": mean(
            [float(bool(r["correct"])) for r in rows if r["kind"] == kind and r["correct"] is not None]
        )
        for kind in kinds
    }
    summary |= {
        "right": sum(bool(r["correct"]) for r in rows),
        "accuracy (answerable)": mean([float(bool(r["correct"])) for r in answerable]),
        "precision (answered)": precision(given),
        "refused (null)": mean([float(r["refused"]) for r in unanswerable]),
        "refused (null, public)": mean([float(r["refused"]) for r in unanswerable if r["kind"] != "null-bench"]),
        "refused (answerable)": mean([float(r["refused"]) for r in answerable]),
        "cites gold doc (answered)": mean(
            [float(r["cites gold doc"]) for r in answered if r["cites gold doc"] is not None]
        ),
        "answer sentence shown": mean(
            [float(r["answer sentence shown"]) for r in rows if r["answer sentence shown"] is not None]
        ),
        "facts shown": mean([r["facts shown"] for r in rows if r["facts shown"] is not None]),
        "quotes verbatim": sum(r["verbatim quotes"] for r in rows) / citations if citations else None,
        "sentences cited": sum(r["cited sentences"] for r in rows) / sentences if sentences else None,
        "prompt tokens p50": percentile(asked, 50),
        "prompt tokens p95": percentile(asked, 95),
        "evidence s p95": percentile([r["evidence s"] for r in rows if r["evidence s"] is not None], 95),
        "who-said-what first words s p95": percentile(said, 95),
        "first words s p50": percentile([r["first words s"] for r in rows if r["first words s"] is not None], 50),
        "total s p50": percentile([r["total s"] for r in rows], 50),
        "made": {
            made: sum(r["made"] == made for r in rows) for made in ("written", "extracted", "statements", "refused")
        },
    }
    return summary


def tutorial_rows(
    directory: Path, files: list[Path], questions: list[dict], llm, tokens: Tokens
) -> tuple[list[dict], dict]:
    """The LangChain tutorial's answers to the same questions with the same model. It cites nothing: a right answer
    holds a fragment and was written from a chunk of a right article."""
    from .tutorial import Tutorial

    tutorial = Tutorial(directory)
    log(f"tutorial: indexing {', '.join(str(f) for f in files)}")
    built = tutorial.build([f for f in files if f.suffix == ".jsonl"])
    rows = []
    for q in progress(questions, "tutorial"):
        started = time.perf_counter()
        text, docs, prompt = tutorial.answer(q["question"], llm)
        refused = bool(TUTORIAL_REFUSAL.search(text))
        rows.append(
            {
                "id": q["id"],
                "kind": q["kind"],
                "answer": text,
                "refused": refused,
                "correct": bbc_right(q, text, refused, docs),
                "prompt tokens": tokens(prompt),
                "total s": time.perf_counter() - started,
            }
        )
        log(f"tutorial {q['id']}: correct={rows[-1]['correct']} {text[:100]!r}")
    return rows, {"chunks": built.chunks, "index s": built.seconds}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.answers", description=__doc__.splitlines()[0])
    parser.add_argument("set", nargs="?", choices=["bbc", "multihop", "seeds"], help="which questions")
    parser.add_argument("--half", choices=["tune", "report", "all"], default="report")
    parser.add_argument("--limit", type=int, help="only the first N questions (after --half and --types)")
    parser.add_argument("--types", help="multihop: comma list of question types, e.g. inference_query,null_query")
    parser.add_argument("--no-baseline", action="store_true", help="bbc: skip the LangChain tutorial pipeline")
    parser.add_argument(
        "--more-unanswerable", action="store_true", help="bbc: with bench/questions/bbc-unanswerable.jsonl too"
    )
    parser.add_argument("--no-distractors", action="store_true", help="multihop: without the BBC articles")
    parser.add_argument("--index", type=Path, help="keep the index in this folder (reused when run again)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding eval/ and corpora/ (../shared)")
    parser.add_argument("--recheck", type=Path, metavar="RESULTS", help="no model: today's checks on stored answers")
    args = parser.parse_args()
    stored = json.loads(args.recheck.read_text()) if args.recheck else None
    if stored:  # the same articles and questions as the stored run
        for key in ("set", "half", "limit", "types", "no_distractors", "more_unanswerable"):
            setattr(args, key, stored["options"].get(key))
    if not args.set:
        parser.error("name a set: bbc, multihop or seeds")
    questions_set = {
        "bbc": lambda: bbc_set(args.data, args.half, args.more_unanswerable),
        "multihop": lambda: multihop_set(args.data, args.half, not args.no_distractors),
        "seeds": seeds_set,
    }[args.set]()
    questions = questions_set.questions
    if args.types:
        questions = [q for q in questions if q["kind"] in set(args.types.split(","))]
    questions = questions[: args.limit]
    info = run_info()

    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        assistant = Assistant(args.index or Path(tmp) / "newsdesk", collection_chars=8000 if args.set == "seeds" else 0)
        log(f"indexing {', '.join(str(f) for f in questions_set.files)}")
        report = assistant.ingest(questions_set.files)
        for problem in report.problems:
            log(f"ingest problem: {problem}")
        tokens = Tokens(assistant)
        log("loading the model")
        started = time.perf_counter()
        assistant.warm_up()  # not timed per question: the first question's latency would be the model's load
        warm_up = time.perf_counter() - started
        if stored:
            rows = recheck(assistant, stored["per_question"], {q["id"]: q for q in questions}, tokens)
        else:
            rows = run(assistant, questions, tokens)
        summary = summarize(rows) | {"warm-up s": warm_up}
        name = f"answers-{args.set}" + ("-recheck" if stored else "")
        payload = {
            "benchmark": name,
            "run": info,
            "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "settings": assistant.settings.model_dump(mode="json", include=REPORTED_SETTINGS),
            "summary": summary,
            "per_question": rows,
        }
        path = write_results(name, payload)  # before the baseline: its hour of answers must not risk these
        baseline = None
        if args.set == "bbc" and not args.no_baseline and not stored:
            baseline = tutorial_rows(Path(tmp) / "tutorial", questions_set.files, questions, assistant.llm, tokens)
            tutorial, built = baseline
            payload["tutorial"] = {"summary": summarize_tutorial(tutorial) | built, "per_question": tutorial}
            path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print(f"\n{name} ({args.half} half): {len(rows)} questions over {report.chunks} new chunks, {info['cpus']} CPUs")
    table = [{"system": "newsdesk"} | {k: v for k, v in summary.items() if not isinstance(v, dict)}]
    if baseline:
        table.append({"system": "LangChain tutorial"} | summarize_tutorial(baseline[0]))
    print_table(table)
    print(f"made: {summary['made']}")
    print(f"\nresults: {path}")


def precision(given: list[dict]) -> float | None:
    """Right answers among those given: an answer to an unanswerable question is a wrong one."""
    return mean([float(r["correct"] is True) for r in given])


def summarize_tutorial(rows: list[dict]) -> dict:
    kinds = sorted({r["kind"] for r in rows})
    return (
        {"questions": len(rows)}
        | {f"right: {kind}": mean([float(r["correct"]) for r in rows if r["kind"] == kind]) for kind in kinds}
        | {
            "right": sum(r["correct"] for r in rows),
            "accuracy (answerable)": mean([float(r["correct"]) for r in rows if not is_unanswerable(r)]),
            "precision (answered)": precision([r for r in rows if not r["refused"]]),
            "prompt tokens p50": percentile([r["prompt tokens"] for r in rows], 50),
            "total s p50": percentile([r["total s"] for r in rows], 50),
        }
    )


if __name__ == "__main__":
    main()
