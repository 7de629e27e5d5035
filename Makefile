# Hotline: make demo (run the platform on SQLite with demo data), make test (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYENV_PY := $(shell command -v pyenv >/dev/null 2>&1 && PYENV_VERSION=$$(cat .python-version) pyenv which python 2>/dev/null)
PYTHON ?= $(or $(PYENV_PY),$(shell command -v python3.13))
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/hotline
OUT := test-output
# The coverage gate: branch coverage of hotline/, SQLite and PostgreSQL runs combined
# (docs/security.md). Measured total, rounded down; raise it, never lower it.
COVERAGE_MIN ?= 90

.PHONY: help setup assets browser demo test test-sqlite test-postgres coverage lint bench services clean

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

# Browser libraries from npm (package.json pins them, package-lock.json fixes every byte),
# copied into a git-ignored static folder: the platform serves them itself, no CDN.
ECHARTS := hotline/assessment/static/assessment/vendor/echarts.min.js

$(ECHARTS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $@)
	cp node_modules/echarts/dist/echarts.min.js $@

assets: $(ECHARTS)

setup: $(VENV)/.installed $(ECHARTS)

# Debian's chromium and CJK fonts for the browser tests (a test tool's own browser download is not used).
browser:
	@bash scripts/install-browser.sh

services:
	@bash scripts/ensure-services.sh

# DEBUG off, a secret generated once into var/secret_key (config/settings/demo.py). `browser`
# brings the CJK fonts and pango that the PDF bulletin needs, besides chromium.
demo: export DJANGO_SETTINGS_MODULE = config.settings.demo
demo: setup browser
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
	$(MAKE) --no-print-directory coverage

# The schemathesis gate (tests/fuzz) runs once, on PostgreSQL.
test-sqlite: setup
	@mkdir -p $(OUT)
	rm -f $(OUT)/.coverage.sqlite
	COVERAGE_FILE=$(OUT)/.coverage.sqlite DATABASE_URL= HOTLINE_TEST_OUTPUT=$(OUT) $(PY) -m pytest -m "not fuzz" --cov --cov-branch --cov-report= --junitxml=$(OUT)/junit-sqlite.xml

test-postgres: setup services
	@mkdir -p $(OUT)
	rm -f $(OUT)/.coverage.postgres
	COVERAGE_FILE=$(OUT)/.coverage.postgres DATABASE_URL=$(PG_URL) HOTLINE_TEST_OUTPUT=$(OUT) $(PY) -m pytest --create-db -m "not e2e" --cov --cov-branch --cov-report= --junitxml=$(OUT)/junit-postgres.xml

# Both runs combined; fails under COVERAGE_MIN %.
coverage: setup
	COVERAGE_FILE=$(OUT)/.coverage $(PY) -m coverage combine --keep $(OUT)/.coverage.sqlite $(OUT)/.coverage.postgres
	COVERAGE_FILE=$(OUT)/.coverage $(PY) -m coverage html -d $(OUT)/coverage-html
	COVERAGE_FILE=$(OUT)/.coverage $(PY) -m coverage report --fail-under=$(COVERAGE_MIN)

bench: setup services
	$(PY) bench/registration.py
	$(PY) bench/intake_idempotency.py
	$(PY) bench/insight_bench.py > docs/benchmarks-insight.md
	$(PY) bench/warnings_soak.py
	$(PY) bench/warnings_lag.py
	$(PY) bench/similar_pg.py
	$(PY) bench/search_pg.py > docs/benchmarks-search.md
	$(PY) bench/oversight_pg.py
	$(PY) bench/console_pg.py > docs/benchmarks-console.md
	$(PY) bench/assessment_pg.py --tickets 1000000

clean:
	rm -rf $(VENV) $(OUT) var hotline.sqlite3* node_modules $(dir $(ECHARTS))
