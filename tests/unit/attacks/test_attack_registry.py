"""Every attack has the same signature: the attacker's view, the granted auxiliary data, a generator,
and nothing that could carry the truth."""

from __future__ import annotations

import inspect

import pytest

from synth.attacks.registry import ATTACKS

STABLE_IDS = [
    "exact_linkage",
    "probabilistic_linkage",
    "singling_out",
    "attribute_inference",
    "hash_reversal",
    "membership_inference",
    "reach",
]
TRUTH_WORDS = ("World", "Release", "truth", "person")


def test_the_stable_ids() -> None:
    assert list(ATTACKS) == STABLE_IDS
    assert all(info.id == key and info.function.__module__ == f"synth.attacks.{key}" for key, info in ATTACKS.items())


@pytest.mark.parametrize("attack_id", STABLE_IDS)
def test_signature_takes_the_view_the_auxiliary_data_and_a_generator_only(attack_id: str) -> None:
    params = list(inspect.signature(ATTACKS[attack_id].function).parameters.values())
    assert [(p.name, p.annotation) for p in params[:3]] == [
        ("view", "AttackerView"),
        ("aux", "AuxiliaryData"),
        ("rng", "np.random.Generator"),
    ]
    for p in params[3:]:  # parameters, a numbering plan, what other attacks recovered: never the truth
        assert not any(word in f"{p.name} {p.annotation}" for word in TRUTH_WORDS), p
