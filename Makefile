# Two commands for a fresh machine (see README):
#   make run    app with demo data on embedded defaults (SQLite, file-system broker)
#   make test   the whole suite on PostgreSQL and Redis, plus lint and checks
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

# Test settings; override per checkout (e.g. TEST_DB=rollout_x) so two checkouts never share a database.
TEST_DB ?= rollout
TEST_REDIS_DB ?= 0
TEST_ENV := DJANGO_DEBUG=1 \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(TEST_DB) \
	REDIS_URL=redis://127.0.0.1:6379/$(TEST_REDIS_DB) \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/$(TEST_REDIS_DB) \
	VAR_DIR=$(CURDIR)/var/test

.PHONY: run test lint format check-i18n messages bench clean

$(VENV)/.runtime: requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	./scripts/run-dev.sh

test: $(VENV)/.dev
	./scripts/ensure-services.sh $(TEST_DB)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/check-import-cycles.py
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) ./scripts/check-i18n.sh
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the translation catalogues after changing user-facing strings, then translate locale/vi.
messages: $(VENV)/.dev
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=var --ignore=staticfiles --ignore=bench --ignore=tests
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

check-i18n: $(VENV)/.dev
	$(TEST_ENV) ./scripts/check-i18n.sh

clean:
	rm -rf var staticfiles
