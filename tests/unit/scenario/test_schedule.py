"""The order a run hands its groups to the workers: the scenario's, with the policies that recode contacts only
last (they read back the results of the release they share everything else with)."""

from __future__ import annotations

from synth.policies import load_policy, policy_ids
from synth.scenario.schedule import recodes_contacts_only, submission_order


def test_the_shipped_policies_that_recode_contacts_only() -> None:
    assert [p for p in policy_ids() if recodes_contacts_only(load_policy(p))] == [
        "drop_phone",
        "mask_phone",
        "hash_plain",
        "hash_salted_released",
        "hash_pbkdf2",
        "hmac",
        "tokenize",
    ]


def test_groups_that_recode_contacts_only_are_submitted_last_in_the_scenarios_order() -> None:
    policies = [load_policy(p) for p in ("as_exported", "hash_plain", "k5", "mask_phone", "sdv_copula")]
    assert submission_order(policies, [7, 3]) == [
        (7, 0),
        (7, 2),
        (7, 4),
        (3, 0),
        (3, 2),
        (3, 4),
        (7, 1),
        (7, 3),
        (3, 1),
        (3, 3),
    ]
    assert submission_order(policies[2:3], [1]) == [(1, 0)]
