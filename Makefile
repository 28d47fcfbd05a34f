# The two commands of the README:
#   make demo   set up, build the demo snapshot, open JupyterLab on the notebooks
#               (HEADLESS=1 make demo: print the demo summary instead of starting JupyterLab)
#   make test   set up, start PostgreSQL if it is down, install Debian's chromium if missing, run the whole test suite
#               (the spark extra is installed too: the lake's Spark engine is tested in local mode; Java 17 needed)
# Everything else here is the set-up those two do by themselves on a fresh clone.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PORT   ?= 8888

.PHONY: demo test lint postgres chromium install bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,spark,lint]'
	rm -f $(VENV)/.installed-* && touch $@

postgres:
	@scripts/ensure-postgres

chromium:
	@scripts/ensure-chromium

demo: $(STAMP)
	$(BIN)/llamaforensics demo
	$(BIN)/llamaforensics info
ifeq ($(HEADLESS),)
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)
endif

test: $(STAMP) postgres chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (lint and format check) on the whole tree, mypy on the library
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP) postgres
	$(BIN)/python bench/snapshot.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
