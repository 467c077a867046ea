"""Generation against the peers (issue 6): persons per second, peak memory and realism, from the same run.

Each generator builds the same seven fields (:mod:`benchmarks.generators`) in a process of its own, so its
peak memory is its own. Our generator builds a whole world (``WORLDS``); each peer builds as many records as
that world has people, up to ``SYNTH_BENCH_PEER_ROWS`` (default 200,000; indian-fakedata, which builds a
hundred fields per profile, a tenth of that): a rate per second does not depend on the count once the
imports are done, and the imports are outside every clock. Realism (:mod:`benchmarks.realism`) is measured
on each generator's own output: the peers against the whole state (they are given Kerala), ours and SDV's
(fitted on our world) against the geography our world covers.

``SYNTH_BENCH_GEN_WORLDS`` picks worlds by name (comma-separated, from ``ALL_WORLDS``); the whole state joins
them with ``SYNTH_BENCH_FULL=1``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from benchmarks.common import SEED, world_for
from benchmarks.generators import PEERS, profile_ours, run_generator, sdv_sample
from synth.world.plan import WorldSpec, plan_world

ALL_WORLDS = {
    "1_local_body": WorldSpec(local_bodies=1, seed=SEED),
    "5_local_bodies": WorldSpec(local_bodies=5, seed=SEED),
    "wayanad": WorldSpec(districts=("Wayanad",), seed=SEED),
    "kerala": WorldSpec(seed=SEED),
}
FULL = os.environ.get("SYNTH_BENCH_FULL") == "1"
DEFAULT_WORLDS = "5_local_bodies,wayanad" + (",kerala" if FULL else "")
WORLDS = {name: ALL_WORLDS[name] for name in os.environ.get("SYNTH_BENCH_GEN_WORLDS", DEFAULT_WORLDS).split(",")}
PEER_ROWS = int(os.environ.get("SYNTH_BENCH_PEER_ROWS", "200000"))
# label -> (generator, worker processes); ours with one worker is the like-for-like figure (peers use one core)
RUNS = {"ours": ("ours", 1), "ours_2_workers": ("ours", 2), **{p: (p, 1) for p in PEERS}}


def peer_rows(generator: str, people: int) -> int:
    """Records a peer builds next to a world of ``people`` people."""
    cap = PEER_ROWS // 10 if generator == "indian_fakedata" else PEER_ROWS
    return max(1, min(people, cap))


@pytest.fixture(scope="module")
def sdv_samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Per world, a Parquet file of a seeded sample of its people's seven fields (what SDV is fitted on)."""
    folder = tmp_path_factory.mktemp("sdv")
    return {name: sdv_sample(world_for(spec), folder / f"{name}.parquet") for name, spec in WORLDS.items()}


def generation(label: str, world: str, folder: Path, sample: Path | None) -> dict[str, Any]:
    """One generator next to one world: figures, realism and which world."""
    generator, workers = RUNS[label]
    spec = WORLDS[world]
    people = int(plan_world(spec).targets["population"])
    result = run_generator(label, spec, peer_rows(generator, people), folder, sample, workers)
    result.update(kind="generation", world=world, world_people=people)
    return result


@pytest.mark.parametrize("world", list(WORLDS))
@pytest.mark.parametrize("label", list(RUNS))
def test_generation(benchmark, label: str, world: str, tmp_path: Path, sdv_samples: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    if label == "ours_2_workers" and world != list(WORLDS)[-1]:
        pytest.skip("two workers: measured on the largest world only")
    result = benchmark.pedantic(
        generation, args=(label, world, tmp_path, sdv_samples.get(world)), rounds=1, iterations=1
    )
    benchmark.extra_info.update(result)
    assert result["rows"] > 0
    if label.startswith("ours"):
        assert result["realism"]["violations"] == 0


@pytest.mark.parametrize("world", list(WORLDS)[-1:])
def test_profile_ours(benchmark, world: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Where our generation spends its time (cProfile, one worker), on the largest world."""
    profile = benchmark.pedantic(profile_ours, args=(WORLDS[world], tmp_path / "world"), rounds=1, iterations=1)
    benchmark.extra_info.update(kind="profile", world=world, **profile)
    assert profile["people"] > 0
