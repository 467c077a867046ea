"""The protection curve's figures (:mod:`synth.scenario.curve`): for each point, from no noise to the smallest
epsilon, what reconstruction rebuilt and attached to named voters, and what each of the scenario's purposes keeps
(ward planning's above all: the purpose published tables serve), each figure read the way the decision reads a
policy's (:func:`synth.measure.decision.decide`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from synth.measure.decision import DEFAULT_KEEP, Figure, decide
from synth.measure.names import RECONSTRUCTION
from synth.measure.pooled import pool_seeds

WARD_PLANNING = "ward_planning"


@dataclass(frozen=True)
class CurvePoint:
    """One epsilon (None: no noise) and its figures: the share of places rebuilt exactly, of rebuilt records that
    match a true record, of memberships attached to the right named voter (the exposure), and of each purpose
    kept (``keeps``, the scenario's purposes in its order)."""

    epsilon: float | None
    policy: str
    exact_places: Figure
    records_matched: Figure
    attached: Figure
    keeps: Mapping[str, Figure]

    @property
    def ward_planning(self) -> Figure:
        """The share of ward planning kept (the curve's own purpose, always in ``keeps``; not measured, with the
        reason, where the scenario's purposes leave it out)."""
        return self.keeps[WARD_PLANNING]


def curve_points(results: pl.DataFrame, resolved: Mapping[str, Any], notes: Sequence[str]) -> tuple[CurvePoint, ...]:
    """The curve of a run (its tidy results and ``scenario.resolved.json``); empty without a ``[curve]``."""
    curve = resolved.get("curve") or {}
    points = curve.get("points", [])
    if not points:
        return ()
    pooled = pool_seeds(results)
    kept = resolved.get("keep") or {}
    purposes = dict.fromkeys([*resolved.get("purposes", []), WARD_PLANNING])
    keep = {purpose: float(kept.get(purpose, DEFAULT_KEEP)) for purpose in purposes}
    ranked = {r.policy: r for r in decide(pooled, [(p["policy"], "counts") for p in points], keep, notes).ranking}
    out = []
    for p in points:
        row = ranked[p["policy"]]
        out.append(
            CurvePoint(
                p["epsilon"],
                p["policy"],
                _figure(pooled, p["policy"], "exact_places"),
                _figure(pooled, p["policy"], "records_matched"),
                row.exposure,
                row.keeps,
            )
        )
    return tuple(out)


def curve_json(points: Sequence[CurvePoint]) -> list[dict[str, Any]]:
    """Plain data for ``results.json``: each point's figures, ``ward_planning`` beside ``keeps``."""
    return [{**asdict(p), WARD_PLANNING: asdict(p.ward_planning)} for p in points]


def _figure(pooled: pl.DataFrame, policy: str, measure: str) -> Figure:
    rows = pooled.filter(
        (pl.col("policy") == policy)
        & (pl.col("attack") == RECONSTRUCTION)
        & (pl.col("measure") == measure)
        & (pl.col("group") == "all")
    )
    if rows.height == 0:
        return Figure(None, reason="reconstruction did not run on this policy")
    r = rows.row(0, named=True)
    return Figure(r["value"], r["ci_low"], r["ci_high"], f"reconstruction: {measure.replace('_', ' ')}")
