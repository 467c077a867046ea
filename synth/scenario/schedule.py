"""In which order a run hands its groups of cells (one per seed and policy) to the workers.

The order changes no result (each group's random numbers are its own, and the result store gives every group the
same frames whoever computed them), only how long the workers wait for one another.
"""

from __future__ import annotations

from collections.abc import Sequence

from synth.policies.base import Policy

CONTACT_COLUMNS = frozenset({"phone"})


def recodes_contacts_only(policy: Policy) -> bool:
    """Whether every step of ``policy`` reads nothing but the phone column (dropping, masking, hashing or
    tokenizing it) and releases rows: its rows then hold the names, ages and places of the release without it, so
    its linkage, singling out and inference are those of that release, read back from the result store."""
    return bool(policy.steps) and all(
        step.releases == "rows" and set(step.required_columns()) and set(step.required_columns()) <= CONTACT_COLUMNS
        for step in policy.steps
    )


def submission_order(policies: Sequence[Policy], seeds: Sequence[int]) -> list[tuple[int, int]]:
    """The groups ``(seed, policy index)`` in the order to submit them: the scenario's order, except that the
    policies that recode contacts only (:func:`recodes_contacts_only`) come after every other group.

    Submitted beside the policy whose attacks' results they share, such a group waits, its worker idle, while the
    other computes them; submitted last, it reads them back and fills the end of the run, when the other workers
    finish their own last groups. Measured on ``ci_smoke`` (2 workers): ``hash_plain`` beside ``as_exported``
    spent 4 of its 6.7 seconds waiting.

    Examples
    --------
    >>> from synth.policies import load_policy
    >>> policies = [load_policy(p) for p in ("as_exported", "hash_plain", "k5", "sdv_copula")]
    >>> submission_order(policies, [1])
    [(1, 0), (1, 2), (1, 3), (1, 1)]
    """
    groups = [(seed, i) for seed in seeds for i in range(len(policies))]
    return sorted(groups, key=lambda group: recodes_contacts_only(policies[group[1]]))
