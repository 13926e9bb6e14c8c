# The two commands a newcomer needs: `make` (set up, build and publish dist/) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all build test lint bench clean

all: build

# The venv is (re)installed whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/policing-kg build

# The whole suite: lint and types (ruff, mypy --strict) and every test.
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

# The benchmark (about 40 minutes, the SHACL engines of PyPI included, which it installs into
# bench/results/peers/ on first use; BENCH_ARGS=--quick for a smoke run of a minute,
# BENCH_ARGS=--no-peers to leave them out): results in bench/results/bench.md and .json, the
# plot in bench/results/scaling.png.
bench: build
	$(BIN)/python -m bench.bench $(BENCH_ARGS)
	$(BIN)/python -m bench.plot

clean:
	rm -rf dist $(VENV) .pytest_cache .mypy_cache .ruff_cache
