"""The manifest of a learned world: a preset world's manifest with a ``learned`` section saying what was
learned, how, and the quality and privacy of the learned rows against the table."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import metadata as importlib_metadata
from typing import Any

import numpy as np
import polars as pl

from synth.core.numbering import load_plan
from synth.engine.io import versions
from synth.world.build import FORMAT_VERSION, spec_record
from synth.world.learned.population import LearnedPopulation
from synth.world.learned.table_rules import membership
from synth.world.plan import WorldPlan
from synth.world.rules import schema_kinds

KIND = "learned"
DERIVED = {
    "people": "learned: place, sex, age, community, marital status, disability, occupation and extra columns; "
    "generated: ids, households and relations, house numbers, names (none of the table's full names), relatives, "
    "birth dates (from the age), phones (none of the table's numbers)",
    "households": "generated from the learned people, within each ward, community and ration-card class; "
    "a household's card is its head's learned card",
    "employees": "learned membership (occupation government_employee); department and posting drawn from the preset",
    "pensioners": "learned scheme; payment mode drawn from the preset",
    "entrepreneurs": "learned membership; enterprise category drawn from the preset",
    "womens_scheme": "learned membership; ration card of the household",
    "electoral_roll": "generated from the learned people with the preset's coverage, staleness and noise; "
    "size scaled from the local body's published roll by the learned population; none of the table's full names",
    "roll_truth": "generated with the roll",
    "caller_id": "generated from the learned people's phones; no label is a full name of the table",
    "geography": "the preset's wards that hold learned people; roll parts scaled by the learned population",
}


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def learned_manifest(
    plan: WorldPlan,
    learner: LearnedPopulation,
    sample: pl.DataFrame,
    counts: dict[str, int],
    files: dict[str, str],
    figures: dict[str, Any],
    source: Mapping[str, Any] | None,
    rows: int,
    seed: int,
) -> dict[str, Any]:
    phones = load_plan(plan.phone_plan)
    recorded = versions()
    for pkg in ("sdv", "sdmetrics", "rdt", "copulas"):
        try:
            recorded[pkg] = importlib_metadata.version(pkg)
        except importlib_metadata.PackageNotFoundError:
            recorded[pkg] = "unknown"
    cols = learner.columns_
    sampling = learner.sampling_
    registries_missing = [
        r for r in ("pensioners", "entrepreneurs", "womens_scheme") if r not in membership(cols.roles)
    ]
    not_derived = [f"{r}: empty; the table has no column saying who is a member" for r in registries_missing] + [
        "households: the table holds no households; families are formed by the world's household generator",
        "calibration targets (population, age structure, registry and roll sizes of the preset) do not apply: "
        "the learned world follows the table",
    ]
    learned = {
        "input": {**dict(source or {}), "rows": learner.input_.height, "columns": list(learner.input_.columns)},
        "columns": {
            "kinds": schema_kinds(learner.input_.schema),
            "roles": cols.roles,
            "geography": list(cols.geography),
            "extra": list(cols.extra),
            "identifiers": cols.identifiers,
            "dropped": cols.dropped,
            "sdtypes": learner.sdtypes_,
        },
        "model": {
            "name": learner.model,
            "epochs": learner.epochs if learner.model == "ctgan" else None,
            "fixed_combinations": learner.constraints_,
        },
        "seed": seed,
        "rows": rows,
        "rules": [
            {
                "name": r.name,
                "text": r.text,
                "source": learner.rule_sources_[r.name],
                "input_rows_breaking": learner.input_breaks_.get(r.name, 0),
                "sampled_rows_breaking": sampling["breaks"][r.name],
            }
            for r in learner.rules_
        ],
        "sampling": {k: v for k, v in sampling.items() if k != "breaks"},
        "quality": figures["quality"],
        "privacy": figures["privacy"],
        "derived": DERIVED,
        "not_derived": not_derived,
    }
    return _clean(
        {
            "build": {**spec_record(plan), "kind": KIND, "format_version": FORMAT_VERSION},
            "versions": recorded,
            "reference_date": plan.preset.reference_date.isoformat(),
            "roll_qualifying_date": plan.preset.roll_qualifying_date.isoformat(),
            "phone_plan": {"name": phones.name, "numbers": phones.size, "blocks": len(phones.starts)},
            "targets": plan.targets,
            "shortfall": {},
            "shards": [s.key for s in plan.shards],
            "rows": dict(sorted(counts.items())),
            "files": dict(sorted(files.items())),
            "learned": learned,
        }
    )
