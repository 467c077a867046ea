"""Scenario files: the shipped ones load; bad ones are rejected with every problem listed at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.attacks.attribute_inference import AttributeInferenceParams
from synth.attacks.exact_linkage import ExactLinkageParams
from synth.scenario import ScenarioError, load_scenario, scenario_from_dict

SCENARIOS = Path(__file__).parents[3] / "scenarios"
GOOD = {
    "spec_version": 1,
    "policies": ["as_exported", "k5"],
    "seeds": [1, 2],
    "scenario": {"id": "t", "description": "a test"},
    "world": {"districts": ["Wayanad"], "seed": 3},
    "attacker": {"sources": ["electoral_roll"], "coverage": {"electoral_roll": 0.5}},
    "attacks": {"exact_linkage": {}, "attribute_inference": {"secret": "womens_scheme"}},
    "thresholds": {"exact_linkage.correct": 10},
}


@pytest.mark.parametrize(
    "name",
    [
        "kerala_2026_export",
        "kerala_2026_search",
        "kerala_2026_tables",
        "sthree_suraksha_2026",
        "quarantine_2020",
        "hashed_contacts",
        "ci_smoke",
    ],
)
def test_shipped_scenarios_load(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "a test key")  # the hmac policy refuses to load without one
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    assert scenario.id == name and scenario.policies and scenario.attacks


def test_a_good_scenario() -> None:
    s = scenario_from_dict(GOOD)
    assert (s.world.spec.districts, s.world.spec.seed, s.seeds) == (("Wayanad",), 3, (1, 2))
    assert [p.id for p in s.policies] == ["as_exported", "k5"]
    assert s.coverage == {"electoral_roll": 0.5}
    assert s.attacks == {
        "exact_linkage": ExactLinkageParams(),
        "attribute_inference": AttributeInferenceParams(secret="womens_scheme"),
    }
    assert s.thresholds == {"exact_linkage.correct": 10.0}
    assert s.purposes == ("outreach", "ward_planning", "research")


def test_every_problem_is_listed_at_once() -> None:
    bad = {
        "spec_version": 2,
        "wrld": 1,
        "policies": ["as_exportd"],
        "seeds": [1, 1],
        "purposes": ["wards"],
        "scenario": {"id": "t t"},
        "world": {"districts": ["Wayand"], "seed": -1},
        "attacker": {"sources": ["electoral_roll"], "coverage": {"electoral_roll": 2}},
        "attacks": {"exact_linkag": {}, "attribute_inference": {"secret": "widow", "modle": 1}},
        "thresholds": {"attribute_inference.recal": 0.1, "attribute_inference.recall": "x", "reach.k": 1},
    }
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(bad, "bad.toml")
    assert str(err.value).splitlines() == [
        "bad.toml: wrld = 1: unknown key; allowed are spec_version, scenario, world, release, recipient, attacker, "
        "policies, inline_policies, attacks, purposes, seeds, thresholds, whatif, curve, search, releases, "
        "composition, sensitivity (did you mean 'world'?)",
        "bad.toml: spec_version = 2: must be 1",
        "bad.toml: scenario.id = 't t': must be a name of letters, digits, '_' and '-'",
        "bad.toml: world.seed = -1: must be a whole number from 0 to 2**32 - 1",
        "bad.toml: world.districts = 'Wayand': unknown district; allowed are Thiruvananthapuram, Kollam, "
        "Pathanamthitta, Alappuzha, Kottayam, Idukki, Ernakulam, Thrissur, Palakkad, Malappuram, Kozhikode, "
        "Wayanad, Kannur, Kasaragod (did you mean 'Wayanad'?)",
        "bad.toml: attacker.coverage.electoral_roll = 2: must be a share above 0 and at most 1",
        "bad.toml: policies = 'as_exportd': unknown policy; allowed are as_exported, drop_names, drop_phone, "
        "mask_phone, hash_plain, hash_salted_released, hash_pbkdf2, hash_phone_dob, hmac, tokenize, age_bands_5, "
        "local_body_not_ward, k5, k10, sdv_copula, dp_counts_eps1, ward_tables, ward_tables_suppressed, "
        "dp_tables_eps0.1, dp_tables_eps1, dp_tables_eps10, controller_sends or the path of a policy TOML file "
        "(did you mean 'as_exported'?)",
        "bad.toml: attacks.exact_linkag = {}: unknown attack; allowed are hash_reversal, caller_id_lookup, "
        "exact_linkage, probabilistic_linkage, reidentification, singling_out, attribute_inference, "
        "membership_inference, reconstruction, reach (did you mean 'exact_linkage'?)",
        "bad.toml: attacks.attribute_inference.modle = 1: unknown parameter; allowed are secret, model, "
        "max_train_rows (did you mean 'model'?)",
        "bad.toml: attacks.attribute_inference.secret = 'widow': unknown secret; allowed are widowhood, disability, "
        "womens_scheme, pension_scheme (did you mean 'widowhood'?)",
        "bad.toml: purposes = 'wards': unknown name; allowed are outreach, ward_planning, research",
        "bad.toml: seeds = [1, 1]: a seed is given twice",
        "bad.toml: thresholds.attribute_inference.recal = 0.1: names no measure; see synth list measures "
        "(did you mean 'recall'?)",
        "bad.toml: thresholds.attribute_inference.recall = 'x': must be a number (the largest value allowed)",
        "bad.toml: thresholds.reach.k = 1: names no attack of this scenario; attacks are attribute_inference",
    ]


def test_toml_table_scope_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('spec_version = 1\n[scenario]\nid = "x"\n[attacks.reach]\npolicies = ["k5"]\n', encoding="utf-8")
    with pytest.raises(
        ScenarioError,
        match=r"attacks\.reach\.policies = \['k5'\]: unknown parameter; "
        r"allowed are none \('policies' is a top-level key: in TOML it must come before the first",
    ):
        load_scenario(path)


def test_policies_must_fit_the_release_and_attacks_need_their_sources(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "release": {"fields": ["age", "gender", "registry"]},
        "policies": ["hash_plain"],
        "attacker": {"sources": ["caller_id"]},
        "attacks": {"exact_linkage": {}},
        "thresholds": {},
    }
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(bad, "s.toml")
    assert str(err.value).splitlines() == [
        "s.toml: attacks.exact_linkage: needs the auxiliary source 'electoral_roll', which attacker.sources "
        "does not grant",
        "s.toml: policies: policy 'hash_plain', step 1 (hash): column 'phone' is not in the release "
        "(it has row_id, age, gender, registry)",
    ]


def test_a_chain_needs_its_sources_and_a_budget_is_full_or_whole(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "attacker": {"sources": ["electoral_roll"]},
        "attacks": {"caller_id_lookup": {}, "reidentification": {}, "hash_reversal": {"budget": "half"}},
        "thresholds": {},
    }
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(bad, "s.toml")
    assert str(err.value).splitlines() == [
        "s.toml: attacks.hash_reversal.budget = 'half'; allowed is \"full\" or a positive whole number of candidates",
        "s.toml: attacks.caller_id_lookup: needs the auxiliary source 'caller_id', which attacker.sources does not "
        "grant",
        "s.toml: attacks.reidentification: reads 'epic', which no attack of this scenario adds; add one of "
        "exact_linkage, probabilistic_linkage",
    ]
    for budget in (0, -3, 2.5, True):
        with pytest.raises(ScenarioError) as err:
            scenario_from_dict({**bad, "attacks": {"hash_reversal": {"budget": budget}}}, "s.toml")
        assert str(err.value) == (
            f's.toml: attacks.hash_reversal.budget = {budget!r}; allowed is "full" or a positive whole number '
            "of candidates"
        )
    ok = scenario_from_dict({**bad, "attacks": {"hash_reversal": {"budget": 5_000}}}, "s.toml")
    assert ok.attacks["hash_reversal"].budget == 5_000


def test_the_hmac_key_is_needed_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNTH_HMAC_KEY", raising=False)
    with pytest.raises(ScenarioError, match="policy 'hmac', step 1 \\(hash\\): no HMAC key: set the environment"):
        load_scenario(SCENARIOS / "hashed_contacts.toml")


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope\.toml: scenario file not found"):
        load_scenario(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("spec_version = = 1", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken\.toml: not valid TOML"):
        load_scenario(broken)


def test_each_purpose_may_set_the_share_a_policy_must_keep_to_serve_it() -> None:
    listed = scenario_from_dict(GOOD)
    assert listed.keep == {"outreach": 0.9, "ward_planning": 0.9, "research": 0.9}
    tables = scenario_from_dict({**GOOD, "purposes": {"outreach": {"keep": 0.95}, "research": {}}})
    assert (tables.purposes, tables.keep) == (("outreach", "research"), {"outreach": 0.95, "research": 0.9})


@pytest.mark.parametrize(
    ("purposes", "message"),
    [
        (
            {"outreach": {"keep": 1.5}},
            "<dict>: purposes.outreach.keep = 1.5: must be a share in (0, 1]: the least a policy must keep to serve it",
        ),
        (
            {"outreach": {"keep": 0}},
            "<dict>: purposes.outreach.keep = 0: must be a share in (0, 1]: the least a policy must keep to serve it",
        ),
        (
            {"outreach": {"keep": "most"}},
            "<dict>: purposes.outreach.keep = 'most': must be a share in (0, 1]: the least a policy must keep to "
            "serve it",
        ),
        (
            {"outreach": {"kep": 0.9}},
            "<dict>: purposes.outreach.kep = 0.9: unknown key; allowed are keep (did you mean 'keep'?)",
        ),
        (
            {"wards": {"keep": 0.9}},
            "<dict>: purposes.wards = {'keep': 0.9}: unknown purpose; allowed are outreach, ward_planning, research",
        ),
        ({"outreach": 0.9}, "<dict>: purposes.outreach = 0.9: must be a table (for example keep = 0.9)"),
    ],
)
def test_a_bad_keep_is_named(purposes: object, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({**GOOD, "purposes": purposes})
    assert str(caught.value) == message


def test_a_whatif_tries_each_field_alone_and_reuses_a_policy_that_makes_the_same_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "a test key")
    raw = {**GOOD, "policies": ["as_exported", "hmac", "age_bands_5"], "whatif": {"fields": ["phone", "age"]}}
    s = scenario_from_dict(raw)
    assert s.whatif is not None and s.whatif.base == "as_exported"  # the first policy, unless named
    assert [(w.field, w.change, w.policy) for w in s.whatif.items] == [
        ("phone", "drop", "whatif_phone_drop"),
        ("phone", "masked", "whatif_phone_masked"),
        ("phone", "hmac", "hmac"),  # the scenario runs it already
        ("age", "drop", "whatif_age_drop"),
        ("age", "bands_5", "age_bands_5"),
        ("age", "bands_10", "whatif_age_bands_10"),
    ]
    assert [p.id for p in s.policies] == [
        "as_exported",
        "hmac",
        "age_bands_5",
        "whatif_phone_drop",
        "whatif_phone_masked",
        "whatif_age_drop",
        "whatif_age_bands_10",
    ]
    assert [repr(step) for step in s.policies[-1].steps] == [
        "GeneralizeAge(column='age', mode='band', width=10, top=80, reference_year=2026)"
    ]


FIELDS = "phone, name, age, gender, district, taluk, ward, local_body, registry"


@pytest.mark.parametrize(
    ("whatif", "message"),
    [
        (
            {"fields": ["wrd"]},
            f"<dict>: whatif.fields = 'wrd': not a field of the release; allowed are {FIELDS} (did you mean 'ward'?)",
        ),
        (
            {"fields": ["ward"], "base": "k6"},
            "<dict>: whatif.base = 'k6': not a policy of this scenario; allowed are as_exported, k5",
        ),
        (
            {"fields": ["name"], "base": "k5"},
            "<dict>: whatif.fields = 'name': the base policy 'k5' does not release it (it releases age, gender, "
            "district, taluk, local_body, registry)",
        ),
        (
            {"fields": []},
            f"<dict>: whatif.fields = []: must be a non-empty list of fields of the release ({FIELDS})",
        ),
        (
            {"fields": ["age"], "bse": "k5"},
            "<dict>: whatif.bse = 'k5': unknown key; allowed are fields, base (did you mean 'base'?)",
        ),
        (["age"], "<dict>: whatif = ['age']: must be a table with fields (and base)"),
        ({"fields": ["age", "age"]}, "<dict>: whatif.fields = ['age', 'age']: a field is given twice"),
    ],
)
def test_a_bad_whatif_is_named(whatif: object, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({**GOOD, "whatif": whatif})
    assert str(caught.value) == message
