# 医联体运行监测看板 — tasks. `make run` starts the dashboard, `make test` runs lint and every test.
# Both create .venv (python3 -m venv) and install the pinned requirements into it when needed: a stamp
# file in .venv, newer than the requirements files, means they are already installed.

SHELL := /bin/bash
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8501
PLATFORM ?= x86_64
PYTEST_ARGS ?=
# Two pytest workers: one runs the browser and server tests in turn, the other the rest (tests/conftest.py).
PYTEST_WORKERS ?= 2

# Playwright (the Python package) drives Debian's /usr/bin/chromium: it must never download a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-fast lint bench bundle install install-dev clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: the dashboard on http://localhost:$(PORT) (builds the demo database on first start)
run: install
	$(PY) -m healthdash.serve --server.port $(PORT)

## test: lint and every test, the browser tests included (they need /usr/bin/chromium). Both always run,
## so one report shows everything; the exit code is pytest's if it failed (5: no tests), else ruff's.
test: install-dev
	@lint=0; \
	echo "$(BIN)/ruff check ."; $(BIN)/ruff check . || lint=$$?; \
	echo "$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)"; \
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS) || exit $$?; \
	if [ $$lint -ne 0 ]; then echo "ruff found problems (see above)" >&2; fi; \
	exit $$lint

## test-fast: every test but the browser ones
test-fast: install-dev
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

bench: install
	$(PY) -m tools bench

## bundle: dist/healthdash-<version>-offline-$(PLATFORM).tar.gz for an intranet without internet (PLATFORM=x86_64|aarch64;
## docs/DEPLOY.md): the project, its wheels for CPython 3.11 on Linux, the CJK fonts and install.sh
bundle: install
	$(PY) -m tools bundle --platform $(PLATFORM)

clean:
	rm -rf artifacts .pytest_cache .ruff_cache .hypothesis
