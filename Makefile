# The README's two commands: `make run` and `make test`. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
export FLASK_APP := wsgi

.PHONY: run test bench db demo clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## Create or migrate the database named by DATABASE_URL (default: SQLite in instance/).
db: $(STAMP)
	$(BIN)/flask db upgrade

## Load the demo stages if the database has none.
demo: db
	$(BIN)/flask demo load

## Serve the demo on http://127.0.0.1:5000 (mail goes to the local outbox). The follow-up
## scheduler runs inside this one dev server process (SCHEDULER_IN_APP, see docs/followups.md).
## The demo's 2021 stage ended more than 5 years ago: with the default retention the scheduler
## would anonymise it at start (docs/privacy.md), so the demo keeps 10 years unless told otherwise.
run: demo
	@echo ""
	@echo "  Service prêt : http://127.0.0.1:5000"
	@echo "  Connexion de démonstration : equipe@example.org / demo-stages-2021"
	@echo "  $$($(BIN)/flask demo link)"
	@echo ""
	SCHEDULER_IN_APP=1 RETENTION_YEARS=$${RETENTION_YEARS:-10} CANDIDATE_RETENTION_MONTHS=$${CANDIDATE_RETENTION_MONTHS:-120} $(BIN)/flask run --host 127.0.0.1 --port 5000

## Run the tests on SQLite, then again on PostgreSQL when TEST_POSTGRES_URL is set. When
## TEST_POSTGRES_URL_SQLITE_PASS names a second, separate PostgreSQL database (CI does), the two
## passes run side by side: the SQLite pass's PostgreSQL-only tests use that second database, so
## the passes never share a schema. Each pass writes its log; both are printed at the end.
test: $(STAMP)
	@if [ -n "$$TEST_POSTGRES_URL" ] && [ -n "$$TEST_POSTGRES_URL_SQLITE_PASS" ]; then \
	  mkdir -p tests/artifacts; \
	  echo "== SQLite and PostgreSQL passes side by side (logs in tests/artifacts/) =="; \
	  TEST_POSTGRES_URL="$$TEST_POSTGRES_URL_SQLITE_PASS" $(BIN)/python -m pytest -q --durations=15 \
	    > tests/artifacts/pass-sqlite.log 2>&1 & sqlite=$$!; \
	  TEST_DATABASE_URL="$$TEST_POSTGRES_URL" $(BIN)/python -m pytest -q --durations=15 \
	    > tests/artifacts/pass-postgresql.log 2>&1 & postgresql=$$!; \
	  wait $$sqlite; sqlite_rc=$$?; wait $$postgresql; postgresql_rc=$$?; \
	  echo "== SQLite pass (exit $$sqlite_rc) =="; cat tests/artifacts/pass-sqlite.log; \
	  echo "== PostgreSQL pass on $$TEST_POSTGRES_URL (exit $$postgresql_rc) =="; \
	  cat tests/artifacts/pass-postgresql.log; \
	  [ $$sqlite_rc = 0 ] && [ $$postgresql_rc = 0 ]; \
	else \
	  $(BIN)/python -m pytest || exit 1; \
	  if [ -n "$$TEST_POSTGRES_URL" ]; then \
	    echo "== The same suite on PostgreSQL ($$TEST_POSTGRES_URL) =="; \
	    TEST_DATABASE_URL="$$TEST_POSTGRES_URL" $(BIN)/python -m pytest -q; \
	  fi; \
	fi

## Benchmarks (bench/README.md holds the latest figures and how to read them); not part of
## `make test`. Needs `wrk` (Debian package): installed here when run as root, else asked for.
## About 9 minutes on 2 cores; every script builds its own data in a temporary folder.
bench: $(STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
	  || { echo "bench needs wrk: sudo apt-get install -y wrk"; exit 1; }
	$(BIN)/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	$(BIN)/python bench/impact_scale.py
	$(BIN)/python bench/pages_load.py
	$(BIN)/python bench/page_cpu.py
	$(BIN)/python bench/tablet_throttled.py
	$(BIN)/python bench/dispatch_scale.py
	$(BIN)/python bench/growth.py
	$(BIN)/python bench/chaos.py

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
