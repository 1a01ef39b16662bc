# The two commands of the README. Both set up whatever is missing first (scripts/setup.sh).
# The benchmarks read ../shared/eval; pass options through ARGS, e.g. make bench-answers ARGS="--limit 20".
.PHONY: run test bench-retrieval bench-answers

run:
	./scripts/setup.sh
	.venv/bin/newsdesk serve --ingest seeds/

test:
	./scripts/setup.sh --test
	.venv/bin/python -m pytest -ra

bench-retrieval:
	./scripts/setup.sh --bench
	.venv/bin/python -m bench.retrieval $(ARGS)

bench-answers:
	./scripts/setup.sh --bench
	.venv/bin/python -m bench.answers $(ARGS)
