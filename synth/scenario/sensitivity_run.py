"""Run a scenario's sensitivity (:mod:`synth.scenario.sensitivity`): its own policies, seeds and attacks on a world
of each setting, under ``OUT/sensitivity/TAG``, the settings' decisions in ``OUT/sensitivity/sensitivity.json``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synth.scenario.sensitivity import run_sensitivity
from synth.scenario.spec import Scenario
from synth.scenario.world_table import WorldRef
from synth.world.plan import WorldSpec


def run_settings(scenario: Scenario, out: Path, run: Callable[[Scenario, Path], None]) -> dict[str, Any]:
    """Every setting's run and what ``sensitivity.json`` holds; ``run(scenario, out)`` runs a scenario into a
    folder (:func:`synth.scenario.run.run_scenario` with the caller's workers)."""
    plan = scenario.sensitivity
    if plan is None:
        raise ValueError(f"scenario '{scenario.id}' has no [sensitivity]")
    variants = {p.id for plan_ in (scenario.whatif, scenario.curve) if plan_ is not None for p in plan_.policies}
    own = tuple(p for p in scenario.policies if p.id not in variants)

    def setting(world: WorldSpec, folder: Path) -> None:
        run(
            dataclasses.replace(
                scenario,
                id=f"{scenario.id}_{folder.name.replace('=', '_').replace('.', '_')}",
                world=WorldRef(spec=world),
                policies=own,
                thresholds={},
                whatif=None,
                curve=None,
                search=None,
                sensitivity=None,
                raw={**scenario.raw, "sensitivity_setting": folder.name},
            ),
            folder,
        )

    return run_sensitivity(plan, scenario.world.spec, own[0].id, out, setting)
