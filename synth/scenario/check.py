"""The gate: compare a run's results with thresholds (the largest value allowed of a measure), and its
recommendations with the policies required for each purpose (``synth check --require``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from synth.errors import SpecError, did_you_mean
from synth.measure.decision import Decision, decide_run
from synth.measure.names import MEASURES


@dataclass(frozen=True)
class Breach:
    """One figure above its threshold."""

    policy: str
    seed: int
    attack: str
    measure: str
    value: float
    maximum: float

    def __str__(self) -> str:
        return (
            f"policy {self.policy}, seed {self.seed}: {self.attack}.{self.measure} = {self.value:.6g} "
            f"exceeds the maximum {self.maximum:.6g}"
        )


def parse_max(items: Sequence[str]) -> dict[str, float]:
    """``ATTACK.MEASURE=VALUE`` or ``MEASURE=VALUE`` (every attack) from the command line."""
    out: dict[str, float] = {}
    problems = []
    for item in items:
        key, sep, value = item.partition("=")
        measure = key.rpartition(".")[2]
        if not sep or not key:
            problems.append(f"--max {item!r}: expected MEASURE=VALUE or ATTACK.MEASURE=VALUE")
            continue
        if measure not in MEASURES:
            problems.append(
                f"--max {item!r}: unknown measure '{measure}'; see synth list measures"
                + did_you_mean(measure, list(MEASURES))
            )
            continue
        try:
            out[key] = float(value)
        except ValueError:
            problems.append(f"--max {item!r}: '{value}' is not a number")
    if problems:
        raise SpecError("\n".join(problems))
    return out


def decision_of(run_dir: Path) -> Decision:
    """The decision of a finished run, from its results, its resolved scenario and its notes."""
    resolved = json.loads((run_dir / "scenario.resolved.json").read_text())
    notes = json.loads((run_dir / "notes.json").read_text()) if (run_dir / "notes.json").is_file() else []
    return decide_run(pl.read_parquet(run_dir / "results.parquet"), resolved, notes)


def thresholds_of(run_dir: Path) -> dict[str, float]:
    """The thresholds in the run's scenario file."""
    resolved = json.loads((run_dir / "scenario.resolved.json").read_text())
    return {k: float(v) for k, v in resolved.get("scenario", {}).get("thresholds", {}).items()}


def check(results: pl.DataFrame, thresholds: Mapping[str, float]) -> list[Breach]:
    """Every (policy, seed) figure of the totals above its threshold, in the results' order."""
    breaches = []
    totals = results.filter(pl.col("group") == "all")
    for key, maximum in thresholds.items():
        attack, _, measure = key.rpartition(".")
        rows = totals.filter(pl.col("measure") == measure)
        if attack:
            rows = rows.filter(pl.col("attack") == attack)
        for r in rows.filter(pl.col("value") > maximum).iter_rows(named=True):
            breaches.append(Breach(r["policy"], r["seed"], r["attack"], measure, r["value"], maximum))
    return breaches


ANY = "any"  # --require PURPOSE=any: some policy must serve the purpose


@dataclass(frozen=True)
class Requirement:
    """``purpose`` must be served by ``policy`` (or by some policy, for :data:`ANY`)."""

    purpose: str
    policy: str


def parse_require(items: Sequence[str], purposes: Sequence[str], policies: Sequence[str]) -> list[Requirement]:
    """``PURPOSE=POLICY``, ``PURPOSE=any`` or ``POLICY=PURPOSE[,PURPOSE...]`` from the command line, checked against
    the run's purposes and policies."""
    out: list[Requirement] = []
    problems = []
    names = f"purposes: {', '.join(purposes)}; policies: {', '.join(policies)}"
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            problems.append(f"--require {item!r}: expected PURPOSE=POLICY, PURPOSE=any or POLICY=PURPOSE")
        elif key in purposes:
            if value != ANY and value not in policies:
                problems.append(
                    f"--require {item!r}: '{value}' is not a policy of this run; allowed are {', '.join(policies)} "
                    f"or {ANY}" + did_you_mean(value, [*policies, ANY])
                )
            else:
                out.append(Requirement(key, value))
        elif key in policies:
            for purpose in value.split(","):
                if purpose not in purposes:
                    problems.append(
                        f"--require {item!r}: '{purpose}' is not a purpose of this run; allowed are "
                        f"{', '.join(purposes)}" + did_you_mean(purpose, list(purposes))
                    )
                else:
                    out.append(Requirement(purpose, key))
        else:
            problems.append(
                f"--require {item!r}: '{key}' is neither a purpose nor a policy of this run ({names})"
                + did_you_mean(key, [*purposes, *policies])
            )
    if problems:
        raise SpecError("\n".join(problems))
    return out


def unmet(decision: Decision, requirements: Sequence[Requirement]) -> list[str]:
    """Why each requirement the run's recommendations do not meet fails, in order."""
    chosen = {r.purpose: r for r in decision.recommendations}
    failures = []
    for req in requirements:
        rec = chosen[req.purpose]
        if rec.policy is None:
            failures.append(f"{req.purpose}: no policy serves it (required {req.policy}): {rec.why}")
        elif req.policy not in (ANY, rec.policy):
            failures.append(f"{req.purpose}: the recommended policy is {rec.policy}, not {req.policy}: {rec.why}")
    return failures
