"""Membership inference on a small generated world: an exported table gives its members away, an SDV
synthetic release of the same rows much less."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from synth import open_world
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.membership_inference import MembershipInferenceParams, membership_inference
from synth.policies.apply import minimize
from synth.policies.library import load_policy
from synth.release import make_release
from synth.scoring.membership import MembershipScore, membership_split, membership_targets, score_membership


def _run(world_dir: Path, policy: str, seed: int = 3) -> MembershipScore:
    release = make_release(open_world(world_dir))
    rng = np.random.default_rng(seed)
    split = membership_split(release, rng)
    released = minimize(split.training, load_policy(policy))
    targets = membership_targets(split, 1000, rng)
    aux = AuxiliaryData(membership_targets=targets.records)
    attack = membership_inference(released.view, aux, rng)
    baseline = membership_inference(released.view, aux, rng, MembershipInferenceParams(model="random"))
    return score_membership(attack, baseline, targets.truth)


@pytest.fixture(scope="module")
def scores(small_world_dir: Path) -> dict[str, MembershipScore]:
    return {p: _run(small_world_dir, p) for p in ("as_exported", "sdv_copula")}


def test_members_are_told_apart_from_the_holdout(scores: dict[str, MembershipScore]) -> None:
    exported, synthetic = scores["as_exported"], scores["sdv_copula"]
    assert exported.targets == synthetic.targets == 2000
    assert exported.guesses == synthetic.guesses == 1000  # half the targets flagged
    # every member has its own record in the export; holdout people only by sharing all their values
    assert exported.tpr.value > 0.6 and exported.risk.ci_low > 0.3
    assert synthetic.risk.value < exported.risk.value / 2
    assert abs(exported.baseline.value - 0.5) < 0.05  # flagging at random


def test_seeded_twins(small_world_dir: Path, scores: dict[str, MembershipScore]) -> None:
    assert _run(small_world_dir, "sdv_copula") == scores["sdv_copula"]
