"""Every attack runs on a real release with the world's tables and every Parquet reader booby-trapped:
an attack that reaches for the truth key or the true person table fails this test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synth import World, open_world
from synth.attacks.attribute_inference import AttributeInferenceParams
from synth.attacks.auxiliary import AuxiliaryData, auxiliary_from_world
from synth.attacks.probabilistic_linkage import ProbabilisticLinkageParams
from synth.attacks.registry import ATTACKS
from synth.errors import TruthLeakError
from synth.measure.membership import membership_split, membership_targets
from synth.policies.apply import minimize
from synth.policies.library import load_policy
from synth.release import ReleaseSpec, make_release
from synth.release.build import AttackerView
from synth.release.spec import EXPORT_FIELDS
from synth.world.phones import load_plan


def _trap(*args: object, **kwargs: object) -> None:
    raise AssertionError("an attack reached for the world's tables")


def test_no_attack_touches_the_world(small_world_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = open_world(small_world_dir)
    release = make_release(world, ReleaseSpec(fields=(*EXPORT_FIELDS, "scheme")))
    aux = auxiliary_from_world(world)
    hashed = minimize(release, load_policy("hash_plain")).view
    plan = load_plan(world.manifest["build"]["phone_plan"])
    rng = np.random.default_rng(0)
    split = membership_split(release, rng)
    targets = membership_targets(split, 50, rng)
    view = release.attacker_view()

    for name in ("table", "place_names", "verify"):
        monkeypatch.setattr(World, name, _trap)
    for name in ("people", "households", "electoral_roll", "caller_id"):
        monkeypatch.setattr(World, name, property(_trap))
    for reader in ("scan_parquet", "read_parquet", "scan_csv", "read_csv"):
        monkeypatch.setattr(pl, reader, _trap)

    runs = {
        "exact_linkage": lambda: ATTACKS["exact_linkage"].function(view, aux, rng),
        "probabilistic_linkage": lambda: ATTACKS["probabilistic_linkage"].function(
            view, aux, rng, ProbabilisticLinkageParams(max_pairs=1e4)
        ),
        "singling_out": lambda: ATTACKS["singling_out"].function(view, aux, rng),
        "attribute_inference": lambda: ATTACKS["attribute_inference"].function(
            view, aux, rng, AttributeInferenceParams("pension_scheme")
        ),
        "hash_reversal": lambda: ATTACKS["hash_reversal"].function(hashed, aux, rng, plan, budget=100_000),
        "membership_inference": lambda: ATTACKS["membership_inference"].function(
            view, AuxiliaryData(membership_targets=targets.records), rng
        ),
        "reach": lambda: ATTACKS["reach"].function(view, aux, rng),
    }
    assert set(runs) == set(ATTACKS)
    for attack_id, run in runs.items():
        result = run()
        assert result is not None, attack_id


def test_the_truth_cannot_be_handed_to_an_attack(small_world_dir: Path) -> None:
    world = open_world(small_world_dir)
    release = make_release(world)
    with pytest.raises(TruthLeakError, match=r"must not hold the truth: column\(s\) person_id"):
        AttackerView(release.data.join(release.truth.select("row_id", "person_id"), on="row_id"))
    people = world.people.select("person_id", "name").collect()
    with pytest.raises(TruthLeakError, match="auxiliary source 'electoral_roll' must not hold the truth: person_id"):
        AuxiliaryData(electoral_roll=people)
    with pytest.raises(TruthLeakError, match="auxiliary source 'caller_id' must not hold the truth: person_id"):
        AuxiliaryData(caller_id=people)
