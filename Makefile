# The two commands of the README. Both set up whatever is missing first (scripts/setup.sh).
.PHONY: run test

run:
	./scripts/setup.sh
	.venv/bin/newsdesk serve --ingest seeds/

test:
	./scripts/setup.sh --test
	.venv/bin/python -m pytest -ra
