"""World-building speed: one district, a few local bodies, and (opt-in) the whole state.

Targets from the issue: Wayanad in at most 15 s, the whole of Kerala in at most 5 minutes with at
most 8 GiB peak memory, on 2 cores and 24 GiB. Peak memory is measured with /usr/bin/time -v around
the CLI (see README), since pytest-benchmark measures time only.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from synth.world.build import build_world
from synth.world.plan import WorldSpec


def _build(spec: WorldSpec, out: Path, workers: int) -> None:
    shutil.rmtree(out, ignore_errors=True)
    build_world(spec, out, workers=workers)


@pytest.mark.parametrize("workers", [1, 2])
def test_build_wayanad(benchmark, tmp_path: Path, workers: int) -> None:  # type: ignore[no-untyped-def]
    spec = WorldSpec(districts=("Wayanad",), seed=2026)
    benchmark.extra_info["people"] = 908_857
    benchmark.pedantic(_build, args=(spec, tmp_path / "w", workers), rounds=3, iterations=1, warmup_rounds=1)


def test_build_five_local_bodies(benchmark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = WorldSpec(local_bodies=5, seed=2026)
    benchmark.pedantic(_build, args=(spec, tmp_path / "w", 1), rounds=3, iterations=1, warmup_rounds=1)


@pytest.mark.skipif(os.environ.get("SYNTH_BENCH_FULL") != "1", reason="whole state: set SYNTH_BENCH_FULL=1")
def test_build_whole_state(benchmark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = WorldSpec(seed=2026)
    benchmark.extra_info["people"] = 35_800_000
    benchmark.pedantic(_build, args=(spec, tmp_path / "w", 2), rounds=1, iterations=1)
