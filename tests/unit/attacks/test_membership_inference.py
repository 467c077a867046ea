"""Membership inference on hand-built tables: Gower distances to the closest record worked out by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import NotApplicable
from synth.attacks.membership_inference import MembershipInferenceParams, membership_inference
from synth.errors import SpecError, TruthLeakError
from synth.release.build import AttackerView
from synth.scoring.membership import score_membership

RELEASE = pl.DataFrame(
    {"row_id": [0, 1, 2], "age": [40, 60, 60], "gender": ["F", "M", "M"], "ward": pl.Series([3, 5, 5], dtype=pl.Int16)}
)
TARGETS = pl.DataFrame(
    {"target_id": [0, 1, 2, 3], "age": [40, 42, 60, 80], "gender": ["F", "F", "F", "M"], "ward": [3, 3, 5, 5]}
)
TRUTH = pl.DataFrame({"target_id": [0, 1, 2, 3], "member": [True, False, True, False]})
AUX = AuxiliaryData(membership_targets=TARGETS)


def test_distances_and_flags_by_hand() -> None:
    out = membership_inference(AttackerView(RELEASE), AUX, np.random.default_rng(0))
    # ages span 40 to 80 (40 years); three columns. t0 matches row 0; t1 is 2 years off row 0;
    # t2 differs from row 1 in gender only; t3 is 20 years off row 1.
    assert out["dcr"].to_list() == pytest.approx([0.0, 0.05 / 3, 1 / 3, 0.5 / 3])
    assert out["member"].to_list() == [True, True, False, False]  # the closer half


def test_scoring_by_hand() -> None:
    out = membership_inference(AttackerView(RELEASE), AUX, np.random.default_rng(0))
    base = out.with_columns(member=pl.Series([False, True, False, True]))
    s = score_membership(out, base, TRUTH)
    # flagged t0 (member) and t1 (holdout): TPR 1/2, FPR 1/2, no better than the control
    assert (s.targets, s.guesses, s.correct) == (4, 2, 1)
    assert (s.tpr.value, s.fpr.value, s.precision.value, s.baseline.value) == (0.5, 0.5, 0.5, 0.0)
    assert s.risk.value == 0.0
    flags = out.with_columns(member=pl.Series([True, False, True, False]))
    perfect = score_membership(flags, base, TRUTH)
    assert (perfect.tpr.value, perfect.fpr.value, perfect.risk.value) == (1.0, 0.0, 1.0)


def test_banded_release_ages_and_missing_values() -> None:
    banded = RELEASE.with_columns(age=pl.Series(["40-44", "60-64", None]))
    out = membership_inference(AttackerView(banded), AUX, np.random.default_rng(0))
    # t0 and t1 fall in 40-44 like row 0; t2 (60-64, F, 5) differs from row 1 in gender; t3 (80-84) matches
    # no age: against row 1 only the age differs, against row 2 (missing age) the age differs too
    assert out["dcr"].to_list() == pytest.approx([0.0, 0.0, 1 / 3, 1 / 3])


def test_random_baseline_flags_the_same_share_and_twins_agree() -> None:
    params = MembershipInferenceParams(model="random", flag_share=0.25)
    runs = [membership_inference(AttackerView(RELEASE), AUX, np.random.default_rng(7), params) for _ in range(2)]
    assert runs[0].equals(runs[1])
    assert runs[0]["member"].sum() == 1


def test_bad_input_names_the_attack() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(SpecError) as err:
        membership_inference(AttackerView(RELEASE), AuxiliaryData(), rng)
    assert str(err.value) == (
        "attack 'membership_inference': needs the auxiliary source 'membership_targets', which the "
        "scenario did not grant (granted: none)"
    )
    cases = [
        (
            RELEASE.clear(),
            AUX,
            "attack 'membership_inference': the release is empty; there is no record to be close to",
        ),
        (
            RELEASE,
            AuxiliaryData(membership_targets=TARGETS.drop("target_id")),
            "attack 'membership_inference': membership_targets needs rows and a 'target_id' column",
        ),
        (
            RELEASE,
            AuxiliaryData(membership_targets=TARGETS.clear()),
            "attack 'membership_inference': membership_targets needs rows and a 'target_id' column",
        ),
        (
            RELEASE.select("row_id"),
            AUX,
            "attack 'membership_inference': the release shares no column with the targets' records "
            "(release: row_id; targets: target_id, age, gender, ward)",
        ),
    ]
    for data, aux, message in cases:
        with pytest.raises(NotApplicable) as not_applicable:
            membership_inference(AttackerView(data), aux, rng)
        assert not_applicable.type is NotApplicable and str(not_applicable.value) == message
    with pytest.raises(TruthLeakError, match="'membership_targets' must not hold the truth: member"):
        AuxiliaryData(membership_targets=TARGETS.join(TRUTH, on="target_id"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"flag_share": 1.5}, "flag_share = 1.5; allowed is between 0 and 1"),
        ({"flag_share": 0}, "flag_share = 0; allowed is between 0 and 1"),
        ({"model": "knn"}, "model = 'knn': unknown model; allowed are dcr, random"),
        ({"targets_per_side": 0}, "targets_per_side = 0; allowed is a positive whole number"),
        ({"targets_per_side": 10.0}, "targets_per_side = 10.0; allowed is a positive whole number"),
        ({"holdout_share": 1.0}, "holdout_share = 1.0; allowed is between 0 and 1"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as err:
        MembershipInferenceParams(**kwargs)  # type: ignore[arg-type]
    assert str(err.value) == f"attack 'membership_inference': {message}"


def test_every_bad_parameter_is_reported_at_once() -> None:
    with pytest.raises(SpecError) as err:
        MembershipInferenceParams(flag_share=1.5, holdout_share=0.0)
    assert str(err.value).splitlines() == [
        "attack 'membership_inference': flag_share = 1.5; allowed is between 0 and 1",
        "attack 'membership_inference': holdout_share = 0.0; allowed is between 0 and 1",
    ]
