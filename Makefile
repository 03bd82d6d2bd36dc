# Pass Famille — the two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SANDBOX_PORT ?= 5001
APP_PORT ?= 5000
# pytest-xdist workers for `make test` and `make test-fast` (auto: one per CPU core); an idle worker takes tests
# queued for another (worksteal), so that one long test at the end does not leave a core waiting.
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist worksteal

.PHONY: run serve test test-fast sandbox lint migrations-check bench clean postgres-binaries

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

## run: install, migrate, start the built-in API Particulier sandbox and the app (Ctrl-C stops both)
run: $(VENV)/.installed
	$(BIN)/flask --app wsgi db upgrade
	@echo "Pass Famille : http://127.0.0.1:$(APP_PORT)  (bac à sable API Particulier : http://127.0.0.1:$(SANDBOX_PORT))"
	@trap 'kill $$SANDBOX_PID 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m passfamille.sandbox --port $(SANDBOX_PORT) & SANDBOX_PID=$$!; \
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(APP_PORT)

## serve: production — migrate, then gunicorn with gunicorn.conf.py (settings from the environment, see README)
serve: $(VENV)/.installed
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

## sandbox: the built-in API Particulier sandbox alone
sandbox: $(VENV)/.installed
	$(BIN)/python -m passfamille.sandbox --port $(SANDBOX_PORT)

/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi

# The PostgreSQL tests start a throwaway server of their own; they only need the Debian binaries.
postgres-binaries:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq postgresql >/dev/null; fi; fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## migrations-check: the models and the Alembic migrations describe the same schema
# A database of its own per run: two checks at once (two checkouts) do not share one.
migrations-check: $(VENV)/.installed-dev
	@db=$$(mktemp -d)/check.db && \
	DATABASE_URL=sqlite:///$$db $(BIN)/flask --app wsgi db upgrade && \
	DATABASE_URL=sqlite:///$$db $(BIN)/flask --app wsgi db check; \
	status=$$?; rm -rf "$$(dirname $$db)"; exit $$status

## test: lint, migrations in sync, every test (unit, functional, browser)
test: $(VENV)/.installed-dev /usr/bin/chromium postgres-binaries lint migrations-check
	$(BIN)/python -m pytest $(XDIST)

## test-fast: the loop to run often — every test but the browser, PostgreSQL and slow ones (markers); ~55 s on 2 cores
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(XDIST) -q -m "not browser and not postgres and not slow"

## bench: what a commune would run, measured (gunicorn, 32 families, 100,000 applications) -> bench/results.json;
## then the in-process figures per page and the crèche's waiting lists by size. Never asserted in tests.
## BENCH_SECONDS per scenario (60), BENCH_USERS (32), BENCH_APPLICATIONS (100000), BENCH_DATABASES (sqlite,postgresql)
BENCH_SECONDS ?= 60
bench: $(VENV)/.installed-dev
	BENCH_SECONDS=$(BENCH_SECONDS) $(BIN)/python tests/bench/bench_production.py
	$(BIN)/python tests/bench/bench_journey.py
	$(BIN)/python tests/bench/bench_creche.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
