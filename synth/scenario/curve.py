"""The protection curve of differential privacy: a scenario's published tables, released again with noise at each
of a list of epsilons, every point attacked like a policy, so that reconstruction and ward planning can be read
against each other from no noise to much.

A scenario asks for it with::

    [curve]
    epsilons = [0.1, 0.5, 1, 2, 5, 10]   # positive, each a policy of its own
    base = "ward_tables"                 # a policy of the scenario that publishes tables (default: the first)

Each epsilon is the base's tables through ``dp_counts`` with that budget for all tables together; the base itself
is the point of no noise. A point whose steps are those of a policy the scenario already runs reuses its figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from synth.checks import number
from synth.policies.base import Policy
from synth.policies.library import policy_from_dict
from synth.policies.tables import PublishTables
from synth.scenario.problem import Problem, checked_table

CURVE_KEYS = ("epsilons", "base")


@dataclass(frozen=True)
class CurvePoint:
    """One point of the curve: its epsilon (None: no noise, the base) and the policy whose figures give it."""

    epsilon: float | None
    policy: str


@dataclass(frozen=True)
class CurvePlan:
    """The base, the points from no noise to the smallest epsilon's, and the policies that must run for them."""

    base: str
    points: tuple[CurvePoint, ...]
    policies: tuple[Policy, ...]


def plan_curve(raw: Any, policies: Sequence[Policy], add: Problem) -> CurvePlan | None:
    """The curve of a scenario's ``[curve]`` table; every problem goes to ``add`` (None when there is one).

    Parameters
    ----------
    raw
        The ``[curve]`` table as read.
    policies
        The scenario's policies (the base is one of them).
    add
        Where problems go, as ``add(key, value, allowed, name, options)``.
    """
    raw = checked_table(raw, "curve", CURVE_KEYS, "must be a table with epsilons (and base)", add)
    if raw is None:
        return None
    tables = {p.id: step for p in policies for step in p.steps if isinstance(step, PublishTables)}
    base_id = raw.get("base", next(iter(tables), None))
    if base_id not in tables:
        allowed = ", ".join(tables) or "none: add one, e.g. ward_tables"
        add("curve.base", base_id, f"not a policy of this scenario that publishes tables; allowed are {allowed}")
    epsilons = raw.get("epsilons")
    if not isinstance(epsilons, list) or not epsilons:
        add("curve.epsilons", epsilons, "must be a non-empty list of positive numbers, e.g. [0.1, 1, 10]")
        return None
    bad = [e for e in epsilons if not (number(e) and e > 0)]
    for e in bad:
        add("curve.epsilons", e, "must be a positive number (epsilon = 0 would publish nothing but noise)")
    if len(set(epsilons)) != len(epsilons):
        add("curve.epsilons", epsilons, "an epsilon is given twice")
    if bad or base_id not in tables:
        return None
    return _plan(str(base_id), tables[str(base_id)], sorted(float(e) for e in set(epsilons))[::-1], policies)


def _plan(base: str, step: PublishTables, epsilons: list[float], policies: Sequence[Policy]) -> CurvePlan:
    same = {_signature(p): p.id for p in policies}
    points, variants = [CurvePoint(None, base)], []
    for epsilon in epsilons:
        policy = policy_from_dict(
            {
                "policy": {
                    "id": f"curve_eps{epsilon:g}",
                    "description": f"{base}'s tables with discrete Laplace noise, epsilon = {epsilon:g} (the curve)",
                },
                "steps": [
                    {
                        "step": "dp_counts",
                        "tables": [list(t) for t in step.tables],
                        "by": list(step.by),
                        "age_width": step.age_width,
                        "epsilon": epsilon,
                    }
                ],
            }
        )
        known = same.get(_signature(policy))
        if known is None:
            variants.append(policy)
        points.append(CurvePoint(epsilon, known or policy.id))
    return CurvePlan(base, tuple(points), tuple(variants))


def _signature(policy: Policy) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """A policy's steps and parameters, numbers compared as numbers (epsilon = 1 is epsilon = 1.0)."""
    return tuple(
        (s.step, tuple((k, repr(float(v) if number(v) else v)) for k, v in s.get_params().items()))
        for s in policy.steps
    )
