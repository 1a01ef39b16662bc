# The two commands of the README. Both set up whatever is missing first (scripts/setup.sh).
# The benchmarks read ../shared/eval; pass options through ARGS, e.g. make bench-answers ARGS="--limit 20".
.PHONY: run test check bench-retrieval bench-answers

run:
	./scripts/setup.sh
	.venv/bin/newsdesk serve --ingest seeds/

test:
	./scripts/setup.sh --test
	.venv/bin/python -m pytest -ra

# Lint, format, types and the fast tests (a scripted model: no llama.cpp, no browser), in well under a minute.
check:
	./scripts/setup.sh --test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/python -m pytest -q -m "not slow and not llm" -p no:cacheprovider

bench-retrieval:
	./scripts/setup.sh --bench
	.venv/bin/python -m bench.retrieval $(ARGS)

bench-answers:
	./scripts/setup.sh --bench
	.venv/bin/python -m bench.answers $(ARGS)
