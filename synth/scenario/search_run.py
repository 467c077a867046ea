"""Run a scenario's search (:mod:`synth.scenario.search`): screen every candidate with the cheap attacks, find the
frontier, write its policies as policy files, and attack the frontier with every attack of the scenario.

Output, under the run's folder::

    search/screen/      a run of every candidate with the screen attacks (its first seed)
    search/frontier/    the frontier's policies (POLICY.toml) and their run with every attack and seed
    search/search.json  every candidate's screened figures, and which are on the frontier for which purpose
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from synth.engine.io import atomic_text
from synth.policies.library import load_policy
from synth.scenario.check import decision_of
from synth.scenario.search import pareto, policy_toml
from synth.scenario.spec import Scenario
from synth.scenario.world_table import WorldRef

SEARCH_DIR = "search"


def run_search(scenario: Scenario, world_path: Path, out: Path, run: Any) -> dict[str, Any]:
    """Screen, find the frontier, write it, attack it in full; return what ``search/search.json`` holds.

    ``run(scenario, out)`` runs a scenario into a folder (:func:`synth.scenario.run.run_scenario` with the
    caller's workers); both phases run on the world of the main run.
    """
    plan = scenario.search
    if plan is None:
        raise ValueError(f"scenario '{scenario.id}' has no [search]")
    folder = out / SEARCH_DIR
    world = WorldRef(path=str(world_path))
    screen = dataclasses.replace(
        scenario,
        id=f"{scenario.id}_screen",
        world=world,
        policies=plan.candidates,
        attacks={a: p for a, p in scenario.attacks.items() if a in plan.screen},
        seeds=scenario.seeds[:1],
        thresholds={},
        whatif=None,
        search=None,
        raw={**scenario.raw, "search_phase": "screen"},
    )
    run(screen, folder / "screen")
    screened = _decision(folder / "screen")
    kept = {r["policy"]: r for r in screened["ranking"]}
    on: dict[str, list[str]] = {}
    for purpose in scenario.purposes:
        points = [
            (pid, r["exposure"]["value"], r["keeps"][purpose]["value"])
            for pid, r in kept.items()
            if r["exposure"]["value"] is not None and r["keeps"][purpose]["value"] is not None
        ]
        for pid in pareto(points):
            on.setdefault(pid, []).append(purpose)
    frontier = [p for p in plan.candidates if p.id in on]
    files = folder / "frontier"
    files.mkdir(parents=True, exist_ok=True)
    for policy in frontier:
        atomic_text(files / f"{policy.id}.toml", policy_toml(policy))
    full = dataclasses.replace(
        scenario,
        id=f"{scenario.id}_frontier",
        world=world,
        policies=tuple(load_policy(files / f"{p.id}.toml") for p in frontier),  # as synth run reads them
        thresholds={},
        whatif=None,
        search=None,
        raw={**scenario.raw, "search_phase": "frontier"},
    )
    run(full, files / "run")
    summary = {
        "screen": list(plan.screen),
        "candidates": [
            {
                "policy": p.id,
                "description": p.description,
                "frontier_for": on.get(p.id, []),
                "screened": {"exposure": kept[p.id]["exposure"], "keeps": kept[p.id]["keeps"]},
            }
            for p in plan.candidates
        ],
        "frontier": _decision(files / "run"),
    }
    atomic_text(folder / "search.json", json.dumps(summary, indent=1, allow_nan=False))
    return summary


def _decision(run_dir: Path) -> dict[str, Any]:
    return decision_of(run_dir).to_dict()
