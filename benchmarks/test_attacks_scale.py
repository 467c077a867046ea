"""Attacks at state scale (issue 4): exact linkage of the full export against the full roll, singling out.

Needs a whole-state world: set SYNTH_BENCH_WORLD to its folder (built with
``synth world build --seed 2026 --workers 2 --out DIR``). Skipped otherwise.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from synth import open_world
from synth.attacks.auxiliary import auxiliary_from_world
from synth.attacks.exact_linkage import exact_linkage
from synth.attacks.singling_out import singling_out
from synth.release import make_release

WORLD = os.environ.get("SYNTH_BENCH_WORLD")
pytestmark = pytest.mark.skipif(not WORLD, reason="set SYNTH_BENCH_WORLD to a whole-state world folder")


@pytest.fixture(scope="module")
def state():  # type: ignore[no-untyped-def]
    world = open_world(str(WORLD))
    release = make_release(world)
    return release, auxiliary_from_world(world)


def test_exact_linkage_state(benchmark, state) -> None:  # type: ignore[no-untyped-def]
    release, aux = state
    benchmark.extra_info["release_rows"] = release.data.height
    benchmark.extra_info["roll_rows"] = aux.electoral_roll.height
    benchmark.pedantic(
        exact_linkage, args=(release.attacker_view(), aux, np.random.default_rng(0)), rounds=2, iterations=1
    )


def test_singling_out_state(benchmark, state) -> None:  # type: ignore[no-untyped-def]
    release, aux = state
    benchmark.pedantic(
        singling_out, args=(release.attacker_view(), aux, np.random.default_rng(0)), rounds=3, iterations=1
    )
