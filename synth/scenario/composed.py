"""Several releases in one scenario: the same world's people exported by several holders, each minimized its own
way, all reaching one attacker.

A scenario names them instead of one ``[release]`` and its ``policies``::

    [[releases]]
    id = "export_2026"                 # letters, digits, '_' and '-'; each release its own
    registries = ["pensioners", "womens_scheme"]
    fields = ["phone", "name", "age", "gender", "local_body", "ward", "registry"]
    policy = "hmac"                    # a shipped policy id or a policy file (default as_exported)
    key = "kerala_it"                  # the key its HMAC or tokenize step uses; one name, one key
    onward_leak = 1.0                  # share of its rows that reach the attacker (default 1)
    date = 2020-06-01                  # its reference date (default the world's): ages are whole years then

    [[releases]]
    id = "scheme_list"
    registries = ["womens_scheme"]
    policy = "as_exported"

and, to intersect two releases of the same people generalized their own ways (:mod:`synth.attacks.composition`)::

    [composition]
    releases = ["k5_2026", "bands_2025"]

A key name shared between releases is one key (one HMAC key, one token vault); distinct names are independent
keys. Each release's rows come in an order of their own (``seed``, by default drawn from its id), so row numbers
tie nothing together. The attacker runs the scenario's attacks on each release, links the releases to each other
(:mod:`synth.attacks.cross_release`), hands each row what its twins gave away, and runs them again
(:mod:`synth.scenario.composed_run`).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from synth.checks import is_share
from synth.errors import PolicyError, SynthError
from synth.policies.base import Policy
from synth.policies.hashing import HashColumn, key_name_problems
from synth.policies.library import load_policy, policy_ids
from synth.policies.tokenize import Tokenize
from synth.release.spec import ReleaseSpec
from synth.scenario.problem import Problem

RELEASE_KEYS = ("id", "registries", "fields", "policy", "key", "onward_leak", "seed", "date")
YEARS_BACK = 10  # how far before its reference date a world stands for its population (see plan_releases)
KEYED_STEPS = "a hash step with method hmac, or a tokenize step"
LINKED_KINDS = ("rows", "nothing")  # what a release may let leave: rows of people, or nothing (the controller sends)
KIND_WORDS = {"counts": "published counts", "synthetic": "synthetic rows"}
# a scenario of several releases names each one's policy in its table; these keys are for a single release
SINGLE_RELEASE_KEYS = ("release", "policies", "inline_policies", "whatif", "curve", "search")


@dataclass(frozen=True)
class ReleasePlan:
    """One release of a composed scenario: what it exports, its policy (its keyed steps naming ``key``), and the
    share of its rows that leak onward."""

    id: str
    spec: ReleaseSpec
    policy: Policy
    key: str | None
    onward_leak: float


def release_ids(raw: Any) -> list[str]:
    """The ids a ``releases`` array names (as written, valid or not: a composition names them)."""
    tables = raw if isinstance(raw, list) else []
    return [str(t["id"]) for t in tables if isinstance(t, Mapping) and isinstance(t.get("id"), str)]


def plan_composition(raw: Any, releases: Sequence[str], add: Problem) -> tuple[str, str] | None:
    """The two releases a ``[composition]`` table intersects (:mod:`synth.attacks.composition`); every problem
    goes to ``add``."""
    if not isinstance(raw, Mapping):
        add("composition", raw, "must be a table with releases = [two release ids]")
        return None
    for unknown in (k for k in raw if k != "releases"):
        add(f"composition.{unknown}", raw[unknown], "unknown key; allowed is releases", unknown, ("releases",))
    named = raw.get("releases")
    if not releases:
        add("composition", dict(raw), "needs [[releases]]: it intersects two releases of the same people")
        return None
    if not isinstance(named, list) or len(named) != 2 or len(set(map(str, named))) != 2:
        add(
            "composition.releases",
            named,
            "a composition attack intersects two releases of the same people; name two of " + ", ".join(releases),
        )
        return None
    for release in named:
        if release not in releases:
            add(
                "composition.releases",
                release,
                f"not a release of this scenario; allowed are {', '.join(releases)}",
                str(release),
                releases,
            )
    return (str(named[0]), str(named[1])) if set(named) <= set(releases) else None


def keyed_steps(policy: Policy) -> list[int]:
    """The positions of the policy's steps that take a key (HMAC hashing, tokenization)."""
    return [
        i
        for i, step in enumerate(policy.steps)
        if isinstance(step, Tokenize) or (isinstance(step, HashColumn) and step.method == "hmac")
    ]


