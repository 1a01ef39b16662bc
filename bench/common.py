"""What both benchmarks share: the evaluation data, the metrics (small pure functions) and the report."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
DEFAULT_DATA = REPO.parent / "shared"
WORD = re.compile(r"\w+")
PUNCTUATION = re.compile(r"[^\w\s]")
YES_NO = re.compile(r"\b(yes|no)\b")
ALTERNATIVES = re.compile(r"\b(\w+) or (?:an? )?(\w+)\b")
FACT_TOKEN_SHARE = 0.9  # a fact counts as found when this share of its words is in one passage

T = TypeVar("T")


@dataclass(frozen=True)
class Data:
    corpus: Path  # the articles the questions are about
    distractors: Path  # unrelated BBC articles that make retrieval harder
    questions: Path

    @classmethod
    def under(cls, root: Path) -> Data:
        return cls(
            root / "eval" / "multihop" / "corpus.jsonl",
            root / "corpora" / "bbc" / "articles.jsonl",
            root / "eval" / "multihop" / "dev.jsonl",
        )


class PeakMemory:
    """Samples this process's resident memory while a block runs: its growth over the start, at the peak."""

    def __init__(self, every: float = 0.25):
        self.every = every
        self.start_mb = self.peak_mb = 0.0
        self._done = threading.Event()

    @staticmethod
    def rss_mb() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

    def _sample(self) -> None:
        while not self._done.wait(self.every):
            self.peak_mb = max(self.peak_mb, self.rss_mb())

    def __enter__(self) -> PeakMemory:
        self.start_mb = self.peak_mb = self.rss_mb()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.rss_mb())

    @property
    def growth_mb(self) -> float:
        return self.peak_mb - self.start_mb


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def progress(items: Sequence[T], desc: str) -> Iterable[T]:
    """A bar on a terminal; nothing in a log file."""
    return tqdm(items, desc=desc, dynamic_ncols=True) if sys.stderr.isatty() else items


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Retrieval metrics


def distinct(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def hits_at(ranked: Sequence[str], gold: Sequence[str], k: int) -> float:
    """Share of the gold documents among the first ``k`` of ``ranked`` (distinct ids, best first)."""
    return len(set(ranked[:k]) & set(gold)) / len(set(gold)) if gold else 0.0


def reciprocal_rank(ranked: Sequence[str], gold: Sequence[str], k: int) -> float:
    return next((1.0 / (i + 1) for i, doc in enumerate(ranked[:k]) if doc in set(gold)), 0.0)


def squashed(text: str) -> str:
    return " ".join(text.split())


def fact_found(fact: str, passages: Sequence[str]) -> bool:
    """Verbatim (up to whitespace) in a passage, or nearly all its words in one: chunk edges cut facts."""
    needle = squashed(fact)
    if any(needle in squashed(p) for p in passages):
        return True
    words = WORD.findall(fact.lower())
    if not words:
        return False
    for passage in passages:
        present = set(WORD.findall(passage.lower()))
        if sum(w in present for w in words) >= FACT_TOKEN_SHARE * len(words):
            return True
    return False


def fact_recall(facts: Sequence[str], passages: Sequence[str]) -> float:
    return sum(fact_found(f, passages) for f in facts) / len(facts) if facts else 0.0


# Answer metrics


def normalized(text: str) -> str:
    return " ".join(PUNCTUATION.sub(" ", text.lower()).split())


def verdict(text: str) -> str | None:
    """The first yes or no of an answer: how a Yes/No question was answered."""
    found = YES_NO.search(normalized(text))
    return found.group(1) if found else None


def answer_correct(gold: str, answer: str, refused: bool, question: str = "") -> bool:
    """Yes/No questions by the answer's first yes or no (a gold "True" or "False" is a yes or a no); others by the
    gold answer among the answer's words. To "consistent or inconsistent?", an answer naming both has chosen neither."""
    if refused:
        return False
    expected = normalized(gold)
    expected = {"true": "yes", "false": "no"}.get(expected, expected)
    if expected in ("yes", "no"):
        return verdict(answer) == expected
    words = f" {normalized(answer)} "
    other = alternative(question, expected)
    return f" {expected} " in words and not (other and f" {other} " in words)


def offered_pairs(question: str) -> list[tuple[str, str]]:
    """The pairs of words a question offers to choose between: "consistent or inconsistent?"."""
    return ALTERNATIVES.findall(normalized(question))


def offered_words(question: str) -> set[str]:
    return {word for pair in offered_pairs(question) for word in pair}


def alternative(question: str, word: str) -> str | None:
    """The word a question offers as the alternative to ``word`` ("a change or consistency"), if any."""
    for a, b in offered_pairs(question):
        if word in (a, b) and a != b:
            return b if word == a else a
    return None


# Reporting


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks, as numpy's default; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def run_info() -> dict:
    """Enough to tell later which code and machine a result came from."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    # The product's code as it was read, which a commit id alone does not pin down in a working tree being edited.
    sources = sorted([*REPO.glob("assistant/*.py"), *REPO.glob("ingest/*.py")])
    code = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
    return {
        "started": datetime.now().isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD") or None,
        "product dirty": bool(git("status", "--porcelain", "--", "assistant", "ingest")),
        "code sha256": code[:16],
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }


def write_results(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def table(rows: Sequence[dict]) -> Iterator[str]:
    """Plain columns, headers from the first row's keys; the first column left-aligned, the rest right."""
    headers = list(rows[0])
    cells = [headers, *([cell(row.get(h)) for h in headers] for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(headers))]
    for n, line in enumerate(cells):
        yield "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths)))
        if n == 0:
            yield "  ".join("-" * w for w in widths)


def print_table(rows: Sequence[dict]) -> None:
    print("\n".join(table(rows)))
