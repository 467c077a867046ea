"""The purposes a scenario measures, and the share of each a policy must keep to serve it: ``purposes`` as a list
of names (each must keep :data:`~synth.measure.decision.DEFAULT_KEEP`), or a ``[purposes.NAME]`` table each::

    [purposes.outreach]
    keep = 0.95
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from synth.checks import is_share
from synth.measure.decision import DEFAULT_KEEP
from synth.scenario.problem import Problem, checked_table

PURPOSES = ("outreach", "ward_planning", "research")
PURPOSE_KEYS = ("keep",)


def parse_purposes(value: Any, add: Problem) -> tuple[tuple[str, ...], dict[str, float]]:
    """The purposes (a list of names, or a ``[purposes.NAME]`` table each) and the share each must keep; every
    problem goes to ``add(key, value, allowed, name, options)``."""
    if not isinstance(value, Mapping):
        names = listed_names("purposes", value, PURPOSES, add)
        return names, dict.fromkeys(names, DEFAULT_KEEP)
    keep: dict[str, float] = {}
    for name, raw in value.items():
        if name not in PURPOSES:
            add(f"purposes.{name}", raw, f"unknown purpose; allowed are {', '.join(PURPOSES)}", name, PURPOSES)
            continue
        table = checked_table(raw, f"purposes.{name}", PURPOSE_KEYS, "must be a table (for example keep = 0.9)", add)
        if table is None:
            continue
        share = table.get("keep", DEFAULT_KEEP)
        if not is_share(share, zero=False):
            add(f"purposes.{name}.keep", share, "must be a share in (0, 1]: the least a policy must keep to serve it")
            continue
        keep[name] = float(share)
    if not value:
        add("purposes", dict(value), f"names no purpose; allowed are {', '.join(PURPOSES)}")
    return tuple(keep), keep


def listed_names(key: str, value: Any, allowed: tuple[str, ...], add: Problem) -> tuple[str, ...]:
    """The names of a list key, each one of ``allowed`` and none twice (the problems go to ``add``)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        add(key, value, f"must be a list of names from {', '.join(allowed)}")
        return ()
    for v in value:
        if v not in allowed:
            add(key, v, f"unknown name; allowed are {', '.join(allowed)}", v, allowed)
    if len(set(value)) != len(value):
        add(key, value, "a name is given twice")
    return tuple(v for v in value if v in allowed)
