"""The searched frontier's grid: candidates composed from the shipped steps and named for their options, the
Pareto rule, the policy files it writes, and every bad grid named with its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.policies.library import load_policy
from synth.scenario import ScenarioError, scenario_from_dict
from synth.scenario.search import pareto, policy_toml

BASE = {
    "spec_version": 1,
    "policies": ["as_exported"],
    "seeds": [1],
    "scenario": {"id": "s", "description": "a search"},
    "world": {"districts": ["Wayanad"], "seed": 3},
    "attacker": {"sources": ["electoral_roll", "caller_id"]},
    "attacks": {"caller_id_lookup": {}, "exact_linkage": {}, "reidentification": {}, "reach": {}},
}
FIELDS = "phone, name, age, gender, district, taluk, ward, local_body, registry"


def test_every_combination_of_the_grid_is_a_candidate_named_for_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "a test key")
    grid = {"drop": [[], ["name"]], "age": ["exact", "bands_5"], "phone": ["plain", "hmac"], "k": [0, 5]}
    s = scenario_from_dict({**BASE, "search": grid})
    assert s.search is not None
    ids = [p.id for p in s.search.candidates]
    assert len(ids) == 16 and len(set(ids)) == 16
    assert ids[:4] == ["search_as_exported", "search_k5", "search_hmac", "search_hmac_k5"]
    assert ids[-1] == "search_noname_age5_hmac_k5"
    assert [repr(step) for step in s.search.candidates[-1].steps] == [
        "DropColumns(columns=('name',))",
        "GeneralizeAge(column='age', mode='band', width=5, top=80, reference_year=2026)",
        "HashColumn(column='phone', method='hmac', salt_released=False, key_env='SYNTH_HMAC_KEY', key_file=None, "
        "random_state=0, iterations=10000, per_record_salt=False, with_column=None, key_leaked=False, key_name=None)",
        "KAnonymity(k=5, quasi_identifiers=('ward', 'age', 'gender'), max_suppression=0.01)",
    ]
    assert s.search.screen == ("caller_id_lookup", "exact_linkage", "reidentification", "reach")
    assert [p.id for p in s.policies] == ["as_exported"]  # candidates run apart, after the scenario


def test_the_frontier_is_every_point_no_other_beats_on_both() -> None:
    points = [
        ("a", 0.8, 1.0),
        ("b", 0.2, 1.0),  # beats a: less exposed, keeps as much
        ("c", 0.2, 1.0),  # ties with b on both: both stay
        ("d", 0.0, 0.3),
        ("e", 0.1, 0.3),  # d beats it
        ("f", 0.5, 0.5),  # b beats it
    ]
    assert pareto(points) == ["b", "c", "d"]
    assert pareto([]) == []


def test_a_candidate_is_written_as_a_policy_file_synth_run_reads_back(tmp_path: Path) -> None:
    s = scenario_from_dict({**BASE, "search": {"drop": [[], ["name"]], "place": ["ward", "taluk"], "k": [10]}})
    assert s.search is not None
    policy = s.search.candidates[-1]
    path = tmp_path / f"{policy.id}.toml"
    path.write_text(policy_toml(policy), encoding="utf-8")
    again = load_policy(path)
    assert (
        (again.id, again.description)
        == (policy.id, policy.description)
        == (
            "search_noname_taluk_k10",
            "Searched candidate: without name; places to taluk; 10-anonymous over place, age and gender.",
        )
    )
    assert [repr(step) for step in again.steps] == [repr(step) for step in policy.steps]


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ({}, "<dict>: search = {}: the grid makes 1 candidate; a search needs at least 2"),
        ({"age": []}, "<dict>: search.age = []: must list at least one option of exact, bands_5, bands_10, drop"),
        (
            {"age": ["exact", "bands_3"]},
            "<dict>: search.age = 'bands_3': unknown option; allowed are exact, bands_5, bands_10, drop "
            "(did you mean 'bands_5'?)",
        ),
        (
            {"drop": [[], ["phone"]], "phone": ["plain", "hmac"]},
            "<dict>: search.drop = ['phone']: contradicts search.phone, which varies phone (give its drop there: "
            "phone = [..., 'drop'])",
        ),
        (
            {"drop": [["ward"]], "place": ["ward", "taluk"]},
            "<dict>: search.drop = ['ward']: contradicts search.place, which varies the places (coarsen there instead)",
        ),
        (
            {"drop": [[], ["wrd"]]},
            f"<dict>: search.drop = ['wrd']: 'wrd' is not a field of the release; allowed are {FIELDS}",
        ),
        (
            {"blur": ["ward"], "age": ["exact", "bands_5"]},
            "<dict>: search.blur = ['ward']: unknown key; allowed are drop, age, place, phone, k, screen (no step "
            "'blur' to search over)",
        ),
        ({"k": [0, 1]}, "<dict>: search.k = 1: must be 0 (no k-anonymity) or a whole number of at least 2"),
        (
            {"age": ["exact", "bands_5"], "screen": ["singling_out"]},
            "<dict>: search.screen = 'singling_out': not an attack of this scenario; allowed are caller_id_lookup, "
            "exact_linkage, reidentification, reach",
        ),
    ],
)
def test_a_bad_grid_is_named(search: object, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({**BASE, "search": search})
    assert str(caught.value) == message
