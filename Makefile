# The two commands of the README:
#   make demo   set up, build the demo snapshot, open JupyterLab on the notebooks
#               (HEADLESS=1 make demo: print the demo summary instead of starting JupyterLab)
#   make test   set up, lint (make lint), start PostgreSQL if it is down, install Debian's
#               chromium if missing, run the whole test suite (the spark extra is installed too:
#               the lake's Spark engine is tested in local mode; Java 17 needed)
# Everything else here is the set-up those two do by themselves on a fresh clone.
#
# Every install is held to constraints.txt (pip install -c), the lock of what CI tested: a fresh
# clone installs the same versions. `make lock` regenerates it after a dependency changes. Each
# target installs only the extras it needs (demo: none; test: test, spark, lint; bench: bench);
# a stamp per set of extras, named after the checksum of pyproject.toml and the lock, reinstalls
# when either changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8888
LOCK   := constraints.txt
STATE  := $(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
stamp   = $(VENV)/.installed-$(1)-$(STATE)

extras_demo  :=
extras_test  := test,spark,lint
extras_lint  := lint
extras_bench := bench
extras_all   := test,bench,spark,lint

.PHONY: demo test lint postgres chromium install bench lock clean

install: $(call stamp,all)

$(VENV)/.installed-%-$(STATE): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c $(LOCK) --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.$(if $(extras_$*),[$(extras_$*)])'
	rm -f $(VENV)/.installed-$*-* && touch $@

lock:
	scripts/lock

postgres:
	@scripts/ensure-postgres

chromium:
	@scripts/ensure-chromium

demo: $(call stamp,demo)
	$(BIN)/llamaforensics demo
	$(BIN)/llamaforensics info
ifeq ($(HEADLESS),)
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) --notebook-dir=notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root)
endif

# ruff (lint and format check) on the whole tree, mypy on the library
define lint_commands
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
endef

lint: $(call stamp,lint)
	$(lint_commands)

# CI (.ci/run) proves lint before the suite: a lint failure stops it there.
test: $(call stamp,test) postgres chromium
	$(lint_commands)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(call stamp,bench) postgres
	$(BIN)/python bench/snapshot.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
