"""The range of every headline over plausible assumptions: a scenario's policies run again on worlds whose roll and
caller-ID directory are built under other settings (:func:`synth.world.plan.noise_assumptions`).

A scenario asks for it with, per assumption, its low and high setting (the central one is the scenario's world)::

    [sensitivity]
    "electoral_roll.moved_share" = [0.01, 0.10]
    "electoral_roll.variant_share" = [0.05, 0.30]

Each assumption is set low, then high, the others central (one at a time); then every assumption at the end that
exposed more people (its worst), and every one at the other end (its best). Each setting is a world of its own
(built and cached like the scenario's) over the same people, and a run of the scenario's own policies, seeds and
attacks on it, under ``OUT/sensitivity/TAG``. Every headline of the decision (each policy's re-identification,
contactable, fraud-ready and what it keeps of each purpose) is then read as central [lowest, highest] over the
runs, with the assumption whose range moves it most (:func:`synth.measure.sensitivity.headlines`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synth.checks import is_share
from synth.engine.io import atomic_text
from synth.errors import SynthError
from synth.measure.sensitivity import EXPOSURE, headline_value
from synth.scenario.check import decision_of
from synth.scenario.problem import Problem
from synth.world.plan import WorldSpec, describe_assumptions, noise_assumptions
from synth.world.preset import load_preset

SENSITIVITY_DIR = "sensitivity"


@dataclass(frozen=True)
class Assumption:
    """One assumption's central setting (the scenario's world's) and the low and high ones to try."""

    name: str
    central: float
    low: float
    high: float


@dataclass(frozen=True)
class SensitivityPlan:
    """The assumptions varied, in the scenario's order."""

    assumptions: tuple[Assumption, ...]


def plan_sensitivity(raw: Any, world: WorldSpec, path: str | None, add: Problem) -> SensitivityPlan | None:
    """The plan of a scenario's ``[sensitivity]`` table; every problem goes to ``add``."""
    if path is not None:
        add("sensitivity", path, "needs a world the run builds (world.preset, not world.path): each setting is one")
        return None
    if not isinstance(raw, Mapping) or not raw:
        add(
            "sensitivity",
            raw,
            'must be a table of assumption = [low, high], e.g. "electoral_roll.moved_share" = [0.01, 0.1]',
        )
        return None
    try:
        known = noise_assumptions(load_preset(world.preset))
    except SynthError:  # an unknown preset is named under world.preset
        return None
    central = {**known, **dict(world.noise)}
    out = []
    for name, bounds in raw.items():
        key = f"sensitivity.{name}"
        if name not in known:
            add(key, bounds, f"unknown assumption; allowed are {describe_assumptions(known)}", str(name), list(known))
        elif str(name).startswith("name_formats."):
            add(key, bounds, "a format's share cannot vary alone (its source's shares must add up to 1)")
        elif not (isinstance(bounds, list) and len(bounds) == 2 and all(is_share(b) for b in bounds)):
            add(key, bounds, "must be [low, high], two shares from 0 to 1")
        elif bounds[0] > bounds[1]:
            add(key, bounds, f"low ({bounds[0]:g}) is above high ({bounds[1]:g})")
        else:
            out.append(Assumption(str(name), central[name], float(bounds[0]), float(bounds[1])))
    return SensitivityPlan(tuple(out)) if len(out) == len(raw) else None


def run_sensitivity(
    plan: SensitivityPlan, world: WorldSpec, judge: str, out: Path, run: Callable[[WorldSpec, Path], None]
) -> dict[str, Any]:
    """Every setting's run, one at a time and then all at their worst and best (each assumption's worst is the end
    at which policy ``judge`` re-identifies more people); what ``OUT/sensitivity/sensitivity.json`` holds.

    ``run(world, folder)`` runs the scenario's own policies on a world of that spec into the folder.
    """
    folder = out / SENSITIVITY_DIR
    decisions: dict[str, dict[str, Any]] = {}
    settings: dict[str, dict[str, float]] = {}

    def setting(tag: str, noise: Mapping[str, float]) -> dict[str, Any]:
        merged = {**dict(world.noise), **noise}
        settings[tag] = merged
        run(dataclasses.replace(world, noise=tuple(sorted(merged.items()))), folder / tag)
        decisions[tag] = decision_of(folder / tag).to_dict()
        return decisions[tag]

    worst: dict[str, float] = {}
    best: dict[str, float] = {}
    for a in plan.assumptions:
        at_low = headline_value(setting(f"{a.name}=low", {a.name: a.low}), judge, EXPOSURE) or 0.0
        at_high = headline_value(setting(f"{a.name}=high", {a.name: a.high}), judge, EXPOSURE) or 0.0
        worst[a.name], best[a.name] = (a.high, a.low) if at_high >= at_low else (a.low, a.high)
    setting("all=worst", worst)
    setting("all=best", best)
    summary = {
        "judge": judge,
        "assumptions": [{**dataclasses.asdict(a), "worst": worst[a.name]} for a in plan.assumptions],
        "settings": settings,
        "decisions": decisions,
    }
    atomic_text(folder / "sensitivity.json", json.dumps(summary, indent=1, allow_nan=False))
    return summary
