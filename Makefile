# The README's two commands: `make run` and `make test`. Everything else is what they use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup lint check-migrations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

## Set up (virtual environment, requirements, migrations, demo data) and start web, worker and beat.
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
	$(BIN)/python manage.py makemigrations --check --dry-run -v 1
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var staticfiles
