"""Every attack, registered once, and the order a chain of them runs in.

The scenario spec, the runner, ``synth list attacks``, the report and the measure names read attacks from
here; each attack's id, parameters and their defaults, the sources it needs and the facts it reads and adds
are written in its own module only.
"""

from __future__ import annotations

from collections.abc import Iterable

from synth.attacks import (
    attribute_inference,
    caller_id_lookup,
    composition,
    cross_release,
    exact_linkage,
    hash_reversal,
    membership_inference,
    probabilistic_linkage,
    reach,
    reconstruction,
    reidentification,
    singling_out,
)
from synth.attacks.base import Attack
from synth.attacks.linking import LinkageAttack

ATTACKS: dict[str, Attack] = {
    module.ATTACK.id: module.ATTACK
    for module in (
        hash_reversal,
        caller_id_lookup,
        exact_linkage,
        probabilistic_linkage,
        reidentification,
        singling_out,
        attribute_inference,
        membership_inference,
        reconstruction,
        reach,
    )
}
# Attacks on two releases at once, which a scenario of several releases runs (synth.scenario.composed_run): id ->
# what they do. They are not chained on one release and take no parameters.
ACROSS_RELEASES: dict[str, str] = {
    cross_release.ATTACK_ID: cross_release.SUMMARY,
    composition.ATTACK_ID: composition.SUMMARY,
}
# The attacks whose guesses are links to roll entries (re-identifications), in the registry's order.
LINKAGE: tuple[str, ...] = tuple(a.id for a in ATTACKS.values() if isinstance(a, LinkageAttack))
# The combined attack the report leads with.
HEADLINE = reidentification.ATTACK_ID


def run_order(ids: Iterable[str]) -> list[str]:
    """The attacks in the order their facts require: an attack that adds a fact runs before every attack
    that reads it; otherwise the registry's order. Raises ``ValueError`` on a cycle."""
    wanted = set(ids)
    todo = [a for a in ATTACKS if a in wanted]
    before = {b: {a for a in todo if a != b and set(ATTACKS[a].adds) & set(ATTACKS[b].reads)} for b in todo}
    order: list[str] = []
    while todo:
        ready = [a for a in todo if not before[a] - set(order)]
        if not ready:
            raise ValueError(f"attacks {', '.join(todo)} read facts that they add one another")
        order.append(ready[0])
        todo.remove(ready[0])
    return order


def chain_problems(ids: Iterable[str], granted: Iterable[str]) -> dict[str, list[str]]:
    """By attack: the sources it needs that are not granted, and the facts it needs that no attack of
    ``ids`` adds (re-identification needs a linkage attack)."""
    ids, granted = list(ids), set(granted)
    added = {fact for a in ids for fact in ATTACKS[a].adds}
    problems: dict[str, list[str]] = {}
    for a in ids:
        attack = ATTACKS[a]
        for source in attack.sources:
            if source not in granted:
                problems.setdefault(a, []).append(
                    f"needs the auxiliary source '{source}', which attacker.sources does not grant"
                )
        for fact in attack.needs:
            if fact not in added:
                makers = [b for b, other in ATTACKS.items() if fact in other.adds]
                problems.setdefault(a, []).append(
                    f"reads '{fact}', which no attack of this scenario adds; add one of {', '.join(makers)}"
                )
    return problems
