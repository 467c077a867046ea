"""What a scenario of several releases costs (issue 20): ``scenarios/kerala_2026_composed.toml`` (four lists of
the same people, attacked alone, in every pair and all together), on Wayanad and (with ``SYNTH_BENCH_FULL=1``) on
the whole state, through ``synth run --workers 2`` in a process of its own, the world built beforehand outside the
clock. The record keeps the seconds, the peak memory of the whole process tree, the people and the combinations.

Run::

    [SYNTH_BENCH_FULL=1] .venv/bin/pytest benchmarks/test_composed_costs.py --benchmark-only -q \\
        --benchmark-json=out/bench/composed.json
    .venv/bin/python -m benchmarks.report out/bench/composed.json --section composed_costs --into benchmarks/README.md
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from benchmarks.common import REPO, SEED, bench_cache, measure, world_for
from benchmarks.test_scenario_costs import SYNTH, machine_load
from synth.world.plan import WorldSpec

FULL = os.environ.get("SYNTH_BENCH_FULL") == "1"
COMPOSED = REPO / "scenarios" / "kerala_2026_composed.toml"


def _measured(benchmark, tmp_path: Path, districts: tuple[str, ...], point: str) -> None:  # type: ignore[no-untyped-def]
    world_for(WorldSpec(districts=districts, seed=SEED))  # built (once) outside the clock
    text = COMPOSED.read_text(encoding="utf-8")
    listed = f"districts = [{', '.join(repr(d) for d in districts)}]\n".replace("'", '"') if districts else ""
    scenario = tmp_path / "composed.toml"
    scenario.write_text(text.replace('districts = ["Wayanad"]\n', listed), encoding="utf-8")
    out = tmp_path / "run"
    argv = [str(SYNTH), "run", str(scenario), "--out", str(out), "--workers", "2", "--cache", str(bench_cache())]

    def run() -> dict[str, object]:
        before = machine_load()
        return {**measure(argv), "load_before": before, "load_after": machine_load()}

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    figures = pl.read_parquet(out / "results.parquet").filter(
        (pl.col("attack") == "composed") & (pl.col("group") == "all") & (pl.col("measure") == "people_released")
    )
    combinations = figures.height
    assert combinations == 11  # four releases: 4 alone, 6 pairs, all together
    benchmark.extra_info.update(
        kind="composed_costs",
        point=point,
        people=int(figures["value"].to_numpy().max()),
        combinations=combinations,
        **result,
    )


def test_composed_wayanad(benchmark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _measured(benchmark, tmp_path, ("Wayanad",), "Wayanad")


@pytest.mark.skipif(not FULL, reason="the whole state runs with SYNTH_BENCH_FULL=1")
def test_composed_state(benchmark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _measured(benchmark, tmp_path, (), "the whole state")