def plan_releases(
    raw: Any, scenario: Mapping[str, Any], add: Problem, base: Path | None = None, reference: date | None = None
) -> tuple[ReleasePlan, ...]:
    """The releases of a scenario's ``[[releases]]``; every problem goes to ``add``.

    Parameters
    ----------
    raw
        The ``releases`` array as read.
    scenario
        The whole scenario as read (the keys only a single release takes are refused beside ``releases``).
    add
        Where problems go, as ``add(key, value, allowed, name, options)``.
    base
        The folder relative policy files are read from.
    reference
        The world's reference date (None: not known yet, a world folder still to be built): a release's ``date``
        must lie within :data:`YEARS_BACK` years before it. The world is a picture of that date (registries
        hold their members then; nobody who has died or moved since is brought back), so the further back a
        list is dated, the less it is the list of its day; ten years is the limit this tool draws.
    """
    for key in SINGLE_RELEASE_KEYS:
        if key in scenario:
            add(key, scenario[key], "not with [[releases]]: each release names its own registries, fields and policy")
    if not isinstance(raw, list) or not all(isinstance(t, Mapping) for t in raw):
        add("releases", raw, "must be an array of tables ([[releases]]), one per release")
        return ()
    plans: list[ReleasePlan] = []
    seen: set[str] = set()
    for i, table in enumerate(raw, start=1):
        release_id = table.get("id")
        named = (
            isinstance(release_id, str) and bool(release_id) and release_id.replace("_", "").replace("-", "").isalnum()
        )
        where = f"releases.{release_id}" if named else f"releases[{i}]"
        if not named:
            add(f"{where}.id", release_id, "must be a name of letters, digits, '_' and '-'")
        elif release_id in seen:
            add(f"{where}.id", release_id, "two releases have this id; give each release its own")
        seen.add(str(release_id))
        plan = _plan(table, where, str(release_id), add, base, reference)
        if plan is not None and named:
            plans.append(plan)
    if len(raw) < 2:
        add("releases", f"{len(raw)} release(s)", "name at least two releases (one release: [release] and policies)")
    return tuple(plans)


def _plan(
    table: Mapping[str, Any], where: str, release_id: str, add: Problem, base: Path | None, reference: date | None
) -> ReleasePlan | None:
    for unknown in (k for k in table if k not in RELEASE_KEYS):
        add(
            f"{where}.{unknown}",
            table[unknown],
            f"unknown key; allowed are {', '.join(RELEASE_KEYS)}",
            unknown,
            RELEASE_KEYS,
        )
    spec_keys = {k: table[k] for k in ("registries", "fields", "seed", "date") if k in table}
    spec_keys.setdefault("seed", zlib.crc32(release_id.encode()))  # an order of its own
    try:
        spec = ReleaseSpec.from_dict(spec_keys)
    except SynthError as exc:
        for line in str(exc).splitlines():
            named, _, rest = line.removeprefix("release.").partition(":")
            name = named.split(" = ")[0]
            add(f"{where}.{name}", spec_keys.get(name), rest.strip())
        spec = None
    if spec is not None and spec.date is not None and reference is not None:
        day, first = date.fromisoformat(spec.date), reference.replace(year=reference.year - YEARS_BACK)
        if not first <= day <= reference:
            add(
                f"{where}.date",
                spec.date,
                f"outside the world's span; allowed are dates from {first} to {reference} (the world is a picture "
                f"of {reference} and stands for at most {YEARS_BACK} years before it)",
            )
            spec = None
    policy = _policy(table.get("policy", "as_exported"), where, add, base)
    key: str | None = table.get("key")
    if key is not None:
        if key_name_problems(key):
            add(f"{where}.key", key, "must be a name of letters, digits, '_' and '-'")
            key = None
        elif policy is not None and not keyed_steps(policy):
            add(f"{where}.key", key, f"policy '{policy.id}' has no step that takes a key ({KEYED_STEPS})")
            key = None
    leak = table.get("onward_leak", 1.0)
    if not is_share(leak, zero=False):
        add(f"{where}.onward_leak", leak, "must be a share above 0 and at most 1")
        leak = 1.0
    if policy is not None and policy.releases not in LINKED_KINDS:
        add(
            f"{where}.policy",
            policy.id,
            f"gives out {KIND_WORDS.get(policy.releases, policy.releases)}, not rows of people: releases are linked "
            "row by row (attack it in a scenario of one release)",
        )
        policy = None
    if spec is None or policy is None:
        return None
    try:
        policy.check(["row_id", *spec.fields])
    except PolicyError as exc:
        for line in str(exc).splitlines():
            add(f"{where}.policy", policy.id, line)
        return None
    return ReleasePlan(release_id, spec, policy, key, float(leak))


def _policy(name: Any, where: str, add: Problem, base: Path | None) -> Policy | None:
    if not isinstance(name, str) or not name:
        add(f"{where}.policy", name, "must be a shipped policy id or the path of a policy TOML file")
        return None
    target = str((base or Path()) / name) if name.endswith(".toml") else name
    try:
        return load_policy(target)
    except PolicyError as exc:
        if name.endswith(".toml"):
            for line in str(exc).splitlines():
                add(f"{where}.policy", name, line)
        else:
            shipped = policy_ids()
            add(f"{where}.policy", name, f"unknown policy; allowed are {', '.join(shipped)}", name, shipped)
        return None
