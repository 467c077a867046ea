"""Probabilistic linkage on a small generated world, scored against the truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from synth import open_world
from synth.attacks.auxiliary import auxiliary_from_world
from synth.attacks.exact_linkage import exact_linkage
from synth.attacks.probabilistic_linkage import ProbabilisticLinkageParams, probabilistic_linkage
from synth.measure.scoring import correct_links
from synth.policies.apply import minimize
from synth.policies.library import load_policy
from synth.release import make_release

PARAMS = ProbabilisticLinkageParams(max_pairs=1e5)


@pytest.fixture(scope="module")
def setting(small_world_dir: Path):  # type: ignore[no-untyped-def]
    world = open_world(small_world_dir)
    return world, make_release(world), auxiliary_from_world(world, ["electoral_roll"])


def test_finds_spelling_variants_and_movers_that_exact_linkage_misses(setting) -> None:  # type: ignore[no-untyped-def]
    world, release, aux = setting
    roll_truth = world.table("roll_truth").collect()
    view = release.attacker_view()
    fuzzy = probabilistic_linkage(view, aux, np.random.default_rng(3), PARAMS)
    exact = exact_linkage(view, aux, np.random.default_rng(3))
    fuzzy_correct = correct_links(fuzzy, release.truth, roll_truth)
    exact_correct = correct_links(exact, release.truth, roll_truth)
    assert fuzzy_correct / fuzzy.height > 0.98  # precision
    assert fuzzy_correct > 1.1 * exact_correct  # at least a tenth more people than exact linkage
    assert fuzzy["match_probability"].min() >= PARAMS.threshold


def test_seeded_twins(setting) -> None:  # type: ignore[no-untyped-def]
    _, release, aux = setting
    runs = [probabilistic_linkage(release.attacker_view(), aux, np.random.default_rng(9), PARAMS) for _ in range(2)]
    assert runs[0].equals(runs[1])


def test_banded_ages_without_names_of_places(setting) -> None:  # type: ignore[no-untyped-def]
    world, release, aux = setting
    banded = minimize(release, load_policy("age_bands_5"))
    guesses = probabilistic_linkage(banded.view, aux, np.random.default_rng(3), PARAMS)
    correct = correct_links(guesses, banded.truth, world.table("roll_truth").collect())
    assert guesses.height > 0 and correct / guesses.height > 0.95
