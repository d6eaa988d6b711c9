# perks: every install step lives here. Needs only python3 (3.11+) on PATH.
PYTHON ?= python3
TOOLS := .tools
UV := $(or $(shell command -v uv 2>/dev/null),$(TOOLS)/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
# Precompile: with PYTHONDONTWRITEBYTECODE set, every start would otherwise compile
# SQLAlchemy and Alembic from source (`perks version` took 3.0 s, 0.9 s compiled).
export UV_COMPILE_BYTECODE := 1
export UV_PYTHON := $(shell command -v $(PYTHON))

.PHONY: run test check lint types pytest bench fmt clean

run: $(VENV)/.synced  ## install, then serve perks on SQLite (./perks.db)
	$(BIN)/perks serve

test: check  ## install, then the whole suite: lint, import contracts, types, tests, coverage

check: lint types pytest

lint: $(VENV)/.synced  ## fast: ruff and import-linter
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/lint-imports

types: $(VENV)/.synced
	$(BIN)/mypy

pytest: $(VENV)/.synced
	$(BIN)/pytest --cov --cov-report=term -m "not bench"

bench: $(VENV)/.synced  ## benchmarks (loopback only, bounded)
	$(UV) sync --frozen --group bench
	$(BIN)/pytest -m bench tests/bench -p no:cacheprovider --no-cov -q

fmt: $(VENV)/.synced
	$(BIN)/ruff format src tests scripts
	$(BIN)/ruff check --fix src tests scripts

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache .coverage

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.5,<1"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	$(BIN)/python -m compileall -q src
	@touch $@
