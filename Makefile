# The two commands: `make run` sets everything up and serves the app; `make test` runs the suite.
# Without DATABASE_URL and REDIS_URL the app uses a SQLite file and runs tasks in-process.

# Both install from lock files that pin the whole tree with hashes: `make run` only what the
# service needs to run (requirements.txt), the other targets the tools besides.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
LOCK := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes

.PHONY: run test lint format assets bench loadtest install install-dev lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt
	touch $(RUNTIME)

$(DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $(DEV) $(RUNTIME)

install: $(RUNTIME)

install-dev: $(DEV)

# After changing requirements.in or requirements-dev.in: the whole tree again, with hashes.
lock: $(DEV)
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) requirements-dev.in -o requirements-dev.txt
	# WeasyPrint asks for fonttools[woff]: pip's hash-checking install takes the extra as a
	# requirement of its own, which must be pinned too, or pip reaches for a newer release.
	sed -i 's/^fonttools==/fonttools[woff]==/' requirements.txt requirements-dev.txt

run: $(RUNTIME)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo --if-empty
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:8000

# One worker per core (at most four), each with its own test database and Redis database. Tests
# are handed out in the order pytest-django sorts them, so on every worker the tests that commit
# (and empty the database after them) come after those that roll back.
test: $(DEV)
	$(BIN)/python -m pytest --numprocesses auto --maxprocesses 4 --dist load $(PYTEST_ARGS)

# The import contracts (the layers, selectors never importing services) are in pyproject.toml;
# the money-literal check reads files only (no database): it runs in `make test` as well.
lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates */templates --lint
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest -p no:xdist -q tests/test_money_literals.py

format: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates */templates --reformat

# Rebuild static/govuk from the GOV.UK Frontend npm package (needs Node; the result is committed).
assets:
	npm ci --no-audit --no-fund
	npm run build

bench: $(DEV)
	$(BIN)/python -m bench

# gunicorn on PostgreSQL with the 100,000-contract data set, driven by wrk (apt-get install wrk).
loadtest: $(DEV)
	$(BIN)/python -m bench.loadtest

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
