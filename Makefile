# The same verbs for people and for CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint types check-imports pytest messages bench clean

run: $(VENV)/.installed ## Install Parvis, load the Paris demo data, serve it
	$(BIN)/parvis demo load
	$(BIN)/parvis serve

test: $(VENV)/.installed-dev lint types check-imports pytest ## Install and run every check

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/bin/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,s3]'
	touch $@ $(VENV)/.installed

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check parvis tests benchmarks
	$(BIN)/ruff format --check parvis tests benchmarks

types: $(VENV)/.installed-dev
	$(BIN)/mypy

check-imports: $(VENV)/.installed-dev
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

messages: $(VENV)/.installed-dev ## Extract and update the translation catalogues
	bash scripts/messages.sh

bench: $(VENV)/.installed-dev ## Run the benchmarks of docs/benchmarks.md
	$(BIN)/python benchmarks/http_load.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
