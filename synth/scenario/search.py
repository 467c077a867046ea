"""A searched privacy-utility frontier: candidate policies composed from the shipped steps over a declared grid,
screened with the cheap attacks, and the candidates no other beats on exposure and on a purpose attacked in full.

A scenario asks for it with::

    [search]
    drop = [[], ["name"]]                       # sets of fields to drop
    age = ["exact", "bands_5", "bands_10"]      # search.toml: exact, bands_5, bands_10, drop
    place = ["ward", "local_body", "taluk"]     # ward, local_body, taluk, district
    phone = ["plain", "masked", "hmac", "drop"]
    k = [0, 5]                                  # k-anonymity over place, age and gender (0: none)
    screen = ["caller_id_lookup", "exact_linkage", "reidentification", "singling_out", "reach"]

Every combination is a candidate (its id names its options: ``search_noname_age5_lb_hmac_k5``). The candidates
run with the ``screen`` attacks only (seconds each on a district); the frontier is every candidate that no
other candidate beats, for some purpose, on both the share re-identified and the share of the purpose kept (at
least as good on both, better on one); the frontier then runs with the scenario's every attack, and each of its
policies is written as a policy file that ``synth run`` accepts. A screened figure is a lower bound of what the
full attacker does (the screen chains fewer attacks), and the report says so beside it.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from synth.core.coding import GEO_COLUMNS
from synth.errors import PolicyError
from synth.measure.names import CALLER_ID_LOOKUP, EXACT_LINKAGE, HEADLINE, REACH, SINGLING_OUT
from synth.policies.base import Policy
from synth.policies.library import policy_from_dict
from synth.scenario.problem import Problem, checked_table

GRID_FILE = Path(__file__).with_name("search.toml")
SEARCH_KEYS = ("drop", "age", "place", "phone", "k", "screen")
SCREEN = (CALLER_ID_LOOKUP, EXACT_LINKAGE, HEADLINE, SINGLING_OUT, REACH)  # the cheap attacks, chained
MIN_CANDIDATES = 2


@dataclass(frozen=True)
class SearchPlan:
    """The candidates of a search (policies named for their options) and the attacks that screen them."""

    candidates: tuple[Policy, ...]
    screen: tuple[str, ...]


def grid() -> dict[str, dict[str, Any]]:
    """The options of each grid key, from ``search.toml``."""
    return tomllib.loads(GRID_FILE.read_text(encoding="utf-8"))


def plan_search(raw: Any, fields: Sequence[str], attacks: Sequence[str], report: Problem) -> SearchPlan | None:
    """The candidates of a scenario's ``[search]`` table; every problem goes to ``report`` (None when there is
    one).

    Parameters
    ----------
    raw
        The ``[search]`` table as read.
    fields
        The release's fields.
    attacks
        The attacks the scenario runs (the screen must be among them).
    report
        Where problems go, as ``report(key, value, allowed, name, options)``.
    """
    found = [0]

    def add(*args: Any, **kwargs: Any) -> None:  # counts what it passes on: no candidates from a bad grid
        found[0] += 1
        report(*args, **kwargs)

    must = f"must be a table of {', '.join(SEARCH_KEYS)}"
    raw = checked_table(raw, "search", SEARCH_KEYS, must, add, lambda key: f" (no step '{key}' to search over)")
    if raw is None:
        return None

    options = grid()
    choices: dict[str, list[Any]] = {}
    for key in ("age", "place", "phone"):
        allowed = list(options[key])[1:]  # the first entry is the field the key varies
        value = raw.get(key, [allowed[0]])
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            add(f"search.{key}", value, f"must list at least one option of {', '.join(allowed)}")
            continue
        for v in value:
            if v not in allowed:
                add(f"search.{key}", v, f"unknown option; allowed are {', '.join(allowed)}", v, allowed)
        if options[key]["field"] not in fields and value != [allowed[0]]:
            add(f"search.{key}", value, f"the release has no {options[key]['field']} to vary")
        if len(set(value)) != len(value):
            add(f"search.{key}", value, "an option is given twice")
        choices[key] = [v for v in value if v in allowed]
    choices["drop"] = _drops(raw, fields, add)
    choices["k"] = _ks(raw, add)
    screen = raw.get("screen", [a for a in SCREEN if a in attacks])
    if not isinstance(screen, list) or not screen or not all(isinstance(a, str) for a in screen):
        add("search.screen", screen, f"must list at least one attack of this scenario ({', '.join(attacks)})")
        screen = []
    for a in screen:
        if a not in attacks:
            add("search.screen", a, f"not an attack of this scenario; allowed are {', '.join(attacks)}", a, attacks)
    if found[0]:
        return None
    candidates = _candidates(choices, fields, add)
    if candidates is not None and len(candidates) < MIN_CANDIDATES:
        add(
            "search", dict(raw), f"the grid makes {len(candidates)} candidate; a search needs at least {MIN_CANDIDATES}"
        )
        return None
    return None if candidates is None else SearchPlan(tuple(candidates), tuple(screen))


def _drops(raw: Mapping[str, Any], fields: Sequence[str], add: Problem) -> list[tuple[str, ...]]:
    value = raw.get("drop", [[]])
    if not isinstance(value, list) or not value or not all(isinstance(v, list) for v in value):
        add("search.drop", value, "must list sets of fields to drop, for example [[], ['name']]")
        return []
    varied = {"age": "age", "phone": "phone", **dict.fromkeys(GEO_COLUMNS, "place")}
    out = []
    for option in value:
        for f in option:
            if f not in fields:
                add("search.drop", option, f"'{f}' is not a field of the release; allowed are {', '.join(fields)}")
            elif f in varied and varied[f] in raw:
                add(
                    "search.drop",
                    option,
                    f"contradicts search.{varied[f]}, which varies {f} (give its drop there: "
                    f"{varied[f]} = [..., 'drop'])"
                    if varied[f] != "place"
                    else "contradicts search.place, which varies the places (coarsen there instead)",
                )
        out.append(tuple(option))
    if len(set(out)) != len(out):
        add("search.drop", value, "a set of fields is given twice")
    return out


def _ks(raw: Mapping[str, Any], add: Problem) -> list[int]:
    value = raw.get("k", [0])
    if not isinstance(value, list) or not value:
        add("search.k", value, "must list at least one k (0: no k-anonymity)")
        return []
    for k in value:
        if isinstance(k, bool) or not isinstance(k, int) or k == 1 or k < 0:
            add("search.k", k, "must be 0 (no k-anonymity) or a whole number of at least 2")
    return [k for k in value if isinstance(k, int)]


def _candidates(choices: Mapping[str, list[Any]], fields: Sequence[str], add: Problem) -> list[Policy] | None:
    options = grid()
    out: list[Policy] = []
    for drop, age, place, phone, k in itertools.product(
        choices["drop"], choices["age"], choices["place"], choices["phone"], choices["k"]
    ):
        steps: list[dict[str, Any]] = [{"step": "drop", "columns": list(drop)}] if drop else []
        codes = [f"no{'_'.join(drop)}"] if drop else []
        for key, option in (("age", age), ("place", place), ("phone", phone)):
            steps += options[key][option]["steps"]
            codes += [options[key][option]["code"]] if options[key][option]["code"] else []
        if k:
            columns = _released(steps, fields)
            finest = next((c for c in GEO_COLUMNS if c in columns), None)
            keys = [c for c in (finest, "age", "gender") if c is not None and c in columns]
            steps.append({"step": "k_anonymity", "k": k, "quasi_identifiers": keys, "max_suppression": 0.01})
            codes.append(f"k{k}")
        policy_id = "search_" + ("_".join(codes) or "as_exported")
        try:
            policy = policy_from_dict(
                {"policy": {"id": policy_id, "description": _describe(drop, age, place, phone, k)}, "steps": steps}
            )
            policy.check(["row_id", *fields])
        except PolicyError as exc:
            add("search", policy_id, f"a candidate the shipped steps cannot make: {exc}")
            return None
        out.append(policy)
    return out


def _released(steps: list[dict[str, Any]], fields: Sequence[str]) -> list[str]:
    policy = policy_from_dict({"policy": {"id": "probe"}, "steps": steps})
    columns = ["row_id", *fields]
    for step in policy.steps:
        columns = step.output_columns(columns)
    return columns


def _describe(drop: tuple[str, ...], age: str, place: str, phone: str, k: int) -> str:
    parts = [f"without {', '.join(drop)}"] if drop else []
    parts += [f"age {age.replace('_', ' ')}"] if age != "exact" else []
    parts += [f"places to {place.replace('_', ' ')}"] if place != "ward" else []
    parts += [f"phone {phone}"] if phone != "plain" else []
    parts += [f"{k}-anonymous over place, age and gender"] if k else []
    return "Searched candidate: " + ("; ".join(parts) or "the release as exported") + "."


def pareto(points: Sequence[tuple[str, float, float]]) -> list[str]:
    """The ids of ``(id, exposure, kept)`` points that no other point beats: none has exposure at most theirs and
    kept at least theirs with one of the two strictly better. Ties on both are all kept, in the given order."""
    front = []
    for pid, exposure, kept in points:
        beaten = any(
            e <= exposure and k >= kept and (e < exposure or k > kept) for other, e, k in points if other != pid
        )
        if not beaten:
            front.append(pid)
    return front


def policy_toml(policy: Policy) -> str:
    """The policy as a policy file (``[policy]`` and its ``[[steps]]``) that :func:`load_policy` reads back."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment("Written by synth's searched frontier (synth.scenario.search)."))
    head = tomlkit.table()
    head.add("id", policy.id)
    head.add("description", policy.description)
    doc.add("policy", head)
    steps = tomlkit.aot()
    for step in policy.steps:
        table = tomlkit.table()
        table.add("step", step.step)
        for name, value in step.get_params().items():
            if value is not None:
                table.add(name, list(value) if isinstance(value, tuple) else value)
        steps.append(table)
    if policy.steps:
        doc.add("steps", steps)
    return tomlkit.dumps(doc)
