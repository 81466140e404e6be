# Samverket Grants. `make run` and `make test` are the quick start; both set themselves up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DEBUG ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup system-run system-test lint typecheck check bench-rush bench-queue bench-letters bench-payouts messages clean

# System packages first (scripts/system-packages installs what is missing, or stops with the command to run).
system-run:
	@scripts/system-packages run

system-test:
	@scripts/system-packages test

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "$(PYTHON) cannot make a virtual environment. On Debian/Ubuntu: sudo apt-get install -y python3-venv" >&2; \
	  exit 1; }
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
	@mkdir -p var/private var/static
	@if command -v msgfmt >/dev/null; then $(BIN)/python manage.py compilemessages --ignore=.venv -v 0; fi

run: export SITE_URL ?= http://$(HOST):$(PORT)
run: system-run setup
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "Starting the web app on http://$(HOST):$(PORT), the task worker and the hourly daily job (Ctrl-C stops all)."
	@trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
	  $(BIN)/python manage.py run_worker --interval 1 & \
	  $(BIN)/python manage.py run_daily --every 3600 & \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: system-test setup
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy .

check: setup
	$(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=$$(openssl rand -hex 32) ALLOWED_HOSTS=grants.example.se \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

messages: setup
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench-rush: setup
	$(BIN)/python benchmarks/rush.py

bench-queue: setup
	$(BIN)/python benchmarks/queue_page.py

bench-letters: setup
	$(BIN)/python benchmarks/letters.py

bench-payouts: setup
	$(BIN)/python benchmarks/payouts.py

clean:
	rm -rf $(VENV) var
