# Everything needs only Python 3.11, pip and make. `make run` sets up and runs the main job;
# `make test` sets up and runs the whole test suite (ruff and mypy included).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/kerala_2026_export
SCENARIO ?= scenarios/kerala_2026_export.toml
# The hmac policy needs a key: a fresh random one per run unless you set your own (never written anywhere).
SYNTH_HMAC_KEY ?= $(shell $(PYTHON) -c "import secrets; print(secrets.token_hex(32))")
export SYNTH_HMAC_KEY

.PHONY: setup browser run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

# Headless Chromium for the report's browser test (Debian's package; needs root or sudo once).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The main job on its embedded default: the alleged export on one district at full density (Wayanad),
# every policy and attack, and the report (OUT/report.html).
run: $(STAMP)
	$(BIN)/synth run $(SCENARIO) --out $(OUT) --workers 2

lint: $(STAMP)
	$(BIN)/ruff check synth tests benchmarks tools
	$(BIN)/ruff format --check synth tests benchmarks tools

typecheck: $(STAMP)
	$(BIN)/mypy synth

unit: $(STAMP) browser
	$(BIN)/pytest -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/pytest benchmarks --benchmark-only -q

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
