# credits_plugin developer commands. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Python 3.12 first: from PATH, else from pyenv's install directory.
PYTHON312 ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { command -v "$$p" || echo "$$p"; } && break; done)
DEMO_ADDR ?= 127.0.0.1:8000
STAMP := $(VENV)/.stamp-requirements

.PHONY: help demo test test-sqlite test-postgresql test-mariadb test-browser quality bench docs \
	requirements system-packages clean makemessages compilemessages

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

system-packages: ## install the Debian packages the build needs (libmariadb-dev, pkg-config, chromium)
	@bash scripts/system-packages.sh

$(STAMP): requirements/dev.txt setup.py
	@$(MAKE) --no-print-directory system-packages
	@test -n "$(PYTHON312)" || { echo "Python 3.12 is required (install it with pyenv: pyenv install 3.12)"; exit 1; }
	@test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the pinned requirements

demo: $(STAMP) ## run the demo LMS on SQLite with seeded data, at http://127.0.0.1:8000/
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(DEMO_ADDR) --noreload

test: $(STAMP) ## the whole suite: quality, then the tests on SQLite, PostgreSQL and MariaDB, then browser tests
	@$(MAKE) --no-print-directory quality
	@bash scripts/run-tests.sh

test-sqlite: $(STAMP) ## the tests on SQLite only
	@bash scripts/run-tests.sh sqlite

test-postgresql: $(STAMP) ## the tests on PostgreSQL only (127.0.0.1:5432)
	@bash scripts/run-tests.sh postgresql

test-mariadb: $(STAMP) ## the tests on MariaDB only (127.0.0.1:3306)
	@bash scripts/run-tests.sh mariadb

test-browser: $(STAMP) ## the browser tests in headless Chromium
	@bash scripts/run-tests.sh browser

quality: $(STAMP) ## ruff, mypy, import-linter contracts, migrations in step with the models
	$(BIN)/ruff check credits_plugin tests sandbox $(wildcard benchmarks) setup.py manage.py
	$(BIN)/ruff format --check credits_plugin tests sandbox $(wildcard benchmarks) setup.py manage.py
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations credits_plugin --check --dry-run -v 0

bench: $(STAMP) ## benchmarks against a raw-SQL baseline on PostgreSQL, MariaDB and SQLite
	$(PY) -m benchmarks $(BENCH_ARGS)

docs: $(STAMP) ## build the Sphinx documentation into docs/_build/html
	$(BIN)/sphinx-build -q -W -b html docs docs/_build/html

requirements: $(STAMP) ## re-pin requirements/*.txt from requirements/*.in
	cd requirements && for f in base test quality doc dev pip-tools; do \
		../$(BIN)/pip-compile -q --upgrade --allow-unsafe --no-strip-extras --no-emit-index-url \
		--no-emit-find-links -o $$f.txt $$f.in; done

clean: ## remove the virtualenv, caches and the demo database
	rm -rf $(VENV) .tox .mypy_cache .ruff_cache .pytest_cache .hypothesis docs/_build sandbox/db.sqlite3

# Translations, as Open edX plugins keep them: credits_plugin/locale/<lang>/LC_MESSAGES/django.po,
# the languages listed in credits_plugin/conf/locale/config.yaml. No JavaScript is translated
# (the plugin ships none), so there is no djangojs domain.
I18N_LOCALES := $(shell sed -n 's/^ *- *\([a-zA-Z_@]*\).*/\1/p' credits_plugin/conf/locale/config.yaml)
I18N_IGNORE := --ignore=.venv --ignore=sandbox --ignore=tests --ignore=frontend \
	--ignore=tutor-contrib-credits --ignore=docs --ignore=benchmarks --ignore=build --ignore=dist \
	--ignore='*.egg-info' --ignore=test-artifacts

makemessages: $(STAMP) ## extract the translatable strings into credits_plugin/locale/*/django.po
	$(BIN)/django-admin makemessages --domain django --add-location file --no-obsolete \
		$(I18N_IGNORE) $(addprefix --locale ,$(I18N_LOCALES))

compilemessages: $(STAMP) ## compile credits_plugin/locale/*/django.po into the django.mo files the plugin ships
	cd credits_plugin && ../$(BIN)/django-admin compilemessages $(addprefix --locale ,$(I18N_LOCALES))
