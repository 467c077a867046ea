"""Every attack by its stable id: the function, its parameters and the auxiliary sources it needs.

Each function takes the attacker's view, the auxiliary data it was granted and a seeded generator,
in that order, and nothing from the truth; scoring is separate (:mod:`synth.measure`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from synth.attacks.attribute_inference import AttributeInferenceParams, attribute_inference
from synth.attacks.exact_linkage import exact_linkage
from synth.attacks.hash_reversal import hash_reversal
from synth.attacks.membership_inference import MembershipInferenceParams, membership_inference
from synth.attacks.probabilistic_linkage import ProbabilisticLinkageParams, probabilistic_linkage
from synth.attacks.reach import reach
from synth.attacks.singling_out import singling_out


@dataclass(frozen=True)
class AttackInfo:
    """An attack: ``function(view, aux, rng, ...)``, its parameter class (if any) and needed sources."""

    id: str
    function: Callable[..., Any]
    params: type | None
    sources: tuple[str, ...]
    summary: str


ATTACKS: dict[str, AttackInfo] = {
    a.id: a
    for a in (
        AttackInfo(
            "exact_linkage",
            exact_linkage,
            None,
            ("electoral_roll",),
            "Join the release to the electoral roll on every shared quasi-identifier; link where one entry matches.",
        ),
        AttackInfo(
            "probabilistic_linkage",
            probabilistic_linkage,
            ProbabilisticLinkageParams,
            ("electoral_roll",),
            "Fellegi-Sunter linkage to the roll with Splink (names with their spelling variants, age, gender, place).",
        ),
        AttackInfo(
            "singling_out",
            singling_out,
            None,
            (),
            "Released rows whose quasi-identifiers no other released row shares.",
        ),
        AttackInfo(
            "attribute_inference",
            attribute_inference,
            AttributeInferenceParams,
            ("electoral_roll",),
            "Learn a sensitive attribute from the release and predict it for every voter on the roll.",
        ),
        AttackInfo(
            "hash_reversal",
            hash_reversal,
            None,
            (),
            "Enumerate the numbering plan, hash every number as the policy did, and invert the digests.",
        ),
        AttackInfo(
            "membership_inference",
            membership_inference,
            MembershipInferenceParams,
            ("membership_targets",),
            "Flag targets whose closest synthetic record is nearest as members of the training rows.",
        ),
        AttackInfo(
            "reach",
            reach,
            None,
            (),
            "Who can now be phoned, addressed, and targeted as a vulnerable person.",
        ),
    )
}
