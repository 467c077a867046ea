# Everything needs only Python 3.11, pip and make. `make run` sets up and runs the main job;
# `make test` sets up and runs the whole test suite (ruff and mypy included).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/wayanad
SEED ?= 2026

.PHONY: setup run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

# The main job on its embedded default: build one district (Wayanad) and validate it.
run: $(STAMP)
	$(BIN)/synth world build --districts Wayanad --seed $(SEED) --workers 2 --out $(OUT)
	$(BIN)/synth world validate $(OUT) --show failed

lint: $(STAMP)
	$(BIN)/ruff check synth tests benchmarks tools
	$(BIN)/ruff format --check synth tests benchmarks tools

typecheck: $(STAMP)
	$(BIN)/mypy synth

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/pytest benchmarks --benchmark-only -q

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
