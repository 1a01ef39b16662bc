"""What running the local model in its own process costs, and what weight repacking buys, in one run.

Three ways to run the default model on the same prompts, taken in turn prompt by prompt so that a noisy machine
weighs on each alike: llama.cpp in this process as newsdesk ran it before (repacking on, llama.cpp's default), and
the supervised worker with repacking on and off. Each prompt is the product's own (the fixed instruction, cached
after the warm-up, then a few source sentences and a question), so a question costs only its own tokens, as in the
app. Reported per way, as medians over the prompts: time to first token, prompt tokens per second (the tokens
evaluated past the cached prefix, over that time) and output tokens per second after the first.

    python -m bench.local_model [--questions 6] [--max-tokens 32]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from typing import Any, Protocol, cast

from assistant import Settings
from assistant.generation.cpu import Repack
from assistant.generation.llm import ROLES, LocalChatModel
from assistant.generation.model_files import local_model_path
from assistant.generation.prompt import PROMPT
from assistant.generation.supervisor import default_threads, stop_workers
from ingest.text.sentences import sentence_spans

from .common import REPO, percentile, print_table, run_info, write_results

Messages = list[dict]


class Way(Protocol):
    """One way to run the model: its text for a prompt, and the prompt tokens that cost past the cached prefix."""

    def write(self, messages: Messages, max_tokens: int) -> Iterator[str]: ...

    def evaluated(self) -> int: ...


def prompts(count: int, chars: int = 450) -> list[Messages]:
    """The product's prompt over successive windows of the seed articles' sentences, each with a question."""
    text = " ".join(p.read_text() for p in sorted((REPO / "seeds").glob("*.txt")))
    sentences = [" ".join(text[s:e].split()) for s, e in sentence_spans(text)]
    made: list[Messages] = []
    i = 0
    while len(made) < count:
        window: list[str] = []
        while sum(map(len, window)) < chars:
            window.append(sentences[i % len(sentences)])
            i += 1
        sources = "\n\n".join(f"[{n}] {s}" for n, s in enumerate(window, start=1))
        messages = PROMPT.format_messages(sources=sources, question="Question: What was agreed, and by whom?")
        made.append([{"role": ROLES.get(m.type, "user"), "content": m.text} for m in messages])
    return made


class InProcess:
    def __init__(self, path: str, threads: int):
        from llama_cpp import Llama

        self.llama = Llama(model_path=path, n_ctx=4096, n_threads=threads, n_threads_batch=threads, verbose=False)
        self.before = 0

    def write(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        self.before = self.total()
        parts = self.llama.create_chat_completion(
            messages=cast(list, messages), max_tokens=max_tokens, temperature=0, stream=True
        )
        for part in cast(Iterator[dict], parts):
            if delta := part["choices"][0]["delta"].get("content"):
                yield delta

    def total(self) -> int:
        import llama_cpp.llama_cpp as native

        return native.llama_perf_context(self.llama.ctx).n_p_eval

    def evaluated(self) -> int:
        return self.total() - self.before


class InWorker:
    def __init__(self, path: str, threads: int, repack: Repack):
        self.model = LocalChatModel(model_path=path, threads=threads, repack=repack)

    def write(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        yield from self.model.worker.chat(messages, {"max_tokens": max_tokens, "temperature": 0})

    def evaluated(self) -> int:
        return self.model.worker.prompt_evaluated or 0


def timed(way: Way, messages: Messages, max_tokens: int) -> dict:
    started = time.perf_counter()
    first = None
    pieces = 0
    for _ in way.write(messages, max_tokens):
        pieces += 1
        first = first or time.perf_counter()
    ended = time.perf_counter()
    assert first is not None, "the model wrote nothing"
    return {"ttft": first - started, "pieces": pieces, "after first": ended - first, "prompt tokens": way.evaluated()}


def rate(run: dict) -> float:
    """Output tokens per second after the first."""
    return (run["pieces"] - 1) / run["after first"]


def median_change(ratios: list[float]) -> float | None:
    middle = percentile(ratios, 50)
    return None if middle is None else middle - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=6)
    parser.add_argument("--max-tokens", type=int, default=32)
    args = parser.parse_args()
    settings = Settings()
    path = str(settings.local_model_path or local_model_path(settings.model_cache_dir))
    threads = settings.threads or default_threads()
    ways: dict[str, Way] = {
        "in-process (before), repacking on": InProcess(path, threads),
        "worker process, repacking on": InWorker(path, threads, "on"),
        "worker process, repacking off": InWorker(path, threads, "off"),
    }
    asked = prompts(args.questions + 1)
    runs: dict[str, list[dict]] = {name: [] for name in ways}
    for n, messages in enumerate(asked):
        for name, way in ways.items():
            run = timed(way, messages, 1 if n == 0 else args.max_tokens)
            if n:  # the first prompt only loads the model and caches the instruction
                runs[name].append(run)
                print(f"{name}: {run}", flush=True)
    stop_workers()
    # Medians of each run's own rates: a run that another process slowed down moves them least.
    rows: list[dict[str, Any]] = []
    for name, done in runs.items():
        rows.append(
            {
                "way": name,
                "TTFT p50 s": percentile([r["ttft"] for r in done], 50),
                "prompt tokens p50": percentile([r["prompt tokens"] for r in done], 50),
                "prompt tok/s p50": percentile([r["prompt tokens"] / r["ttft"] for r in done], 50),
                "output tok/s p50": percentile([rate(r) for r in done if r["pieces"] > 1], 50),
            }
        )
    # Against the way before, prompt by prompt (the same prompt, moments apart): the median of the ratios.
    before = runs[next(iter(runs))]
    for row, done in zip(rows, runs.values()):
        row["TTFT vs before"] = median_change([r["ttft"] / b["ttft"] for r, b in zip(done, before)])
        row["output vs before"] = median_change(
            [rate(r) / rate(b) for r, b in zip(done, before) if r["pieces"] > 1 < b["pieces"]]
        )
    print_table(rows)
    path_written = write_results("local-model", {"run": run_info(), "args": vars(args), "rows": rows, "runs": runs})
    print(f"\nwritten to {path_written}")


if __name__ == "__main__":
    main()
