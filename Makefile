# Hotline: make demo (run the platform on SQLite with demo data), make test (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYENV_PY := $(shell command -v pyenv >/dev/null 2>&1 && PYENV_VERSION=$$(cat .python-version) pyenv which python 2>/dev/null)
PYTHON ?= $(or $(PYENV_PY),$(shell command -v python3.13))
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/hotline
OUT := test-output

.PHONY: help setup browser demo test test-sqlite test-postgres lint bench services clean

help:
	@echo "make demo   - set up and run the platform (SQLite, demo data, web + worker) at http://127.0.0.1:8000"
	@echo "make test   - set up and run the whole test suite on SQLite, then on PostgreSQL"
	@echo "make bench  - benchmarks (PostgreSQL), results in docs/benchmarks.md"

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.13 not found (pyenv install $$(cat .python-version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

# Debian's chromium and CJK fonts for the browser tests (a test tool's own browser download is not used).
browser:
	@bash scripts/install-browser.sh

services:
	@bash scripts/ensure-services.sh

demo: setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py serve --host 127.0.0.1 --port 8000

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/mypy_gate.py

test: setup browser services lint
	@mkdir -p $(OUT)
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: setup
	@mkdir -p $(OUT)
	DATABASE_URL= HOTLINE_TEST_OUTPUT=$(OUT) $(PY) -m pytest --cov --cov-report=term:skip-covered --cov-report=html:$(OUT)/coverage-html --junitxml=$(OUT)/junit-sqlite.xml

test-postgres: setup services
	@mkdir -p $(OUT)
	DATABASE_URL=$(PG_URL) HOTLINE_TEST_OUTPUT=$(OUT) $(PY) -m pytest --create-db -m "not e2e" --junitxml=$(OUT)/junit-postgres.xml

bench: setup services
	$(PY) bench/registration.py
	$(PY) bench/insight_bench.py > docs/benchmarks-insight.md
	$(PY) bench/warnings_soak.py
	$(PY) bench/warnings_lag.py
	$(PY) bench/similar_pg.py

clean:
	rm -rf $(VENV) $(OUT) var hotline.sqlite3*
