# wiretrace developer tasks.  `make test` works from a fresh clone (no .venv yet).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
SHARED ?= ../shared
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
# Folders ruff checks (benchmarks/ may not exist yet in a fresh clone).
LINT_DIRS := $(wildcard src tests benchmarks)

.PHONY: venv demo test lint chromium java clean distclean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[serve]"
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[test]"
	@touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

demo: venv
	$(BIN)/wiretrace trace $(SHARED)/data/seeds --out out/demo
	@echo "Open the report: $(CURDIR)/out/demo/report.html"

# The HTML report tests drive Debian's chromium through playwright.
chromium:
	@if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		echo "installing chromium with apt-get"; \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

# Spark's tests need a Java runtime (Spark 4 runs on Java 17 or later).
java:
	@if ! command -v java >/dev/null 2>&1; then \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		echo "installing a Java runtime with apt-get"; \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; \
	fi

test: $(VENV)/.installed-test chromium java
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check $(LINT_DIRS)

clean:
	rm -rf out build dist .pytest_cache .ruff_cache src/*.egg-info
	find . -name __pycache__ -type d -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
