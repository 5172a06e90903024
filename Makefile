# moderato — every command a developer needs. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast chromium screenshots lint typecheck train evaluate bench clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

# Two stamps: `make run` needs only the service's own dependencies; tests, lint and the
# model commands add the test and dev extras (Playwright, schemathesis, ruff, mypy …).
$(VENV)/.installed-service: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	@touch $@

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test,dev]'
	@touch $@ $(VENV)/.installed-service

install: $(VENV)/.installed ## Create the virtual environment and install moderato (with test and dev tools)

run: $(VENV)/.installed-service ## Run everything on http://127.0.0.1:8000 (Ctrl-C stops it all)
	$(VENV)/bin/moderato run

test: $(VENV)/.installed chromium ## Run the whole test suite (real Redis, SQLite, Chromium)
	$(PY) -m pytest $(PYTEST_ARGS)

chromium: ## Install Debian's chromium for the browser tests, if it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium package for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

test-fast: $(VENV)/.installed ## Run the tests that need no worker process or browser
	$(PY) -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

screenshots: $(VENV)/.installed ## Refresh docs/screenshots from the browser tests
	MODERATO_UPDATE_SCREENSHOTS=1 $(PY) -m pytest -m browser $(PYTEST_ARGS)

lint: $(VENV)/.installed ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed ## mypy on service, worker, models, bench
	$(VENV)/bin/mypy

train: $(VENV)/.installed ## Retrain the shipped model artifacts from ../shared/data
	$(VENV)/bin/moderato train

evaluate: $(VENV)/.installed ## Evaluate our models and the baselines; rewrite models/MODEL_CARD.md
	$(VENV)/bin/moderato evaluate

bench: $(VENV)/.installed ## Run the benchmarks under bench/
	@for b in bench/bench_*.py; do m=$$(basename $$b .py); echo "== bench.$$m"; $(PY) -m bench.$$m || exit 1; done

clean: ## Remove the virtual environment and caches (never instance/: it holds the database)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	@test ! -d instance || echo "instance/ (database, secret key, embedded Redis data) is kept; remove it by hand to start over"
