# Casework: `make run` to try it, `make test` to test it. Both set up everything first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := casework/static/build/application.css
NODE_STAMP := node_modules/.package-lock.json
PYTEST_ARGS ?=

.PHONY: help setup run test lint assets clean bench reliability chromium

help:
	@echo "make run    set up, migrate, load demo data and serve on http://127.0.0.1:8000"
	@echo "make test   set up, then run the whole test suite (browser tests included)"
	@echo "make lint   ruff"
	@echo "make bench  generate (or reuse) the national dataset on SQLite and PostgreSQL, measure every page,"
	@echo "            the rule engines and a load run; writes docs/benchmarks.md (BENCH_SCALE=region: quicker)"
	@echo "make reliability  load with writes, capacity curve, PostgreSQL outage, worker kill, backup and restore"
	@echo "            on the national dataset; writes docs/reliability.md (RELIABILITY_STAGES=outage: one stage)"

# Python: a virtual environment with the pinned dependencies (constraints.txt pins the rest).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# Front end: GOV.UK Frontend and MoJ Frontend, pinned in package-lock.json.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): $(NODE_STAMP) scripts/build-assets.mjs $(wildcard casework/assets/scss/*.scss)
	npm run --silent build

assets: $(ASSETS)

setup: $(STAMP) $(ASSETS)

run: setup
	$(BIN)/casework migrate
	$(BIN)/casework demo
	@echo "Casework is starting on http://127.0.0.1:8000 (Ctrl+C to stop)"
	$(BIN)/casework serve 127.0.0.1:8000

test: setup chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser tests need Debian's Chromium (never a downloaded one): installed here as .ci/run does
# when we are root and apt-get is there; otherwise stop and say exactly what to run.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium. Install it with:"; \
	    echo "    sudo apt-get install chromium"; \
	    exit 1; \
	  fi; \
	fi

lint: setup
	$(BIN)/ruff check .

# Not part of make test: needs PostgreSQL on 127.0.0.1:5432 (user postgres) and, the first time, about
# ten minutes per database to generate 245,000 people and 5,000,000 contacts (reused afterwards).
bench: setup
	$(BIN)/python -m benchmarks.run

# Not part of make test: the load, fault and backup runs of issue 16 (benchmarks/reliability.py says each knob).
# Needs what make bench needs, and root (or the postgres user) to stop and start PostgreSQL for the outage.
reliability: setup
	$(BIN)/python -m benchmarks.reliability

clean:
	rm -rf $(VENV) node_modules casework/static/build var/staticfiles test-results
