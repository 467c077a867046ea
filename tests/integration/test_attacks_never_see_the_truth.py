"""Every attack runs on a real release with the world's tables and every Parquet reader booby-trapped:
an attack that reaches for the truth key or the true person table fails this test."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synth import World, open_world
from synth.attacks.attribute_inference import AttributeInferenceParams, attribute_inference
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Cell
from synth.attacks.caller_id_lookup import _words
from synth.attacks.exact_linkage import exact_linkage
from synth.attacks.hash_reversal import hash_reversal
from synth.attacks.hash_schemes import numbers_in_use
from synth.attacks.knowledge import Knowledge
from synth.attacks.membership_inference import membership_inference
from synth.attacks.probabilistic_linkage import ProbabilisticLinkageParams, probabilistic_linkage
from synth.attacks.reach import reach
from synth.attacks.reconstruction import attach, reconstruction
from synth.attacks.registry import ATTACKS
from synth.attacks.singling_out import singling_out
from synth.core.numbering import load_plan
from synth.errors import TruthLeakError
from synth.policies.apply import minimize
from synth.policies.library import load_policy
from synth.release import ReleaseSpec, make_release
from synth.release.build import TRUTH_COLUMNS, AttackerView
from synth.release.spec import EXPORT_FIELDS
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scoring.membership import membership_split, membership_targets


def _frames(result: object) -> list[pl.DataFrame]:
    """Every frame an attack returned: itself, or the frames among a result's fields or a tuple's items."""
    if isinstance(result, pl.DataFrame):
        return [result]
    if isinstance(result, tuple):
        return [f for item in result for f in _frames(item)]
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return [f for field in dataclasses.fields(result) for f in _frames(getattr(result, field.name))]
    return []


def _rebuilt_and_attached(
    tables: AttackerView, aux: AuxiliaryData, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Reconstruction's records, and the registries it attaches to voters (keyed by roll entry)."""
    found = reconstruction(tables, aux, rng)
    assert aux.electoral_roll is not None
    return found, attach(found, aux.electoral_roll, ["local_body", "ward"], "count", 0.5)


def _trap(*args: object, **kwargs: object) -> None:
    raise AssertionError("an attack reached for the world's tables")


@pytest.mark.slow
def test_no_attack_touches_the_world(small_world_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = open_world(small_world_dir)
    release = make_release(world, ReleaseSpec(fields=(*EXPORT_FIELDS, "scheme")))
    aux = auxiliary_from_world(world)
    hashed = minimize(release, load_policy("hash_plain")).view
    plan = load_plan(world.manifest["build"]["phone_plan"])
    universe = numbers_in_use(world.people)
    rng = np.random.default_rng(0)
    split = membership_split(release, rng)
    targets = membership_targets(split, 50, rng)
    view = release.attacker_view()
    tables = minimize(release, load_policy("ward_tables")).view

    _words()  # the public word lists of roles and relation words are read once, before the traps are set
    for name in ("table", "place_names", "verify"):
        monkeypatch.setattr(World, name, _trap)
    for name in ("people", "households", "electoral_roll", "caller_id"):
        monkeypatch.setattr(World, name, property(_trap))
    for reader in ("scan_parquet", "read_parquet", "scan_csv", "read_csv"):
        monkeypatch.setattr(pl, reader, _trap)

    runs = {
        "exact_linkage": lambda: exact_linkage(view, aux, rng),
        "probabilistic_linkage": lambda: probabilistic_linkage(
            view, aux, rng, ProbabilisticLinkageParams(max_pairs=1e4)
        ),
        "singling_out": lambda: singling_out(view, aux, rng),
        "attribute_inference": lambda: attribute_inference(view, aux, rng, AttributeInferenceParams("pension_scheme")),
        "hash_reversal": lambda: hash_reversal(hashed, aux, rng, plan, budget="full", universe=universe),
        "membership_inference": lambda: membership_inference(
            view, AuxiliaryData(membership_targets=targets.records), rng
        ),
        "reach": lambda: reach(view, aux, rng),
        "reconstruction": lambda: _rebuilt_and_attached(tables, aux, rng),
    }
    for attack_id, run in runs.items():
        frames = _frames(run())
        # each attack made guesses keyed by released rows, voters or targets, and none carries a truth column
        assert frames, attack_id
        assert any({"row_id", "epic", "target_id"} & set(frame.columns) for frame in frames), attack_id
        assert not [c for frame in frames for c in frame.columns if c in TRUTH_COLUMNS], attack_id
    # the chain through the registry's objects: what each attack is given holds no truth either
    knowledge = Knowledge.from_view(hashed)
    for attack_id in ("hash_reversal", "caller_id_lookup", "exact_linkage", "reidentification", "reach"):
        attack = ATTACKS[attack_id]
        cell = Cell(hashed, aux, knowledge, rng, plan=plan, universe=lambda: universe)
        knowledge = attack.run(cell, attack.parameters({})).knowledge
    assert set(runs) | {"caller_id_lookup", "reidentification"} == set(ATTACKS)
    assert knowledge.facts["epic"].is_not_null().sum() > 0


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
