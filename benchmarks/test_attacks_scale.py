"""Attacks at state scale (issue 4): a 1-crore-row release against the full-state roll, read from Parquet.

The release is the alleged K-SMART export plus a seeded sample of other adult residents, 1 crore rows in
all (``ReleaseSpec(recipients=10_000_000)``: the export was allegedly used to message about 1 crore
people). The fixture builds it once and writes it to Parquet; each timed round then reads what the
attack needs from Parquet (the release file; the electoral roll from the world's files, with the names
of its places) and runs the attack:

- exact linkage of the release against the whole roll (2.7 crore entries);
- singling out over the release;
- singling out's truth with names: how many people of the state each written name of the release and of its
  shuffled baseline fits (``written_name_counts``), with the peak memory of the call.

Needs a whole-state world: set SYNTH_BENCH_WORLD to its folder (built with
``synth world build --seed 2026 --workers 2 --out DIR``). Skipped otherwise. Run::

    SYNTH_BENCH_WORLD=/tmp/kerala .venv/bin/pytest benchmarks/test_attacks_scale.py --benchmark-only -q
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synth import World, open_world
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.exact_linkage import exact_linkage
from synth.attacks.linking import shuffled_view
from synth.attacks.singling_out import quasi_identifiers, singling_out
from synth.engine.meter import metered
from synth.release import AttackerView, ReleaseSpec, make_release
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scoring.written_names import written_name_counts

WORLD = os.environ.get("SYNTH_BENCH_WORLD")
RECIPIENTS = 10_000_000  # 1 crore rows
pytestmark = pytest.mark.skipif(not WORLD, reason="set SYNTH_BENCH_WORLD to a whole-state world folder")


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Path, dict[str, float]]:
    """The world, the 1-crore release written to Parquet, and facts about building it."""
    world = open_world(str(WORLD))
    started = time.perf_counter()
    release = make_release(world, ReleaseSpec(recipients=RECIPIENTS))
    info = {"make_release_s": round(time.perf_counter() - started, 1), "release_rows": release.data.height}
    path = tmp_path_factory.mktemp("release") / "release.parquet"
    release.data.write_parquet(path)
    return world, path, info


def _read_and_link(world: World, path: Path) -> tuple[pl.DataFrame, int]:
    aux = auxiliary_from_world(world, ["electoral_roll"])
    view = AttackerView(pl.read_parquet(path))
    roll = aux.require("electoral_roll", "benchmark")
    return exact_linkage(view, aux, np.random.default_rng(0)), roll.height


def _read_and_single_out(path: Path) -> pl.DataFrame:
    return singling_out(AttackerView(pl.read_parquet(path)), AuxiliaryData(), np.random.default_rng(0))


def test_exact_linkage_state(benchmark, state) -> None:  # type: ignore[no-untyped-def]
    world, path, info = state
    guesses, roll_rows = benchmark.pedantic(_read_and_link, args=(world, path), rounds=2, iterations=1)
    benchmark.extra_info.update(info, roll_rows=roll_rows, guesses=guesses.height)


def test_singling_out_state(benchmark, state) -> None:  # type: ignore[no-untyped-def]
    _, path, info = state
    unique = benchmark.pedantic(_read_and_single_out, args=(path,), rounds=3, iterations=1)
    benchmark.extra_info.update(info, unique_rows=unique.height)


def _counts_with_names(world: World, path: Path) -> tuple[pl.DataFrame, int, float]:
    """The counts with names for the release and a shuffled baseline: the counts, the keys asked for (rows of the
    two frames) and the call's own peak memory in MiB (exact where the call raised the process's high-water mark,
    else sampled every 10 ms: :mod:`synth.engine.meter`)."""
    view = AttackerView(pl.read_parquet(path))
    baseline = shuffled_view(view, np.random.default_rng(0)).data
    with metered() as meter:
        counts = written_name_counts(world, view.data, quasi_identifiers(view.data, names=True), [view.data, baseline])
    return counts, 2 * view.data.height, meter.cost.peak_rss_bytes / 2**20


def test_singling_out_counts_with_names_state(benchmark, state) -> None:  # type: ignore[no-untyped-def]
    world, path, info = state
    counts, asked, peak = benchmark.pedantic(_counts_with_names, args=(world, path), rounds=1, iterations=1)
    benchmark.extra_info.update(info, rows_asked=asked, keys_that_fit=counts.height, peak_rss_mib=round(peak))
