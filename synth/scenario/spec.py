"""Scenario files: one TOML file names the world, the release, who receives and leaks it, what the attacker
knows, the policies compared, the attacks and purposes measured, the seeds, and the gate's thresholds.

Validation runs before any work and reports every problem at once, each with its key path, the value
and what is allowed (with a did-you-mean for misspelt names). A scenario file::

    spec_version = 1
    policies = ["as_exported", "k5"]  # shipped ids, policy files; or inline [[inline_policies]] tables
    purposes = ["outreach", "ward_planning", "research"]   # each must keep 90% to be served, or:
    # [purposes.outreach]                                  # a table per purpose, with the share it must keep
    # keep = 0.95
    seeds = [1, 2]

    [scenario]
    id = "kerala_2026_export"
    description = "The alleged K-SMART export and its onward leak."

    [world]                       # or: path = "out/kerala" (an existing world folder)
    preset = "kerala-2026"
    districts = ["Wayanad"]       # or local_bodies = 20; neither: the whole state
    seed = 2026

    [world.noise]                 # the preset's assumptions about the roll and caller ID, overridden
    electoral_roll.moved_share = 0.05     # synth.world.plan.noise_assumptions lists them

    [release]                     # registries, fields and seed, as synth.release.ReleaseSpec
    registries = ["employees", "pensioners", "entrepreneurs", "womens_scheme"]

    [recipient]
    name = "a campaign's messaging vendor"
    onward_leak = 1.0             # share of the released rows that reach the attacker

    [attacker]
    sources = ["electoral_roll", "caller_id"]
    coverage = { caller_id = 0.6 }   # share of each source's rows the attacker holds (default 1)

    [attacks.exact_linkage]
    [attacks.attribute_inference]
    secret = "widowhood"

    [thresholds]                  # the gate: ATTACK.MEASURE = the largest value allowed
    "exact_linkage.correct" = 0

    [whatif]                      # each field dropped, and coarsened, alone (synth.scenario.whatif)
    fields = ["phone", "age", "ward"]

    [curve]                       # a tables policy with noise at each epsilon (synth.scenario.curve)
    epsilons = [0.1, 1, 10]

    [search]                      # a searched frontier of candidate policies (synth.scenario.search)
    age = ["exact", "bands_5"]
    phone = ["plain", "hmac"]

    [sensitivity]                 # the headlines over low and high settings of the world's assumptions
    "electoral_roll.moved_share" = [0.01, 0.10]     # (synth.scenario.sensitivity)

Or, instead of ``[release]`` and ``policies``, several releases of one world, each with its own registries,
fields, policy, key and leak, attacked alone, in pairs and together (``[[releases]]``, see
:mod:`synth.scenario.composed`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synth.attacks.auxiliary import SOURCES
from synth.attacks.registry import ACROSS_RELEASES, ATTACKS, chain_problems
from synth.checks import is_share, seed_problem
from synth.errors import PolicyError, SpecError, SynthError, did_you_mean
from synth.measure.names import COMPOSED, MEASURES
from synth.policies.base import Policy
from synth.policies.library import load_policy, policy_from_dict, policy_ids
from synth.release.spec import ReleaseSpec
from synth.scenario.composed import ReleasePlan, plan_composition, plan_releases, release_ids
from synth.scenario.curve import CurvePlan, plan_curve
from synth.scenario.purposes import PURPOSES, listed_names, parse_purposes
from synth.scenario.search import SearchPlan, plan_search
from synth.scenario.sensitivity import SensitivityPlan, plan_sensitivity
from synth.scenario.whatif import WhatIfPlan, plan_whatif
from synth.scenario.world_table import WorldRef, parse_world, reference_date_of

SPEC_VERSION = 1

TOP_KEYS = (
    "spec_version",
    "scenario",
    "world",
    "release",
    "recipient",
    "attacker",
    "policies",
    "inline_policies",
    "attacks",
    "purposes",
    "seeds",
    "thresholds",
    "whatif",
    "curve",
    "search",
    "releases",
    "composition",
    "sensitivity",
)


class ScenarioError(SpecError):
    """A scenario file is malformed; the message lists every problem, one per line."""


@dataclass(frozen=True)
class Scenario:
    """A validated scenario (see the module docstring for the file)."""

    id: str
    description: str
    world: WorldRef
    release: ReleaseSpec
    recipient: str
    onward_leak: float
    sources: tuple[str, ...]
    coverage: Mapping[str, float]
    policies: tuple[Policy, ...]
    attacks: Mapping[str, Any]  # attack id -> its typed parameters (the attack's own Params class)
    purposes: tuple[str, ...]
    seeds: tuple[int, ...]
    thresholds: Mapping[str, float]
    keep: Mapping[str, float] = field(default_factory=dict)  # purpose -> the share a policy must keep to serve it
    whatif: WhatIfPlan | None = None  # its variants are the last of ``policies``
    curve: CurvePlan | None = None  # its points' policies come after the what-if's
    search: SearchPlan | None = None  # candidates run apart, after the scenario (synth.scenario.search_run)
    releases: tuple[ReleasePlan, ...] = ()  # several releases at once (synth.scenario.composed): no policies
    composition: tuple[str, str] | None = None  # two of them intersected (synth.attacks.composition)
    sensitivity: SensitivityPlan | None = (
        None  # headlines over other settings of the world (synth.scenario.sensitivity)
    )
    source: str = field(default="<dict>", compare=False)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises one :class:`ScenarioError` listing every problem."""
    path = Path(path)
    if path.is_dir():
        raise ScenarioError(f"{path}: is a directory, not a scenario file (a .toml file)")
    if not path.is_file():
        raise ScenarioError(f"{path}: scenario file not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the scenario file ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    return scenario_from_dict(raw, str(path), base=path.parent)


def scenario_from_dict(raw: Mapping[str, Any], source: str = "<dict>", base: Path | None = None) -> Scenario:
    """Validate a scenario's TOML structure; ``base`` resolves relative policy file paths."""
    p = _Problems(source)
    for key in raw:
        if key not in TOP_KEYS:
            p.add(key, raw[key], f"unknown key; allowed are {', '.join(TOP_KEYS)}", key, TOP_KEYS)
    version = raw.get("spec_version")
    if version != SPEC_VERSION:
        p.add("spec_version", version, f"must be {SPEC_VERSION}")
    head = _table(p, raw, "scenario")
    for key in head:
        if key not in ("id", "description"):
            p.add(f"scenario.{key}", head[key], "unknown key; allowed are id, description", key, ("id", "description"))
    scenario_id = head.get("id")
    if not isinstance(scenario_id, str) or not scenario_id.replace("_", "").replace("-", "").isalnum():
        p.add("scenario.id", scenario_id, "must be a name of letters, digits, '_' and '-'")
        scenario_id = "?"
    description = head.get("description", "")
    if not isinstance(description, str):
        p.add("scenario.description", description, "must be text")

    world = parse_world(p, _table(p, raw, "world"))
    composed = "releases" in raw
    releases = plan_releases(raw["releases"], raw, p.add, base, reference_date_of(world)) if composed else ()
    composition = (
        plan_composition(raw["composition"], release_ids(raw.get("releases")), p.add) if "composition" in raw else None
    )
    release = None if composed else _release(p, _table(p, raw, "release"))
    recipient, leak = _recipient(p, _table(p, raw, "recipient"))
    sources, coverage = _attacker(p, _table(p, raw, "attacker"))
    policies = () if composed else _policies(p, raw, base)
    attacks = _attacks(p, _table(p, raw, "attacks"), sources)
    purposes, keep = parse_purposes(raw.get("purposes", list(PURPOSES)), p.add)
    seeds = _seeds(p, raw.get("seeds", [0]))
    # a scenario of several releases reports its own figures too (synth.scenario.composed_run), thresholds on them
    across = (COMPOSED, *ACROSS_RELEASES) if composed else ()
    thresholds = _thresholds(p, _table(p, raw, "thresholds"), [*attacks, *across])
    whatif = None
    if "whatif" in raw and release is not None:
        whatif = plan_whatif(raw["whatif"], release.fields, policies, p.add)
    curve = plan_curve(raw["curve"], policies, p.add) if "curve" in raw and not composed else None
    sensitivity = None
    if "sensitivity" in raw:
        if composed:
            p.add("sensitivity", raw["sensitivity"], "not with [[releases]] yet: a scenario of one release")
        else:
            sensitivity = plan_sensitivity(raw["sensitivity"], world.spec, world.path, p.add)
    search = None
    if "search" in raw and release is not None:
        search = plan_search(raw["search"], release.fields, list(attacks), p.add)
    if release is not None:
        for policy in policies:  # every policy must fit the release's columns, before any work
            try:
                policy.check(["row_id", *release.fields])
            except PolicyError as exc:
                p.items.extend(f"{p.source}: policies: {line}" for line in str(exc).splitlines())
    p.raise_if_any()
    return Scenario(
        id=str(scenario_id),
        description=str(description),
        world=world,
        release=release or ReleaseSpec(),  # a composed scenario's releases each have their own
        recipient=recipient,
        onward_leak=leak,
        sources=sources,
        coverage=coverage,
        policies=policies + (whatif.policies if whatif else ()) + (curve.policies if curve else ()),
        attacks=attacks,
        purposes=purposes,
        seeds=seeds,
        thresholds=thresholds,
        keep=keep,
        whatif=whatif,
        curve=curve,
        search=search,
        releases=releases,
        composition=composition,
        sensitivity=sensitivity,
        source=source,
        raw=dict(raw),
    )


class _Problems:
    """Every problem found, each as ``source: key = value: what is allowed``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, key: str, value: Any, allowed: str, name: str | None = None, options: Any = ()) -> None:
        hint = did_you_mean(str(name), list(options)) if name is not None and options else ""
        if "." in key and name in TOP_KEYS and allowed.startswith("unknown"):
            hint += f" ('{name}' is a top-level key: in TOML it must come before the first [table])"
        self.items.append(f"{self.source}: {key} = {value!r}: {allowed}{hint}")

    def raise_if_any(self) -> None:
        if self.items:
            raise ScenarioError("\n".join(self.items))


def _table(p: _Problems, raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        p.add(key, value, "must be a table")
        return {}
    return value


def _release(p: _Problems, r: Mapping[str, Any]) -> ReleaseSpec | None:
    try:
        return ReleaseSpec.from_dict(r)
    except SynthError as exc:
        for line in str(exc).splitlines():
            p.items.append(f"{p.source}: {line}")
        return None


def _recipient(p: _Problems, r: Mapping[str, Any]) -> tuple[str, float]:
    for key in r:
        if key not in ("name", "onward_leak"):
            p.add(
                f"recipient.{key}", r[key], "unknown key; allowed are name, onward_leak", key, ("name", "onward_leak")
            )
    name = r.get("name", "the recipient")
    if not isinstance(name, str):
        p.add("recipient.name", name, "must be text")
    leak = r.get("onward_leak", 1.0)
    if not is_share(leak, zero=False):
        p.add("recipient.onward_leak", leak, "must be a share above 0 and at most 1")
        leak = 1.0
    return str(name), float(leak)


def _attacker(p: _Problems, a: Mapping[str, Any]) -> tuple[tuple[str, ...], dict[str, float]]:
    for key in a:
        if key not in ("sources", "coverage"):
            p.add(f"attacker.{key}", a[key], "unknown key; allowed are sources, coverage", key, ("sources", "coverage"))
    sources = listed_names("attacker.sources", a.get("sources", list(SOURCES)), SOURCES, p.add)
    coverage_raw = a.get("coverage", {})
    coverage: dict[str, float] = {}
    if not isinstance(coverage_raw, Mapping):
        p.add("attacker.coverage", coverage_raw, "must be a table of source = share")
        coverage_raw = {}
    for source, share in coverage_raw.items():
        if source not in sources:
            p.add(f"attacker.coverage.{source}", share, f"not a granted source; granted are {', '.join(sources)}")
        elif not is_share(share, zero=False):
            p.add(f"attacker.coverage.{source}", share, "must be a share above 0 and at most 1")
        else:
            coverage[source] = float(share)
    return sources, {s: coverage.get(s, 1.0) for s in sources}


def _policies(p: _Problems, raw: Mapping[str, Any], base: Path | None) -> tuple[Policy, ...]:
    names = raw.get("policies", ["as_exported"])
    inline = raw.get("inline_policies", [])
    out: list[Policy] = []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        p.add("policies", names, "must be a list of policy ids or policy file paths")
        names = []
    for name in names:
        target = str((base or Path()) / name) if name.endswith(".toml") else name
        try:
            out.append(load_policy(target))
        except PolicyError as exc:
            if name.endswith(".toml"):
                p.items.extend(f"{p.source}: policies: {line}" for line in str(exc).splitlines())
            else:
                shipped = policy_ids()
                p.add(
                    "policies",
                    name,
                    f"unknown policy; allowed are {', '.join(shipped)} or the path of a policy TOML file",
                    name,
                    shipped,
                )
    if not isinstance(inline, list) or not all(isinstance(t, Mapping) for t in inline):
        p.add("inline_policies", inline, "must be an array of tables ([[inline_policies]]) shaped like a policy file")
        inline = []
    for i, table in enumerate(inline, start=1):
        try:
            out.append(policy_from_dict(table, f"inline_policies[{i}]"))
        except PolicyError as exc:
            p.items.extend(f"{p.source}: {line}" for line in str(exc).splitlines())
    ids = [pol.id for pol in out]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        p.add("policies", dup, "a policy id is used twice; give each compared policy its own id")
    if not out and not p.items:
        p.add("policies", names, "name at least one policy to compare")
    return tuple(out)


def _attacks(p: _Problems, a: Mapping[str, Any], sources: tuple[str, ...]) -> dict[str, Any]:
    """Each attack's typed parameters (from the registry), and every problem of the chain at once."""
    out: dict[str, Any] = {}
    if not a:
        p.add("attacks", {}, f"name at least one attack; allowed are {', '.join(ATTACKS)}")
    for attack_id, raw in a.items():
        if attack_id not in ATTACKS:
            p.add(f"attacks.{attack_id}", raw, f"unknown attack; allowed are {', '.join(ATTACKS)}", attack_id, ATTACKS)
            continue
        if not isinstance(raw, Mapping):
            p.add(f"attacks.{attack_id}", raw, "must be a table of the attack's parameters")
            continue
        try:
            out[attack_id] = ATTACKS[attack_id].parameters(raw)
        except SpecError as exc:  # one line per problem: "attack 'ID': KEY = VALUE; allowed ..."
            out[attack_id] = None  # the scenario names it (thresholds may refer to it); the error is raised below
            for line in str(exc).splitlines():
                problem = line.removeprefix(f"attack '{attack_id}': ")
                key = problem.partition(" = ")[0]
                if key in TOP_KEYS and "unknown parameter" in problem:
                    problem += f" ('{key}' is a top-level key: in TOML it must come before the first [table])"
                p.items.append(f"{p.source}: attacks.{attack_id}.{problem}")
    for attack_id, problems in chain_problems([i for i in a if i in ATTACKS], sources).items():
        p.items.extend(f"{p.source}: attacks.{attack_id}: {problem}" for problem in problems)
    return out


def _seeds(p: _Problems, seeds: Any) -> tuple[int, ...]:
    if not isinstance(seeds, list) or not seeds or any(seed_problem(s) is not None for s in seeds):
        p.add("seeds", seeds, "must be a non-empty list of whole numbers from 0 to 2**32 - 1")
        return (0,)
    if len(set(seeds)) != len(seeds):
        p.add("seeds", seeds, "a seed is given twice")
    return tuple(seeds)


def _thresholds(p: _Problems, t: Mapping[str, Any], attacks: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in t.items():
        attack, _, measure = key.partition(".")
        if attack not in attacks:
            p.add(f"thresholds.{key}", value, f"names no attack of this scenario; attacks are {', '.join(attacks)}")
        elif measure not in MEASURES:
            p.add(
                f"thresholds.{key}",
                value,
                "names no measure; see synth list measures",
                measure,
                list(MEASURES),
            )
        elif not isinstance(value, int | float) or isinstance(value, bool):
            p.add(f"thresholds.{key}", value, "must be a number (the largest value allowed)")
        else:
            out[key] = float(value)
    return out
