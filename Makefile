# The README's two commands: `make run` and `make test`. Everything else is what they use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup messages lint clean stack-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The French catalogue, compiled from locale/fr/LC_MESSAGES/django.po (needs gettext's msgfmt).
locale/fr/LC_MESSAGES/django.mo: locale/fr/LC_MESSAGES/django.po | $(VENV)/.installed
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; } || \
		{ echo "msgfmt is missing: install gettext (apt-get install gettext)"; exit 1; }
	DEBUG=true $(BIN)/python manage.py compilemessages -v 0 --ignore=.venv

# Pango from Debian's packages, for WeasyPrint's PDFs (the annual report): installed when missing (as root).
PDF_PACKAGES := libpango-1.0-0:libpango-1.0.so.0 libpangoft2-1.0-0:libpangoft2-1.0.so.0

setup: $(VENV)/.installed locale/fr/LC_MESSAGES/django.mo
	@missing=""; for pair in $(PDF_PACKAGES); do package="$${pair%%:*}"; library="$${pair#*:}"; \
		$$(command -v ldconfig || echo /sbin/ldconfig) -p | grep -qF "$$library" || missing="$$missing $$package"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "The PDFs need Pango:$$missing (apt-get install$$missing)"; exit 1; fi; fi

## Set up (virtual environment, requirements, migrations, demo data) and start web, worker and beat.
## Development mode (DEBUG=true): settings default to production, which needs a SECRET_KEY.
run: export SITE_URL ?= http://127.0.0.1:$(or $(WEB_PORT),8000)
run: export DEBUG = true
run: setup
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed_demo
	@echo "Starting web, worker and beat: open http://127.0.0.1:$${WEB_PORT:-8000}/ (Ctrl-C stops everything)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

## Set up and run the whole test suite (browser tests need /usr/bin/chromium; installed here when root).
test: setup
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi
	$(BIN)/ruff check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run -v 1
	@# A folder of its own for this run (SQLite test database, filesystem broker, emails), so a
	@# test run never meets the app started by `make run`, nor another test run.
	@# Development mode (DEBUG=true): settings default to production, which needs a SECRET_KEY.
	DEBUG=true VAR_DIR=$${TEST_VAR_DIR:-$$(mktemp -d -t gc-test-XXXXXX)} DJANGO_ALLOW_ASYNC_UNSAFE=true \
		$(BIN)/pytest $(PYTEST_ARGS)

## The production stack (deploy/stack: nginx, two gunicorn, two workers, beat) under load and faults:
## deploy/stack_test.py, a few minutes; exits non-zero when a check fails. Debian's nginx, redis-server,
## openssl and postgresql-client are installed when missing (as root). Options: STACK_TEST_ARGS="--keep".
STACK_PACKAGES := nginx:nginx redis-server:redis-server openssl:openssl psql:postgresql-client
stack-test: setup
	@missing=""; for pair in $(STACK_PACKAGES); do command="$${pair%%:*}"; package="$${pair#*:}"; \
		command -v $$command >/dev/null || [ -x /usr/sbin/$$command ] || missing="$$missing $$package"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "The stack test needs:$$missing (apt-get install$$missing)"; exit 1; fi; fi
	$(BIN)/python deploy/stack_test.py $(STACK_TEST_ARGS)

## Extract the interface's strings into locale/fr/LC_MESSAGES/django.po (then translate, then `make setup`).
MAKEMESSAGES = manage.py makemessages -l fr --no-obsolete --ignore=.venv/* --ignore=var/* --ignore=static/* \
	--ignore=bench/* --ignore=*/tests/* --ignore=conftest.py
messages: setup
	DEBUG=true $(BIN)/python $(MAKEMESSAGES)

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var staticfiles
