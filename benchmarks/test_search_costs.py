"""What the searched frontier costs (issue 18): ``scenarios/kerala_2026_search.toml``, 64 candidate policies on
Wayanad at full density, screened with the cheap attacks, the frontier attacked in full, against the budget of
15 minutes on 2 cores.

The run goes through ``synth run --workers 2`` in a process of its own (``benchmarks.common``), with the world
built beforehand into the benchmark cache; the record keeps the seconds, the peak memory of the whole process
tree, the machine's load, the candidates and the frontier, and what the screen and the frontier cost per
candidate (their units' wall seconds, from each phase's ``timings.parquet``).

Run (a fresh HMAC key is drawn for the run unless ``SYNTH_HMAC_KEY`` is set)::

    .venv/bin/pytest benchmarks/test_search_costs.py --benchmark-only -q --benchmark-json=out/bench/search.json
    .venv/bin/python -m benchmarks.report out/bench/search.json --section search_costs --into benchmarks/README.md
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import polars as pl

from benchmarks.common import REPO, SEED, bench_cache, world_for
from benchmarks.test_scenario_costs import run_scenario_measured
from synth.world.plan import WorldSpec

SEARCH = REPO / "scenarios" / "kerala_2026_search.toml"
BUDGET_SECONDS = 15 * 60


def _phase_seconds(run: Path) -> float:
    """Wall seconds of every unit of a phase, summed over its workers' units."""
    timings = pl.read_parquet(run / "timings.parquet").filter(pl.col("measure") == "wall_seconds")
    return float(timings["value"].sum())


def test_search_wayanad(benchmark, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    if not os.environ.get("SYNTH_HMAC_KEY"):  # the hmac candidates need a key: a fresh one, never written anywhere
        monkeypatch.setenv("SYNTH_HMAC_KEY", secrets.token_hex(32))
    world_for(WorldSpec(districts=("Wayanad",), seed=SEED))  # built (once) outside the clock
    out = tmp_path / "run"
    result = benchmark.pedantic(run_scenario_measured, args=(SEARCH, out, bench_cache()), rounds=1, iterations=1)
    search = json.loads((out / "search" / "search.json").read_text())
    candidates = len(search["candidates"])
    frontier = [c["policy"] for c in search["candidates"] if c["frontier_for"]]
    assert candidates >= 50 and frontier
    assert sorted(p.stem for p in (out / "search" / "frontier").glob("*.toml")) == sorted(frontier)
    benchmark.extra_info.update(
        kind="search_costs",
        point="64 candidates, Wayanad (world cached)",
        candidates=candidates,
        frontier=len(frontier),
        screen_unit_seconds=_phase_seconds(out / "search" / "screen"),
        frontier_unit_seconds=_phase_seconds(out / "search" / "frontier" / "run"),
        budget_seconds=BUDGET_SECONDS,
        **{k: v for k, v in result.items() if k != "costs"},
    )
