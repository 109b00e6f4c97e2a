# Two commands: `make run` starts Cramp Coach, `make test` runs the tests.
# Both set up what is missing (system packages, .venv, Python packages) and skip what is done.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8080
RUN_PACKAGES := espeak-ng libespeak-ng1 libportaudio2
TEST_PACKAGES := $(RUN_PACKAGES) sox chromium

.PHONY: run test bench check-content model system-run system-test

run: system-run $(VENV)/.runtime
	HOST=$(HOST) PORT=$(PORT) $(PY) app.py

test: system-test $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest

bench: system-test $(VENV)/.dev
	$(PY) -m bench

check-content: $(VENV)/.runtime
	$(PY) -m content check

model: $(VENV)/.runtime
	$(PY) -m skill model

system-run:
	@bash scripts/system-packages.sh $(RUN_PACKAGES)

system-test:
	@bash scripts/system-packages.sh $(TEST_PACKAGES)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Cramp Coach needs Python 3.11 or newer ($(PYTHON) is older)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Stamps: reinstall only when a requirements file changes.
$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime
