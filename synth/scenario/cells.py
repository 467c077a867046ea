"""One cell of a scenario: a seed and a policy, every attack and purpose on it, as tidy rows.

A cell takes the release (as exported), keeps the share that leaks onward, applies the policy, and runs
each attack with its naive baseline through the same function, scoring against the truth afterwards. An
attack that cannot apply to what the policy left (no digests to reverse, no column to learn a secret
from, an aggregate release) gives no figures and a note saying why. Every draw comes from a generator
seeded by (scenario seed, attack), so cells can run in any order or process and agree, and policies are
compared on the same draws.
"""

from __future__ import annotations

import copy
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from synth.attacks.attribute_inference import AttributeInferenceParams, attribute_inference
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.exact_linkage import exact_linkage, shuffled_view
from synth.attacks.hash_reversal import HEX64, hash_reversal, random_guesses
from synth.attacks.membership_inference import MembershipInferenceParams, membership_inference
from synth.attacks.probabilistic_linkage import ProbabilisticLinkageParams, probabilistic_linkage
from synth.attacks.reach import reach
from synth.attacks.registry import ATTACKS
from synth.attacks.singling_out import quasi_identifiers, singling_out
from synth.errors import PolicyError, SpecError
from synth.measure.breakdown import breakdown_rows, roll_strata
from synth.measure.hash_reversal import recovered_rows, score_hash_reversal
from synth.measure.inference import right_labels, score_inference, true_secrets
from synth.measure.membership import membership_split, membership_targets, score_membership
from synth.measure.names import measure_rows
from synth.measure.reach import score_reach
from synth.measure.release import k_anonymity
from synth.measure.scoring import correct_rows, score_linkage
from synth.measure.uniqueness import (
    population_counts,
    population_uniqueness,
    score_singling_out,
    singled_out_rows,
)
from synth.measure.utility import utility
from synth.policies.apply import MinimizedRelease, minimize
from synth.policies.base import Policy
from synth.release.build import Release
from synth.world.api import World
from synth.world.phones import load_plan

RESULT_SCHEMA = {
    "scenario": pl.String,
    "seed": pl.Int64,
    "policy": pl.String,
    "attack": pl.String,
    "group": pl.String,
    "measure": pl.String,
    "value": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
}
# Attacks run in the registry's order inside a cell: reach, last, uses what linkage and hash reversal recovered.
ORDER = tuple(ATTACKS)


@dataclass
class CellContext:
    """What every cell of one seed shares: the world, the export, the leaked part and the attacker's sources."""

    scenario: str
    world: World
    release: Release
    leaked: Release
    aux: AuxiliaryData
    roll_truth: pl.DataFrame
    seed: int
    strata: pl.DataFrame  # true registry, district and age band of every leaked row, computed once per seed
    found: dict[str, pl.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class CellResult:
    """Rows of one (seed, policy, attack) cell, and notes on what could not be measured and why."""

    rows: pl.DataFrame
    notes: tuple[str, ...]


def rng_for(seed: int, *names: str) -> np.random.Generator:
    """A generator seeded by the scenario seed and names (an attack's id, say).

    Cells of different policies draw the same numbers for the same attack (common random numbers), so a
    difference between two policies is the policies' doing, not the draw's.
    """
    keys = [zlib.crc32(n.encode()) for n in names]
    return np.random.default_rng(np.random.SeedSequence([seed, *keys]))


def leak(release: Release, share: float, rng: np.random.Generator) -> Release:
    """The part of a release that reaches the attacker after the recipient's onward leak."""
    if share >= 1:
        return release
    keep = np.sort(rng.choice(release.data.height, round(share * release.data.height), replace=False))
    return Release(spec=release.spec, data=release.data[keep], truth=release.truth[keep])


def sample_sources(aux: AuxiliaryData, coverage: dict[str, float], rng: np.random.Generator) -> AuxiliaryData:
    """Each granted source cut to the share of its rows the attacker holds."""
    tables: dict[str, pl.DataFrame | None] = {}
    for source in ("electoral_roll", "caller_id"):
        table = getattr(aux, source)
        share = coverage.get(source, 1.0)
        if table is not None and share < 1:
            table = table[np.sort(rng.choice(table.height, round(share * table.height), replace=False))]
        tables[source] = table
    return AuxiliaryData(electoral_roll=tables["electoral_roll"], caller_id=tables["caller_id"])


def minimized_for(ctx: CellContext, policy: Policy) -> MinimizedRelease:
    """The leaked release under ``policy`` (a fresh copy of the policy: fitting is per cell)."""
    return minimize(ctx.leaked, copy.deepcopy(policy))


def run_cell(
    ctx: CellContext, policy: Policy, minimized: MinimizedRelease, attack_id: str, params: dict[str, Any]
) -> CellResult:
    """Run one attack (or ``release`` / ``utility``) on one minimized release; tidy rows out."""
    rng = rng_for(ctx.seed, attack_id)
    try:
        score, breakdown = _RUNNERS[attack_id](ctx, policy, minimized, params, rng)
    except (SpecError, PolicyError) as exc:
        return CellResult(_frame(ctx, policy.id, attack_id, []), (f"{policy.id} / {attack_id}: {exc}",))
    scores = score if isinstance(score, tuple) else (score,)
    rows = [("all", *r) for s in scores for r in measure_rows(s)]
    if attack_id == "utility":
        purposes = tuple(params.get("purposes", ()))
        rows = [r for r in rows if str(r[1]).startswith(tuple(f"{p}_" for p in purposes))]
    frame = _frame(ctx, policy.id, attack_id, rows)
    if breakdown is not None and breakdown.height:
        extra = breakdown.select(
            scenario=pl.lit(ctx.scenario),
            seed=pl.lit(ctx.seed, dtype=pl.Int64),
            policy=pl.lit(policy.id),
            attack=pl.lit(attack_id),
            group="group",
            measure="measure",
            value="value",
            ci_low="ci_low",
            ci_high="ci_high",
        )
        frame = pl.concat([frame, extra.cast(RESULT_SCHEMA)])
    return CellResult(frame, ())


def _frame(ctx: CellContext, policy: str, attack: str, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(ctx.scenario, ctx.seed, policy, attack, *r) for r in rows], schema=RESULT_SCHEMA, orient="row"
    )


def _not_people(minimized: MinimizedRelease, attack_id: str) -> None:
    if not minimized.rows_are_people:
        raise SpecError(f"attack '{attack_id}': the release's rows are not people (synthetic or aggregate)")


def _linkage(ctx: CellContext, minimized: MinimizedRelease, guesses: pl.DataFrame, baseline: pl.DataFrame, key: str):  # type: ignore[no-untyped-def]
    view = minimized.view
    ctx.found[key] = guesses
    score = score_linkage(guesses, baseline, minimized.truth, ctx.roll_truth, rows=view.data.height)
    right = correct_rows(guesses, minimized.truth, ctx.roll_truth)
    return score, breakdown_rows(right, _strata(ctx, minimized), "recall")


def _strata(ctx: CellContext, minimized: MinimizedRelease) -> pl.DataFrame:
    """The strata of the rows the policy kept (a subset of the leaked rows)."""
    return ctx.strata.join(minimized.truth.select("row_id"), on="row_id", how="semi")


def _exact(ctx, policy, minimized, params, rng):  # type: ignore[no-untyped-def]
    _not_people(minimized, "exact_linkage")
    view = minimized.view
    guesses = exact_linkage(view, ctx.aux, rng)
    baseline = exact_linkage(shuffled_view(view, rng), ctx.aux, rng)
    return _linkage(ctx, minimized, guesses, baseline, "links")


def _probabilistic(ctx, policy, minimized, params, rng):  # type: ignore[no-untyped-def]
    _not_people(minimized, "probabilistic_linkage")
    view, p = minimized.view, ProbabilisticLinkageParams(**params)
    guesses = probabilistic_linkage(view, ctx.aux, rng, p).select("row_id", "epic")
    baseline = probabilistic_linkage(shuffled_view(view, rng), ctx.aux, rng, p).select("row_id", "epic")
    return _linkage(ctx, minimized, guesses, baseline, "fuzzy_links")


def _singling_out(ctx, policy, minimized, params, rng):  # type: ignore[no-untyped-def]
    # Synthetic rows single people out too, when their values are unique in the population (as anonymeter
    # scores synthetic data); only the breakdown needs rows that are people.
    view = minimized.view
    if "row_id" not in view.data.columns:
        raise SpecError("attack 'singling_out': the release has no rows (aggregate counts)")
    guesses = singling_out(view, ctx.aux, rng)
    keys = quasi_identifiers(view.data)
    counts = population_counts(ctx.world, view.data, keys)
    baseline = singling_out(shuffled_view(view, rng), ctx.aux, rng)
    score = score_singling_out(guesses, baseline, view.data, counts)
    if not minimized.rows_are_people:
        return score, None
    right = singled_out_rows(guesses, counts)
    return score, breakdown_rows(right, _strata(ctx, minimized), "unique_in_population")


def _attribute(ctx, policy, minimized, params, rng):  # type: ignore[no-untyped-def]
    p = AttributeInferenceParams(**params)
    view = minimized.view
    attack = attribute_inference(view, ctx.aux, rng, p)
    base = attribute_inference(view, ctx.aux, rng, AttributeInferenceParams(p.secret, "majority", p.max_train_rows))
    truth = true_secrets(ctx.world, p.secret)
    score = score_inference(attack, base, truth)
    return score, breakdown_rows(right_labels(attack, truth), roll_strata(ctx.world), "accuracy")


def _hash(ctx, policy, minimized, params, rng):  # type: ignore[no-untyped-def]
    view = minimized.view
    if "phone" not in view.data.columns or not view.data["phone"].drop_nulls().str.contains(HEX64.pattern).any():
        raise SpecError("attack 'hash_reversal': the release's phone column holds no SHA-256 digests to reverse")
    plan = load_plan(str(ctx.world.manifest["build"]["phone_plan"]))
    result = hash_reversal(view, ctx.aux, rng, plan, budget=params.get("budget"))
    baseline = random_guesses(view, rng, plan)
    exported = ctx.leaked.data.select("row_id", "phone").join(view.data.select("row_id"), on="row_id", how="semi")
    ctx.found["phones"] = result.guesses
    score = score_hash_reversal(result, baseline, exported)
    right = recovered_rows(result.guesses, exported)
    return score, breakdown_rows(right, _strata(ctx, minimized), "recall")


def _membership(ctx, policy, minimized, params, rng):  # type: ignore[no-untyped-def]
    own = {k: v for k, v in params.items() if k not in ("targets_per_side", "holdout_share")}
    split = membership_split(ctx.leaked, rng, params.get("holdout_share", 0.5))
    trained = minimize(split.training, copy.deepcopy(policy))
    if trained.view.data.height == 0 or "row_id" not in trained.view.data.columns:
        raise SpecError("attack 'membership_inference': the policy releases no rows to be close to")
    per_side = min(params.get("targets_per_side", 1000), split.training.data.height, split.holdout.height)
    targets = membership_targets(split, per_side, rng)
    aux = AuxiliaryData(membership_targets=targets.records)
    p = MembershipInferenceParams(**own)
    guesses = membership_inference(trained.view, aux, rng, p)
    baseline = membership_inference(trained.view, aux, rng, MembershipInferenceParams(p.flag_share, "random"))
    return score_membership(guesses, baseline, targets.truth), None


def _reach(ctx, policy, minimized, params, rng):  # type: ignore[no-untyped-def]
    _not_people(minimized, "reach")
    links = ctx.found.get("links")
    if links is None:
        links = ctx.found.get("fuzzy_links")
    marks = reach(minimized.view, ctx.aux, rng, recovered_phones=ctx.found.get("phones"), links=links)
    score = score_reach(marks, minimized.truth)
    table = _strata(ctx, minimized)
    by_group = [
        breakdown_rows(marks.filter(pl.col(mark)).select("row_id"), table, mark)
        for mark in ("contactable", "fraud_ready")
    ]
    return score, pl.concat(by_group)


def _release_measures(ctx, policy, minimized, params, rng):  # type: ignore[no-untyped-def]
    data = minimized.view.data
    keys = quasi_identifiers(data)
    if "row_id" not in data.columns:
        raise SpecError("release measures: the release has no rows (aggregate counts)")
    if data.height == 0:
        raise SpecError("release measures: the release is empty (nothing leaves the controller)")
    if not keys:
        raise SpecError("release measures: the release has no quasi-identifier")
    counts = population_counts(ctx.world, data, keys)
    return (k_anonymity(data, keys), population_uniqueness(data, counts, keys)), None


def _utility(ctx, policy, minimized, params, rng):  # type: ignore[no-untyped-def]
    return utility(ctx.leaked, minimized, ctx.world, rng), None  # purposes are picked from its rows


_RUNNERS: dict[str, Any] = {
    "exact_linkage": _exact,
    "probabilistic_linkage": _probabilistic,
    "singling_out": _singling_out,
    "attribute_inference": _attribute,
    "hash_reversal": _hash,
    "membership_inference": _membership,
    "reach": _reach,
    "release": _release_measures,
    "utility": _utility,
}
