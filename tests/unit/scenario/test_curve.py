"""The protection curve's plan: a point per epsilon from the base's tables, largest first after the base (no
noise), a point equal to a policy of the scenario reusing it, and every bad key named."""

from __future__ import annotations

from typing import Any

from synth.policies.library import load_policy
from synth.scenario.curve import CurvePoint, plan_curve


def _plan(raw: Any, ids: list[str]) -> tuple[Any, list[str]]:
    problems: list[str] = []

    def add(key: str, value: Any, allowed: str, name: str | None = None, options: Any = ()) -> None:
        problems.append(f"{key} = {value!r}: {allowed}")

    return plan_curve(raw, [load_policy(i) for i in ids], add), problems


def test_points_run_from_no_noise_down_and_reuse_a_policy_the_scenario_runs() -> None:
    plan, problems = _plan({"epsilons": [0.5, 1, 10]}, ["as_exported", "ward_tables", "dp_tables_eps1"])
    assert problems == []
    assert plan.base == "ward_tables"
    assert plan.points == (
        CurvePoint(None, "ward_tables"),
        CurvePoint(10.0, "curve_eps10"),
        CurvePoint(1.0, "dp_tables_eps1"),  # the same steps as a policy of the scenario: its figures
        CurvePoint(0.5, "curve_eps0.5"),
    )
    assert [p.id for p in plan.policies] == ["curve_eps10", "curve_eps0.5"]
    (step,) = plan.policies[0].steps
    assert step.get_params()["epsilon"] == 10.0 and step.get_params()["tables"] == [
        ["age", "gender"],
        ["registry", "gender"],
        ["registry", "age"],
    ]


def test_every_bad_key_is_named() -> None:
    plan, problems = _plan({"epsilons": [], "bse": "x"}, ["ward_tables"])
    assert plan is None
    assert problems == [
        "curve.bse = 'x': unknown key; allowed are epsilons, base",
        "curve.epsilons = []: must be a non-empty list of positive numbers, e.g. [0.1, 1, 10]",
    ]
    plan, problems = _plan({"epsilons": [1, 1, -2], "base": "as_exported"}, ["as_exported", "ward_tables"])
    assert plan is None
    assert problems == [
        "curve.base = 'as_exported': not a policy of this scenario that publishes tables; allowed are ward_tables",
        "curve.epsilons = -2: must be a positive number (epsilon = 0 would publish nothing but noise)",
        "curve.epsilons = [1, 1, -2]: an epsilon is given twice",
    ]
