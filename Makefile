# The two commands: `make run` sets everything up and serves the app; `make test` runs the suite.
# Without DATABASE_URL and REDIS_URL the app uses a SQLite file and runs tasks in-process.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format assets bench loadtest install clean

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo --if-empty
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:8000

# One worker per core (at most four), each with its own test database and Redis database. Tests
# are handed out in the order pytest-django sorts them, so on every worker the tests that commit
# (and empty the database after them) come after those that roll back.
test: $(STAMP)
	$(BIN)/python -m pytest --numprocesses auto --maxprocesses 4 --dist load $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates */templates --lint

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates */templates --reformat

# Rebuild static/govuk from the GOV.UK Frontend npm package (needs Node; the result is committed).
assets:
	npm ci --no-audit --no-fund
	npm run build

bench: $(STAMP)
	$(BIN)/python -m bench

# gunicorn on PostgreSQL with the 100,000-contract data set, driven by wrk (apt-get install wrk).
loadtest: $(STAMP)
	$(BIN)/python -m bench.loadtest

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
