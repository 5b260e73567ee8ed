# Two commands set up everything on a fresh machine: `make run` and `make test`.
# Both install the exact versions in requirements/*.lock (every file checked by its hash) with
# uv, itself installed from its own lock; see docs/development/dependencies.md.
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# The stamps name the lock they came from, so editing a lock (or pyproject.toml) reinstalls.
STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
# --compile-bytecode: every installed module is compiled once, at install. Where Python may not
# write .pyc files itself (PYTHONDONTWRITEBYTECODE, as on this machine and its CI), each new
# process would otherwise compile pandas, scikit-learn and Streamlit again: 5.7 s against 2.0 s
# to import the training and API code, in every test worker, server and command the tests start.
UV_INSTALL = $(UV) pip install --python $(PY) --quiet --compile-bytecode
# axe-core (npm) for the browser tests' accessibility checks, pinned by its lock file.
AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: install install-dev run test lint format docs docs-serve bench lock clean

$(UV): requirements/uv.lock
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/uv.lock
	touch $(UV)

$(STAMP): requirements/runtime.lock pyproject.toml $(UV)
	$(UV_INSTALL) --require-hashes -r requirements/runtime.lock
	$(UV_INSTALL) --no-deps -e .
	touch $(STAMP)

$(DEV_STAMP): requirements/dev.lock pyproject.toml $(UV)
	$(UV_INSTALL) --require-hashes -r requirements/dev.lock
	$(UV_INSTALL) --no-deps -e .
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $(AXE)

run: install
	$(VENV)/bin/streamlit run app.py

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The documentation site, built strictly: a broken link or a page missing from the nav fails.
docs: install-dev
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

docs-serve: install-dev
	$(VENV)/bin/mkdocs serve

# A test run keeps compiled modules (the tree ignores __pycache__/) even where the machine sets
# PYTHONDONTWRITEBYTECODE: each pytest worker then loads the assertion-rewritten test modules
# and the plugins' instead of rewriting them again, about 4 s of CPU per worker per run.
test: export PYTHONDONTWRITEBYTECODE :=
test: lint docs $(AXE)
	$(PY) -m pytest

bench: install-dev
	$(PY) -m benchmarks

# Re-resolve the locks from pyproject.toml's ranges. Pins already in a lock are kept unless
# `make lock UPGRADE=--upgrade` (everything) or `UPGRADE='--upgrade-package NAME'` (one).
LOCK = $(UV) pip compile --quiet --universal --generate-hashes --python-version 3.11 $(UPGRADE)
lock: $(UV)
	echo 'uv==0.13.9' | $(LOCK) - -o requirements/uv.lock
	$(LOCK) pyproject.toml -o requirements/runtime.lock
	$(LOCK) pyproject.toml --extra dev -c requirements/runtime.lock -o requirements/dev.lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
