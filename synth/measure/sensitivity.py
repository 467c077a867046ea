"""The headlines of a sensitivity (:mod:`synth.scenario.sensitivity`): every policy's figures of the decision read
as central [lowest, highest] over the runs of every setting, with the assumption that moves each most."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

EXPOSURE = "exposure"  # the headline each assumption's worst and best ends are judged by


def headlines(central: Mapping[str, Any], summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each policy's headline figures: ``central`` (the scenario's run), ``low`` and ``high`` over every setting's
    run and the central one, each assumption's value at its low and high setting, and the assumption whose
    setting moves the figure most (``moves_most``; None where nothing moves it)."""
    runs = summary["decisions"]
    names = [a["name"] for a in summary["assumptions"]]
    out = []
    for row in central["ranking"]:
        for measure in (EXPOSURE, "contactable", "fraud_ready", *(f"keeps.{k}" for k in row["keeps"])):
            here = headline_value(central, row["policy"], measure)
            values = [v for d in runs.values() if (v := headline_value(d, row["policy"], measure)) is not None]
            every = [v for v in (here, *values) if v is not None]
            by = {
                n: [
                    headline_value(runs[f"{n}=low"], row["policy"], measure),
                    headline_value(runs[f"{n}=high"], row["policy"], measure),
                ]
                for n in names
            }
            swing = {n: abs(hi - lo) for n, (lo, hi) in by.items() if lo is not None and hi is not None}
            most = max(swing, key=lambda n: swing[n]) if swing and max(swing.values()) > 0 else None
            out.append(
                {
                    "policy": row["policy"],
                    "measure": measure,
                    "central": here,
                    "low": min(every) if every else None,
                    "high": max(every) if every else None,
                    "by_assumption": by,
                    "moves_most": most,
                }
            )
    return out


def headline_value(decision: Mapping[str, Any], policy: str | None, measure: str) -> float | None:
    """One headline of a decision (``results.json``'s ranking): ``exposure``, ``contactable``, ``fraud_ready`` or
    ``keeps.PURPOSE`` of ``policy`` (None where it is not measured or the policy is not ranked)."""
    row = next((r for r in decision.get("ranking", []) if r["policy"] == policy), None)
    if row is None:
        return None
    kept = measure.startswith("keeps.")
    figure = row["keeps"].get(measure.removeprefix("keeps."), {}) if kept else row[measure]
    value = figure.get("value")
    return None if value is None else float(value)
