# The two commands of the README: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test

.PHONY: demo test install install-test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TESTSTAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e '.[test]'
	bash scripts/install-system-deps.sh
	touch $@

install: $(STAMP)
install-test: $(TESTSTAMP)

demo: $(STAMP)
	$(BIN)/dgw demo --workspace demo-workspace

lint: $(TESTSTAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

test: $(TESTSTAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	bash scripts/run-tests.sh

clean:
	rm -rf demo-workspace .pytest_cache .mypy_cache .ruff_cache artifacts
