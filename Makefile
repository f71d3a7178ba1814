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
NPM ?= npm
STAMP := $(VENV)/.stamp-requirements
# The Tutor plugin (tutor-contrib-credits/) is tested in a virtualenv of its own: Tutor's pins
# are not the Django plugin's.
VENV_TUTOR ?= .venv-tutor
TUTOR_STAMP := $(VENV_TUTOR)/.stamp-requirements

.PHONY: help demo test test-sqlite test-postgresql test-mariadb test-browser test-tutor quality annotations bench docs \
	requirements system-packages clean venv venv-tutor frontend test-frontend makemessages compilemessages

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

$(TUTOR_STAMP): requirements/tutor.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 is required (install it with pyenv: pyenv install 3.12)"; exit 1; }
	@test -x $(VENV_TUTOR)/bin/python || $(PYTHON312) -m venv $(VENV_TUTOR)
	$(VENV_TUTOR)/bin/pip install -q --upgrade pip
	$(VENV_TUTOR)/bin/pip install -q -r requirements/tutor.txt
	@touch $(TUTOR_STAMP)

venv-tutor: $(TUTOR_STAMP) ## create .venv-tutor with the pinned Tutor and tutor-mfe (requirements/tutor.txt)

demo: $(STAMP) ## run the demo LMS on SQLite with seeded data, at http://127.0.0.1:8000/
	@# The MFE widgets' demo bundle for /mfe-demo/, built once (`make frontend` rebuilds it).
	@test -d frontend/dist-demo/assets || $(MAKE) --no-print-directory frontend
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(DEMO_ADDR) --noreload

test: $(STAMP) $(TUTOR_STAMP) ## the whole suite: quality, the tests on SQLite, PostgreSQL, MariaDB, the MFE widgets, browser, Tutor plugin
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

test-tutor: $(TUTOR_STAMP) ## the Tutor plugin's rendering tests (tutor-contrib-credits/), in .venv-tutor
	@bash scripts/run-tests.sh tutor

frontend: ## the MFE widgets (frontend/): npm ci, then build the package (dist/) and the demo bundle (dist-demo/)
	cd frontend && $(NPM) ci && $(NPM) run build

test-frontend: ## the MFE widgets' unit tests (Vitest)
	cd frontend && $(NPM) ci && $(NPM) test -- --run

quality: $(STAMP) ## ruff, mypy, import-linter contracts, migrations in step with the models, annotations
	$(BIN)/ruff check credits_plugin tests sandbox $(wildcard benchmarks) tutor-contrib-credits setup.py manage.py
	$(BIN)/ruff format --check credits_plugin tests sandbox $(wildcard benchmarks) tutor-contrib-credits setup.py manage.py
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations credits_plugin --check --dry-run -v 0
	@$(MAKE) --no-print-directory annotations

# The code-annotations checks Open edX runs: PII annotations on every model (OEP-30; the models
# the plugin does not define are in .annotation_safe_list.yml), and the toggle (OEP-17) and
# setting annotations, with the configurations code-annotations ships for edx-toggles.
ANNOTATIONS_CONFIG = $(shell $(PY) -c "import os, code_annotations.contrib.config as c; print(os.path.dirname(c.__file__))" 2>/dev/null)
ANNOTATIONS_REPORTS ?= $(or $(TMPDIR),/tmp)/credits_plugin-annotations
annotations: $(STAMP) ## code-annotations: PII on every model, toggle and setting annotations
	DJANGO_SETTINGS_MODULE=host.settings PYTHONPATH=sandbox $(BIN)/code_annotations django_find_annotations \
		--config_file .pii_annotations.yml --lint --report --coverage --report_path $(ANNOTATIONS_REPORTS)/pii
	$(BIN)/code_annotations static_find_annotations --config_file $(ANNOTATIONS_CONFIG)/feature_toggle_annotations.yaml \
		--source_path credits_plugin --report_path $(ANNOTATIONS_REPORTS)/toggles --lint --report
	$(BIN)/code_annotations static_find_annotations --config_file $(ANNOTATIONS_CONFIG)/setting_annotations.yaml \
		--source_path credits_plugin --report_path $(ANNOTATIONS_REPORTS)/settings --lint --report

bench: $(STAMP) ## benchmarks against a raw-SQL baseline on PostgreSQL, MariaDB and SQLite
	$(PY) -m benchmarks $(BENCH_ARGS)

docs: $(STAMP) ## build the Sphinx documentation into docs/_build/html
	$(BIN)/sphinx-build -q -W -b html docs docs/_build/html

requirements: $(STAMP) ## re-pin requirements/*.txt from requirements/*.in
	cd requirements && for f in base test quality doc dev pip-tools; do \
		../$(BIN)/pip-compile -q --upgrade --allow-unsafe --no-strip-extras --no-emit-index-url \
		--no-emit-find-links -o $$f.txt $$f.in; done
	cd requirements && ../$(BIN)/pip-compile -q --upgrade --allow-unsafe --no-strip-extras --no-emit-index-url \
		--no-emit-find-links -o tutor.txt tutor.in

clean: ## remove the virtualenvs, caches, the demo database and the frontend's node_modules and builds
	rm -rf $(VENV) $(VENV_TUTOR) .tox .mypy_cache .ruff_cache .pytest_cache .hypothesis docs/_build sandbox/db.sqlite3 \
		frontend/node_modules frontend/dist frontend/dist-demo

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
