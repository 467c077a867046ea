"""What reconstruction costs (issue 19): every ward's records rebuilt from ``ward_tables`` and attached to named
voters, on Wayanad and (with ``SYNTH_BENCH_FULL=1``) on the whole state, through ``synth run --workers 2`` in a
process of its own, the world built beforehand outside the clock. The record keeps the seconds, the peak memory of
the whole process tree, the wards, and the reconstruction unit's own wall seconds.

Run::

    [SYNTH_BENCH_FULL=1] .venv/bin/pytest benchmarks/test_reconstruction_costs.py --benchmark-only -q \\
        --benchmark-json=out/bench/reconstruction.json
    .venv/bin/python -m benchmarks.report out/bench/reconstruction.json --section reconstruction_costs \\
        --into benchmarks/README.md
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from benchmarks.common import SEED, bench_cache, world_for
from benchmarks.test_scenario_costs import run_scenario_measured
from synth.world.plan import WorldSpec

FULL = os.environ.get("SYNTH_BENCH_FULL") == "1"
SCENARIO = """spec_version = 1
policies = ["ward_tables"]
purposes = ["ward_planning"]
seeds = [1]

[scenario]
id = "reconstruction_costs"
description = "ward_tables reconstructed, {where}"

[world]
preset = "kerala-2026"
{districts}seed = {seed}

[release]
registries = ["employees", "pensioners", "entrepreneurs", "womens_scheme"]
fields = ["phone", "name", "age", "gender", "district", "taluk", "ward", "local_body", "registry"]

[recipient]
name = "a public statistics portal"
onward_leak = 1.0

[attacker]
sources = ["electoral_roll"]

[attacks.reconstruction]
"""


def _measured(benchmark, tmp_path: Path, districts: tuple[str, ...], point: str) -> None:  # type: ignore[no-untyped-def]
    world_for(WorldSpec(districts=districts, seed=SEED))  # built (once) outside the clock
    where = ", ".join(districts) or "the whole state"
    listed = f"districts = [{', '.join(repr(d) for d in districts)}]\n".replace("'", '"') if districts else ""
    scenario = tmp_path / "tables.toml"
    scenario.write_text(SCENARIO.format(where=where, districts=listed, seed=SEED), encoding="utf-8")
    out = tmp_path / "run"
    result = benchmark.pedantic(run_scenario_measured, args=(scenario, out, bench_cache()), rounds=1, iterations=1)
    figures = pl.read_parquet(out / "results.parquet").filter(
        (pl.col("attack") == "reconstruction") & (pl.col("group") == "all")
    )
    wards = int(figures.filter(pl.col("measure") == "places")["value"].item())
    unit = next(c for c in result["costs"] if c["attack"] == "reconstruction")
    assert wards > 0
    benchmark.extra_info.update(
        kind="reconstruction_costs",
        point=point,
        wards=wards,
        reconstruction_seconds=unit["wall_seconds"],
        **{k: v for k, v in result.items() if k != "costs"},
    )


def test_reconstruction_wayanad(benchmark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _measured(benchmark, tmp_path, ("Wayanad",), "Wayanad")


@pytest.mark.skipif(not FULL, reason="the whole state runs with SYNTH_BENCH_FULL=1")
def test_reconstruction_state(benchmark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _measured(benchmark, tmp_path, (), "the whole state")
