# Two entry points for a fresh machine: `make run` (train the default model) and `make test`.
# The other targets are for contributors and CI: lint, typecheck, docs, wheel-test, bench.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
WHEEL_VENV := .venv-wheel

.PHONY: run test install dev lint format typecheck docs wheel-test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(DEV): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV)

install: $(STAMP)

dev: $(DEV)

run: $(STAMP)
	$(BIN)/neuronlab train

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(DEV)
	$(BIN)/mypy

docs: $(DEV)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Build the wheel and sdist, install the wheel (not the checkout) into a fresh venv, and run the CLI smoke
# commands and the test suite against the installed package.
wheel-test: $(DEV)
	rm -rf dist $(WHEEL_VENV)
	$(BIN)/python -m build --outdir dist .
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(WHEEL_VENV)/bin/python -m pip install --quiet "$$(ls dist/*.whl)[test]"
	bash scripts/wheel_smoke.sh $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pytest -n 2 -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(WHEEL_VENV) runs site dist .pytest_cache
