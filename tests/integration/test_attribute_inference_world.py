"""Attribute inference on a small generated world, scored against the truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synth import open_world
from synth.attacks.attribute_inference import AttributeInferenceParams, attribute_inference
from synth.release import ReleaseSpec, make_release
from synth.release.spec import EXPORT_FIELDS
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scoring.breakdown import breakdown_rows, roll_strata
from synth.scoring.inference import right_labels, score_inference, true_secrets


@pytest.fixture(scope="module")
def setting(small_world_dir: Path):  # type: ignore[no-untyped-def]
    world = open_world(small_world_dir)
    release = make_release(world, ReleaseSpec(fields=(*EXPORT_FIELDS, "scheme")))
    return world, release, auxiliary_from_world(world, ["electoral_roll"])


def test_true_secrets_agree_with_an_independent_count(setting) -> None:  # type: ignore[no-untyped-def]
    world, _, _ = setting
    truth = true_secrets(world, "pension_scheme")
    roll = world.table("roll_truth").collect().filter(pl.col("person_id") >= 0)
    pensioners = world.table("pensioners").collect()
    expected = roll.join(pensioners, on="person_id", how="inner").group_by("scheme").len()
    got = truth.filter(pl.col("truth") != "none").group_by("truth").len()
    assert dict(got.iter_rows()) == {str(k): v for k, v in expected.iter_rows()}
    assert truth.height == roll.height
    assert truth.schema["truth"] == pl.Categorical
    widows = true_secrets(world, "widowhood").filter(pl.col("truth") == "yes").height
    people = world.people.select("person_id", "marital_status").collect()
    assert widows == roll.join(people, on="person_id").filter(pl.col("marital_status") == "widowed").height


def test_pension_scheme_beats_the_majority_baseline(setting) -> None:  # type: ignore[no-untyped-def]
    world, release, aux = setting
    view = release.attacker_view()
    attack = attribute_inference(view, aux, np.random.default_rng(1), AttributeInferenceParams("pension_scheme"))
    base = attribute_inference(
        view, aux, np.random.default_rng(1), AttributeInferenceParams("pension_scheme", model="majority")
    )
    score = score_inference(attack, base, true_secrets(world, "pension_scheme"))
    assert (
        score.targets
        == aux.electoral_roll.filter(pl.col("epic").is_in(true_secrets(world, "widowhood")["epic"].implode())).height
    )
    # the release is mostly pensioners, so the majority label is a pension scheme: most voters are not
    assert score.baseline.value < 0.2
    assert score.accuracy.value > 0.6 and score.risk.value > 0.5
    twin = attribute_inference(view, aux, np.random.default_rng(1), AttributeInferenceParams("pension_scheme"))
    assert twin.equals(attack)


def test_breakdown_by_district_and_age_band_adds_up(setting) -> None:  # type: ignore[no-untyped-def]
    world, release, aux = setting
    attack = attribute_inference(
        release.attacker_view(), aux, np.random.default_rng(1), AttributeInferenceParams("pension_scheme")
    )
    truth = true_secrets(world, "pension_scheme")
    right = right_labels(attack, truth)
    rows = breakdown_rows(right, roll_strata(world), "accuracy")
    for stratum in ("district", "age_band"):
        part = rows.filter(pl.col("group").str.starts_with(f"{stratum}="))
        assert part["rows"].sum() == truth.height
        assert part["successes"].sum() == right.height
    old = rows.filter(pl.col("group") == "age_band=80+").row(0, named=True)
    assert old["value"] > 0.3  # the very old are mostly pensioners, and the attack knows it
