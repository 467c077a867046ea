"""Policies declared in TOML, and the library of shipped policies.

A policy file::

    [policy]
    id = "hmac"
    description = "Phone numbers replaced by a keyed HMAC-SHA-256; the key stays with the controller."

    [[steps]]
    step = "hash"
    column = "phone"
    method = "hmac"

Every problem (an unknown step, an unknown or mistyped parameter, a column the release lacks, k
below 2, a missing key) is reported at once, naming the policy and the step, before any data is
touched.
"""

from __future__ import annotations

import inspect
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from synth.errors import PolicyError, did_you_mean
from synth.policies.base import Policy, Step
from synth.policies.columns import DropColumns
from synth.policies.dp_counts import DPCounts
from synth.policies.generalize import CoarsenGeography, GeneralizeAge
from synth.policies.hashing import HashColumn
from synth.policies.kanonymity import KAnonymity
from synth.policies.masking import MaskPhone
from synth.policies.no_release import ControllerSends
from synth.policies.synthetic import SyntheticRelease
from synth.policies.tables import PublishTables
from synth.policies.tokenize import Tokenize

LIBRARY_DIR = Path(__file__).parent / "library"
STEPS: dict[str, type[Step]] = {
    cls.step: cls
    for cls in (
        DropColumns,
        MaskPhone,
        HashColumn,
        Tokenize,
        GeneralizeAge,
        CoarsenGeography,
        KAnonymity,
        SyntheticRelease,
        DPCounts,
        PublishTables,
        ControllerSends,
    )
}


def _build_step(policy_id: str, i: int, spec: Mapping[str, Any]) -> tuple[Step | None, list[str]]:
    where = f"policy '{policy_id}', step {i}"
    name = spec.get("step")
    if name not in STEPS:
        return None, [
            f"{where}: unknown step {name!r}; allowed are {', '.join(sorted(STEPS))}"
            + did_you_mean(str(name), sorted(STEPS))
        ]
    cls = STEPS[name]
    allowed = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    params = {k: v for k, v in spec.items() if k != "step"}
    unknown = [k for k in params if k not in allowed]
    if unknown:
        return None, [
            f"{where} ({name}): unknown parameter '{k}'; allowed are {', '.join(allowed)}" + did_you_mean(k, allowed)
            for k in unknown
        ]
    return cls(**params), []


def policy_from_dict(d: Mapping[str, Any], source: str = "<dict>") -> Policy:
    """Build a policy from its TOML structure; raises one :class:`PolicyError` listing every problem."""
    head = d.get("policy", {})
    policy_id = head.get("id")
    problems: list[str] = []
    if not isinstance(policy_id, str) or not policy_id:
        problems.append(f"{source}: [policy] id: missing; give the policy a name")
        policy_id = "?"
    steps: list[Step] = []
    raw_steps = d.get("steps", [])  # none: the release goes out as exported
    for i, spec in enumerate(raw_steps, start=1):
        step, errs = _build_step(policy_id, i, spec)
        problems += errs
        if step is not None:
            steps.append(step)
    if problems:
        raise PolicyError("\n".join(problems))
    return Policy(id=policy_id, description=str(head.get("description", "")), steps=steps)


def load_policy(name_or_path: str | Path) -> Policy:
    """A shipped policy by id, or a policy TOML file by path."""
    text = str(name_or_path)
    path = Path(text) if text.endswith(".toml") else LIBRARY_DIR / f"{text}.toml"
    if not path.is_file():
        if text.endswith(".toml"):
            raise PolicyError(f"{path}: policy file not found")
        ids = policy_ids()
        raise PolicyError(
            f"unknown policy '{text}': allowed are {', '.join(ids)} or the path of a policy TOML file"
            + did_you_mean(text, ids)
        )
    try:
        d = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
    return policy_from_dict(d, str(path))


def policy_ids() -> list[str]:
    """Ids of the shipped policies, in the library's order."""
    order = (LIBRARY_DIR / "ORDER").read_text().split()
    return [p for p in order if (LIBRARY_DIR / f"{p}.toml").is_file()]
