"""What each field costs: the scenario's base policy with one released field dropped, or coarsened one level, at a
time, run as policies of their own, so that every figure of a what-if is measured exactly like a policy's.

A scenario asks for it with::

    [whatif]
    fields = ["phone", "name", "age", "ward"]   # fields of the release
    base = "as_exported"                         # a policy of the scenario (default: its first)

Each field is dropped (the shipped ``drop`` step) and coarsened by each entry of ``whatif.toml`` (age to 5- and
10-year bands; ward to its local body; local body to the taluk; phone masked, or as an HMAC). A change whose steps
are those of a policy the scenario already runs (``drop_names`` is ``as_exported`` without names) reuses that
policy's figures instead of running it twice.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synth.errors import PolicyError
from synth.policies.base import Policy
from synth.policies.library import policy_from_dict
from synth.scenario.problem import Problem, checked_table

LADDER_FILE = Path(__file__).with_name("whatif.toml")
WHATIF_KEYS = ("fields", "base")


@dataclass(frozen=True)
class WhatIf:
    """One change to one field: its name (``drop`` or a coarsening of ``whatif.toml``), how the report words it,
    and the policy whose figures answer it."""

    field: str
    change: str
    label: str
    policy: str


@dataclass(frozen=True)
class WhatIfPlan:
    """The base policy, every change tried, and the policies that must run for them (the others are policies the
    scenario runs anyway)."""

    base: str
    items: tuple[WhatIf, ...]
    policies: tuple[Policy, ...]


def ladder() -> dict[str, list[dict[str, Any]]]:
    """The coarsenings of each field, from ``whatif.toml``."""
    return tomllib.loads(LADDER_FILE.read_text(encoding="utf-8"))


def plan_whatif(raw: Any, fields: Sequence[str], policies: Sequence[Policy], add: Problem) -> WhatIfPlan | None:
    """The what-if of a scenario's ``[whatif]`` table; every problem goes to ``add`` (None when there is one).

    Parameters
    ----------
    raw
        The ``[whatif]`` table as read.
    fields
        The release's fields.
    policies
        The scenario's policies (the base is one of them; a change equal to one of them reuses it).
    add
        Where problems go, as ``add(key, value, allowed, name, options)``.
    """
    raw = checked_table(raw, "whatif", WHATIF_KEYS, "must be a table with fields (and base)", add)
    if raw is None:
        return None
    ids = [p.id for p in policies]
    base_id = raw.get("base", ids[0] if ids else None)
    base = next((p for p in policies if p.id == base_id), None)
    if base is None:
        add("whatif.base", base_id, f"not a policy of this scenario; allowed are {', '.join(ids)}", base_id, ids)
    chosen = raw.get("fields")
    if not isinstance(chosen, list) or not chosen or not all(isinstance(f, str) for f in chosen):
        add("whatif.fields", chosen, f"must be a non-empty list of fields of the release ({', '.join(fields)})")
        return None
    if len(set(chosen)) != len(chosen):
        add("whatif.fields", chosen, "a field is given twice")
    if base is None:
        return None
    released = _released_by(base, fields)
    problems = 0
    for f in chosen:
        if f not in fields:
            add("whatif.fields", f, f"not a field of the release; allowed are {', '.join(fields)}", f, list(fields))
            problems += 1
        elif f not in released:
            add(
                "whatif.fields",
                f,
                f"the base policy '{base.id}' does not release it (it releases {', '.join(released)})",
            )
            problems += 1
    if problems:
        return None
    return _plan(base, [f for f in dict.fromkeys(chosen)], policies, fields, add)


def _released_by(policy: Policy, fields: Sequence[str]) -> list[str]:
    columns = ["row_id", *fields]
    for step in policy.steps:
        columns = step.output_columns(columns)
    return [c for c in columns if c != "row_id"]


def _plan(
    base: Policy, chosen: list[str], policies: Sequence[Policy], fields: Sequence[str], add: Problem
) -> WhatIfPlan:
    steps_of = {_signature(p): p.id for p in policies}
    coarsen = ladder()
    items: list[WhatIf] = []
    variants: list[Policy] = []
    for f in chosen:
        changes = [("drop", f"{f} dropped", [{"step": "drop", "columns": [f]}])]
        changes += [(c["change"], c["label"], c["steps"]) for c in coarsen.get(f, [])]
        for change, label, steps in changes:
            policy_id = f"whatif_{f}_{change}"
            try:
                variant = policy_from_dict(
                    {
                        "policy": {"id": policy_id, "description": f"{base.id} with {label} (what-if)"},
                        "steps": [*_steps_of(base), *steps],
                    }
                )
                variant.check(["row_id", *fields])
            except PolicyError as exc:  # a change the base cannot take (the field already coarsened)
                add("whatif.fields", f, f"cannot try '{change}' on top of '{base.id}': {exc}")
                continue
            same = steps_of.get(_signature(variant))
            if same is None:
                variants.append(variant)
                steps_of[_signature(variant)] = policy_id
            items.append(WhatIf(f, change, label, same or policy_id))
    return WhatIfPlan(base.id, tuple(items), tuple(variants))


def _signature(policy: Policy) -> tuple[str, ...]:
    return tuple(repr(s) for s in policy.steps)


def _steps_of(policy: Policy) -> list[dict[str, Any]]:
    """The policy's steps as the TOML tables that build them (unset parameters left out, tuples as lists)."""
    return [
        {
            "step": s.step,
            **{k: list(v) if isinstance(v, tuple) else v for k, v in s.get_params().items() if v is not None},
        }
        for s in policy.steps
    ]
