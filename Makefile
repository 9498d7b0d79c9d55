# Two commands do everything on a fresh machine with Python 3.11+:
#   make run   - install, migrate, seed the demo company, serve it with a worker
#   make test  - install and run the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

LOCK_FLAGS := --quiet --strip-extras --no-emit-index-url --no-emit-find-links --unsafe-package crm-saas

.PHONY: install run test lint bench translations extract-messages lock lock-upgrade

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The versions in the lock file (requirements/), the ranges in pyproject.toml.
$(STAMP): pyproject.toml requirements/dev.lock | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade "pip>=25,<27"
	$(BIN)/python -m pip install -q --disable-pip-version-check -c requirements/dev.lock -e ".[dev]"
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d crm_saas/translations

install: $(STAMP) translations

# Development: embedded PostgreSQL and Redis for the URLs not given, stopped again when the server ends.
run: install
	@export CRM_EMBEDDED=1 CRM_EMBEDDED_SESSION=make-run-$$$$; \
	trap '$(BIN)/crm-saas embedded stop' EXIT; trap 'exit 130' INT TERM; \
	$(BIN)/crm-saas db upgrade && $(BIN)/crm-saas demo && $(BIN)/crm-saas serve

# Quality gates (seconds): the rule set under [tool.ruff], the layers under [tool.importlinter].
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo

# The gates first, then the suite on every core, each worker with its own database.
test: install lint
	$(BIN)/python -m pytest -n auto

bench: install
	$(BIN)/python bench/run.py

# Refresh the catalogs after adding user-facing strings; then translate the new entries.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 -o crm_saas/translations/messages.pot crm_saas
	$(BIN)/pybabel update -i crm_saas/translations/messages.pot -d crm_saas/translations --no-fuzzy-matching

# Pin again after a range in pyproject.toml changed (keeps what still fits); `lock-upgrade` takes the newest
# versions the ranges allow: run it weekly, then `make test`, and commit the two files.
lock: $(STAMP)
	$(BIN)/pip-compile $(LOCK_FLAGS) --output-file requirements/production.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev --output-file requirements/dev.lock pyproject.toml

lock-upgrade: $(STAMP)
	$(BIN)/pip-compile $(LOCK_FLAGS) --upgrade --output-file requirements/production.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --upgrade --extra dev --output-file requirements/dev.lock pyproject.toml
