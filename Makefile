# The README's commands. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs in parallel, one worker per core (pytest-xdist).
TEST_WORKERS ?= auto
DEV_ENV := DJANGO_DEBUG=1
HTMX_VERSION := 2.0.11
AXE_VERSION := 4.14.1

.DEFAULT_GOAL := help
.PHONY: help install run serve migrate seed superuser editor token test browser bench bench-extract lint format lock vendor clean

help:
	@echo "make run        set up, migrate, create the editorial groups, load the seed data,"
	@echo "                serve on http://$(HOST):$(PORT)/ (HOST=0.0.0.0 PORT=8080 make run to change)"
	@echo "make test       set up, lint, check migrations, run the whole test suite (TEST_WORKERS=1 for one process)"
	@echo "make superuser  create an administrator account for the admin"
	@echo "make editor USER_NAME=<name> GROUP=editor|senior-editor|analyst"
	@echo "                create a staff account in that group and print its API token"
	@echo "make token USER_NAME=<name>  print (or create) that user's API token"
	@echo "make format     apply ruff's formatting and safe fixes"
	@echo "make bench      benchmark every page and endpoint, 1k to 1M positions (BENCH_ARGS=--quick)"
	@echo "make bench-extract  the desk assistant's precision, recall and speed (benchmarks/EXTRACT.md)"
	@echo "make lock       re-pin requirements/*.txt from pyproject.toml"
	@echo "make vendor     re-fetch htmx $(HTMX_VERSION) (static/vendor/) and axe-core $(AXE_VERSION) (tests/browser/vendor/) from the npm registry"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python >= 3.12 is needed, found " + sys.version.split()[0] + ": run make PYTHON=python3.12 ...")'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): $(BIN)/python requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

install: $(INSTALLED)

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(BIN)/python manage.py setup_groups
	$(DEV_ENV) $(BIN)/python manage.py load_seed
	$(DEV_ENV) $(BIN)/python manage.py load_lexicon

# Development settings for `.venv/bin/python manage.py ...` typed by hand
# (manage.py reads .env; the real environment wins). Never overwritten.
.env:
	@printf '# Read by manage.py (made by make run): development settings.\nDJANGO_DEBUG=1\n' > $@

run: seed .env
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

superuser: migrate
	$(DEV_ENV) $(BIN)/python manage.py createsuperuser

# A staff account in an editorial group, with an API token printed once.
editor: seed
	@test -n "$(USER_NAME)" || (echo "usage: make editor USER_NAME=<name> GROUP=editor" >&2; exit 2)
	$(DEV_ENV) $(BIN)/python manage.py create_editor $(USER_NAME) --group $(or $(GROUP),editor)

# An API token for an existing user: make token USER_NAME=editor
token: migrate
	@test -n "$(USER_NAME)" || (echo "usage: make token USER_NAME=<username>" >&2; exit 2)
	$(DEV_ENV) $(BIN)/python manage.py drf_create_token $(USER_NAME)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint browser
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	@# The deployment checklist, on production settings (a throwaway key and host).
	DJANGO_DEBUG= DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_ALLOWED_HOSTS=positions.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

browser:
	@scripts/ensure-chromium

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: install
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/base.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.txt pyproject.toml

# The extraction assistant on annotated real news, and its speed: writes benchmarks/EXTRACT.md.
bench-extract: install
	$(BIN)/python benchmarks/extract.py

# The benchmark (benchmarks/README in benchmarks/run.py): BENCH_ARGS=--quick for a short run.
bench: install
	@scripts/ensure-wrk || echo "!! running without the load test"
	$(BIN)/python benchmarks/run.py $$(command -v wrk >/dev/null || echo --no-load) $(BENCH_ARGS)

# Front-end packages come from the npm registry and are committed under static/vendor/.
vendor:
	cd $$(mktemp -d) && npm pack --silent htmx.org@$(HTMX_VERSION) && tar xzf htmx.org-$(HTMX_VERSION).tgz && \
	  cp package/dist/htmx.min.js package/LICENSE $(CURDIR)/static/vendor/htmx/
	@echo "htmx $(HTMX_VERSION) vendored in static/vendor/htmx/"
	cd $$(mktemp -d) && npm pack --silent axe-core@$(AXE_VERSION) && tar xzf axe-core-$(AXE_VERSION).tgz && \
	  cp package/axe.min.js package/LICENSE $(CURDIR)/tests/browser/vendor/axe-core/
	@echo "axe-core $(AXE_VERSION) vendored in tests/browser/vendor/axe-core/ (the browser tests' accessibility checks)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
