# The two commands of the README: `make demo` (set up, build the store, serve) and `make test`.
.PHONY: setup demo test lint typecheck pytest format

setup:
	./scripts/setup

demo: setup
	.venv/bin/innograph demo

test: setup lint typecheck pytest

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck:
	.venv/bin/mypy

pytest:
	.venv/bin/pytest

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# Benchmarks run on demand, one script each: see bench/README.md for the commands and figures.
