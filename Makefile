# IOP Finder. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.DEFAULT_GOAL := help
DIRECTORY := data/samhsa/national-directory-su-facilities-2023.xlsx
.PHONY: help run test coverage probe lint format messages migrate demo seed superuser bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt -c constraints.txt
	test -f .env || printf '# This checkout only (manage.py reads it; production never does).\nDJANGO_DEBUG=1\n' > .env
	touch $@

run: $(VENV)/.installed ## Install, migrate, load SAMHSA's directory if the database is empty, serve on http://127.0.0.1:8000
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py import_programs $(DIRECTORY) --format samhsa-directory --status published --if-empty
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST)

test: $(VENV)/.installed ## Run the whole test suite (PostgreSQL when DATABASE_URL is set, else SQLite)
	$(VENV)/bin/pytest

coverage: $(VENV)/.installed ## Run the whole suite and report the lines it covers (README "Tests")
	$(VENV)/bin/pytest --cov --cov-report=term

probe: $(VENV)/.installed ## The hostile probe under gunicorn, 20 s an attack (PROBE_PROGRAMS=N; see docs/reliability.md)
	PROBE_SECONDS=$(or $(PROBE_SECONDS),20) PROBE_PROGRAMS=$(or $(PROBE_PROGRAMS),2000) \
		$(VENV)/bin/pytest tests/test_probe.py -q -s -p no:warnings

lint: $(VENV)/.installed ## Check style with ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	git ls-files -z '*.py' | xargs -0 $(VENV)/bin/django-upgrade --target-version 5.2

format: $(VENV)/.installed ## Reformat the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.installed ## Update the Spanish catalogue (locale/es) from the code, then compile it (needs gettext)
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l es --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'bench/*' --ignore 'tests/*'
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l es --ignore '.venv/*'

migrate: $(VENV)/.installed ## Apply database migrations
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput

demo: $(VENV)/.installed ## Add (or replace) 2,000 labelled demo listings, e.g. for load tests (PROGRAMS=N, SEED=S)
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo --programs $(or $(PROGRAMS),2000) --seed $(or $(SEED),1)

seed: $(VENV)/.installed ## Replace the demo listings (PROGRAMS=N, SEED=S)
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo --programs $(or $(PROGRAMS),2000) --seed $(or $(SEED),1)

superuser: $(VENV)/.installed ## Create an admin account for yourself (asks for a password)
	DJANGO_DEBUG=1 $(PY) manage.py createsuperuser

bench: $(VENV)/.installed ## Benchmark search at 10,000 and 100,000 programs and the real directory on PostgreSQL, uncached beside /healthz, 3 runs (see docs/performance.md)
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) \
		|| echo "wrk is not installed (apt-get install wrk): the load test will be skipped"
	$(PY) bench/run.py

clean: ## Remove the virtual environment and local database
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache .hypothesis
