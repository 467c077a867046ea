# Everything needs only Python 3.11, pip and make. `make run` sets up and runs the main job;
# `make test` sets up and runs the whole test suite (ruff and mypy included).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# anonymeter pins numpy<1.27 and pyarrow<22: its own environment, for the benchmarks only.
ANON_VENV := .venv-anonymeter
ANON_STAMP := $(ANON_VENV)/.installed
BENCH_OUT ?= out/bench
BENCH_JSON := $(BENCH_OUT)/benchmark.json
BENCH_CMD := $(BIN)/pytest benchmarks --benchmark-only -q --benchmark-json=$(BENCH_JSON)
OUT ?= out/kerala_2026_export
SCENARIO ?= scenarios/kerala_2026_export.toml
# The hmac policy needs a key: a fresh random one per run unless you set your own (never written anywhere).
SYNTH_HMAC_KEY ?= $(shell $(PYTHON) -c "import secrets; print(secrets.token_hex(32))")
export SYNTH_HMAC_KEY

.PHONY: setup browser run test lint typecheck unit bench anonymeter-venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

$(ANON_STAMP): benchmarks/requirements-anonymeter.txt
	$(PYTHON) -m venv $(ANON_VENV)
	$(ANON_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(ANON_VENV)/bin/python -m pip install --quiet -r benchmarks/requirements-anonymeter.txt
	touch $(ANON_STAMP)

anonymeter-venv: $(ANON_STAMP)

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
	$(BIN)/lint-imports --no-logo
	$(BIN)/pylint --rcfile pyproject.toml --score no synth

typecheck: $(STAMP)
	$(BIN)/mypy synth

# Two pytest workers on two cores: one OpenMP/BLAS thread each, or scikit-learn's and torch's threads spin against
# the other worker's (a 1-second attribute inference measured at 109 s in the suite). A test file goes to one worker
# whole (--dist loadfile), so that its module fixtures are built once: spread over both workers, the utility
# module's (31 s), the learned world's (22 s) and the search run's (17 s) were each built twice; 4:38 against 5:07.
unit: $(STAMP) browser
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/pytest -q -n 2 --dist loadfile

test: lint typecheck unit

# Every benchmark, with the peers side by side (Faker, mimesis, indian-fakedata, SDV, anonymeter), then
# benchmarks/README.md regenerated from this run's JSON (written even when a benchmark fails; make still fails).
bench: $(STAMP) $(ANON_STAMP)
	mkdir -p $(BENCH_OUT)
	SYNTH_BENCH_COMMAND="make bench ($(BENCH_CMD))" $(BENCH_CMD); status=$$?; \
		$(BIN)/python -m benchmarks.report $(BENCH_JSON) --out benchmarks/README.md && exit $$status

clean:
	rm -rf $(VENV) $(ANON_VENV) out .pytest_cache .mypy_cache .ruff_cache
