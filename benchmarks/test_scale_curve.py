"""How our cost grows with the population (issue 6): generation and the default scenario at 1, 2, 4 and 14 districts.

Districts join in the order of ``benchmarks.common.SCALE_ORDER`` (the smallest first), so that each point holds
the one before it.
Each point runs the command line in a process of its own, through ``python -m benchmarks.common``, which
reports the seconds and the peak memory of the command (its largest process, workers included):

- generation: ``synth world build --districts ... --seed 2026 --workers 2`` into a new folder;
- the default scenario: ``synth run`` on ``scenarios/kerala_2026_export.toml`` with its ``[world]`` districts
  replaced (a temporary copy), ``--workers 2``, on a world already built into the benchmark cache, so that
  the time is the scenario's (every policy and attack), not the build's.

The whole state (14 districts) runs with ``SYNTH_BENCH_FULL=1``, and so does the default scenario on four
districts; ``SYNTH_BENCH_SCALE`` and ``SYNTH_BENCH_SCENARIO_SCALE`` pick other points (comma-separated counts).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from benchmarks.common import SEED, bench_cache, measure, scale_districts, scenario_on
from synth.world.plan import WorldSpec, plan_world

FULL = os.environ.get("SYNTH_BENCH_FULL") == "1"
BUILD_POINTS = [int(n) for n in os.environ.get("SYNTH_BENCH_SCALE", "1,2,4,14" if FULL else "1,2,4").split(",")]
SCENARIO_POINTS = [
    int(n) for n in os.environ.get("SYNTH_BENCH_SCENARIO_SCALE", "1,2,4,14" if FULL else "1,2").split(",")
]
SYNTH = Path(sys.executable).with_name("synth")


@pytest.mark.parametrize("n", BUILD_POINTS, ids=lambda n: f"{n}_districts")
def test_scale_generation(benchmark, n: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    names = scale_districts(n)
    out = tmp_path / "world"
    argv = [str(SYNTH), "world", "build", "--seed", str(SEED), "--workers", "2", "--out", str(out)]
    if names:
        argv += ["--districts", ",".join(names)]
    result = benchmark.pedantic(measure, args=(argv,), rounds=1, iterations=1)
    people = json.loads((out / "manifest.json").read_text())["rows"]["people"]
    shutil.rmtree(out, ignore_errors=True)
    benchmark.extra_info.update(kind="scale", step="generation", districts=n, people=people, **result)
    assert people == plan_world(WorldSpec(districts=names, seed=SEED)).targets["population"]


@pytest.mark.parametrize("n", SCENARIO_POINTS, ids=lambda n: f"{n}_districts")
def test_scale_scenario(benchmark, n: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scenario, world = scenario_on(scale_districts(n), tmp_path)
    out = tmp_path / "run"
    argv = [str(SYNTH), "run", str(scenario), "--out", str(out), "--workers", "2", "--cache", str(bench_cache())]
    argv += ["--reuse", str(tmp_path / "reuse")]  # a store of its own: nothing an earlier run kept is read back
    result = benchmark.pedantic(measure, args=(argv,), rounds=1, iterations=1)
    rows = len(json.loads((out / "results.json").read_text())["results"])
    people = int(world.manifest["rows"]["people"])
    benchmark.extra_info.update(kind="scale", step="scenario", districts=n, people=people, result_rows=rows, **result)
    assert rows > 0
