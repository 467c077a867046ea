"""What the default scenario costs, and where (issue 17): the CI scenario, one district and the whole state, in one run.

Each point runs ``synth run`` in a process of its own (``python -m benchmarks.common``), which reports its
seconds, its largest process's peak memory and the peak of its whole process tree (the Dask workers
included, sampled every 0.2 s). The run's own ``timings.parquet`` then gives what each unit of each policy
cost in the worker that ran it (wall and CPU seconds, that unit's own peak memory), and the benchmark keeps
them so that ``benchmarks/report.py`` tables them by policy and by attack.

- ``ci_smoke``: ``scenarios/ci_smoke.toml`` with a new, empty world cache: the world's build is included.
- ``wayanad``: the default scenario (``scenarios/kerala_2026_export.toml``) on its embedded district, with the
  world built beforehand into the benchmark cache.
- the whole state: the default scenario with its ``districts`` removed (about 3.6 crore people), on a whole-state
  world built beforehand (outside the clock), with one worker (a cell peaks at 11.8 GiB: two do not fit in 24 GiB);
  runs with ``SYNTH_BENCH_FULL=1``.
- points between (``SYNTH_BENCH_SCENARIO_DISTRICTS=2,4``: the first 2 and 4 districts of the scale curve; 14 is the
  whole state), each on a world built beforehand.

Run::

    SYNTH_BENCH_FULL=1 .venv/bin/pytest benchmarks/test_scenario_costs.py --benchmark-only -q \\
        --benchmark-json=out/bench/scenario.json
    .venv/bin/python -m benchmarks.report out/bench/scenario.json --section scenario_costs --into benchmarks/README.md
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from benchmarks.common import (
    DEFAULT_SCENARIO,
    REPO,
    SEED,
    bench_cache,
    measure,
    scale_districts,
    scenario_on,
    world_for,
)
from synth.measure.names import COSTS
from synth.world.plan import WorldSpec

FULL = os.environ.get("SYNTH_BENCH_FULL") == "1"
# Points beyond one district: the first N districts of benchmarks.common.SCALE_ORDER, or 14 for the whole state
DISTRICT_POINTS = [
    int(n) for n in os.environ.get("SYNTH_BENCH_SCENARIO_DISTRICTS", "14" if FULL else "").split(",") if n
]
SYNTH = Path(sys.executable).with_name("synth")
SMOKE = REPO / "scenarios" / "ci_smoke.toml"


def machine_load() -> list[float]:
    """The 1, 5 and 15-minute load averages (how busy the machine was around the figure)."""
    return [round(x, 2) for x in os.getloadavg()]


def run_scenario_measured(scenario: Path, out: Path, cache: Path, workers: int = 2) -> dict[str, Any]:
    """``synth run`` with ``workers`` measured in a process of its own, with the machine's load before and after, and
    what each unit of each policy cost (``costs``: policy, attack, wall and CPU seconds, peak bytes). The run keeps the
    costly parts of its attacks in a new result store beside ``out``, so every figure is that of a first run: results
    kept by an earlier run are never read back (a rerun would be faster for that reason alone)."""
    reuse = out.with_name(f"{out.name}-reuse")
    argv = [str(SYNTH), "run", str(scenario), "--out", str(out), "--workers", str(workers), "--cache", str(cache)]
    argv += ["--reuse", str(reuse)]
    load_before = machine_load()
    result = measure(argv)
    costs = (
        pl.read_parquet(out / "timings.parquet")
        .filter(pl.col("measure").is_in(list(COSTS)))
        .pivot(on="measure", index=["policy", "attack"], values="value")
        .select("policy", "attack", *COSTS)
    )
    return {**result, "load_before": load_before, "load_after": machine_load(), "costs": costs.to_dicts()}


def _record(benchmark: Any, point: str, people: int, result: dict[str, Any]) -> None:
    benchmark.extra_info.update(kind="scenario_costs", point=point, people=people, **result)


def test_ci_smoke_with_its_world(benchmark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out, cache = tmp_path / "run", tmp_path / "cache"  # a new cache: the world's build is on the clock
    result = benchmark.pedantic(run_scenario_measured, args=(SMOKE, out, cache), rounds=1, iterations=1)
    assert (out / "results.parquet").is_file() and result["costs"]
    _record(benchmark, "ci_smoke (world included)", _people_in(cache), result)


def test_default_scenario_wayanad(benchmark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    world = world_for(WorldSpec(districts=("Wayanad",), seed=SEED))  # built (once) outside the clock
    result = benchmark.pedantic(
        run_scenario_measured, args=(DEFAULT_SCENARIO, tmp_path / "run", bench_cache()), rounds=1, iterations=1
    )
    assert {c["policy"] for c in result["costs"]} >= {"as_exported", "sdv_copula"}
    _record(benchmark, "default, Wayanad (world cached)", int(world.manifest["rows"]["people"]), result)


@pytest.mark.parametrize("n", DISTRICT_POINTS, ids=lambda n: f"{n}_districts")
def test_default_scenario_on_districts(benchmark, n: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scenario, world = scenario_on(scale_districts(n), tmp_path)
    workers = 1 if n == 14 else 2  # the whole state's cells peak at 11.8 GiB each: two do not fit in 24 GiB
    result = benchmark.pedantic(
        run_scenario_measured, args=(scenario, tmp_path / "run", bench_cache(), workers), rounds=1, iterations=1
    )
    point = "whole state (world built before, 1 worker)" if n == 14 else f"{n} districts (world cached)"
    _record(benchmark, f"default, {point}", int(world.manifest["rows"]["people"]), result)


def _people_in(cache: Path) -> int:
    """People of the one world a run built into ``cache``."""
    (folder,) = [p for p in cache.iterdir() if (p / "manifest.json").is_file()]
    return int(json.loads((folder / "manifest.json").read_text())["rows"]["people"])
