# The two commands a newcomer needs: `make` (set up, build and publish dist/) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all build test check lint bench clean

all: build

# The venv is (re)installed whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/policing-kg build
	$(BIN)/policing-kg site

# The whole suite: lint and types (ruff, mypy --strict, the curated files' canonical form) and
# every test.
test: lint
	$(BIN)/python -m pytest

# While working: lint, types and the tests not marked slow (about two minutes; `make test` runs
# all of them, the real triple store, the servers that misbehave and the benchmark's smoke run).
check: lint
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/policing-kg lint

# The benchmark (about 40 minutes, the SHACL engines of PyPI included, which it installs into
# bench/results/peers/ on first use; BENCH_ARGS=--quick for a smoke run of a minute,
# BENCH_ARGS=--no-peers to leave them out): results in bench/results/bench.md and .json, the
# plot in bench/results/scaling.png.
bench: build
	$(BIN)/python -m bench.bench $(BENCH_ARGS)
	$(BIN)/python -m bench.plot

clean:
	rm -rf dist $(VENV) .pytest_cache .mypy_cache .ruff_cache
