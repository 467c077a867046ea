"""One cell of a scenario: a seed and a policy, every attack and purpose on it, as tidy rows.

A cell takes the release (as exported), keeps the share that leaks onward, applies the policy (its steps
seeded by the scenario seed), and runs each attack with its naive baseline through the same function,
scoring against the truth afterwards. Attacks run as a chain: each is given what the earlier ones found
(:class:`~synth.attacks.knowledge.Knowledge`) and hands on what it adds. An attack that cannot apply to
what the policy left (no digests to reverse, no column to learn a secret from, an aggregate release)
raises :class:`~synth.attacks.base.NotApplicable`: no figures, and a note saying why. Every draw comes from
a generator seeded by (scenario seed, attack), so cells can run in any order or process and agree, and
policies are compared on the same draws.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from synth.attacks.auxiliary import SOURCES, AuxiliaryData
from synth.attacks.base import Cell, NotApplicable, Outcome, Truth
from synth.attacks.hash_schemes import numbers_in_use, released_messages
from synth.attacks.knowledge import LINK_SCHEMA, Knowledge
from synth.attacks.registry import ATTACKS
from synth.attacks.singling_out import quasi_identifiers
from synth.core.numbering import load_plan
from synth.engine.io import Memo, content_key
from synth.errors import SpecError
from synth.measure.names import measure_rows
from synth.measure.release import k_anonymity
from synth.measure.results import RESULT_SCHEMA
from synth.measure.uniqueness import population_uniqueness
from synth.measure.utility import utility
from synth.policies.apply import MinimizedRelease, minimize
from synth.policies.base import Policy
from synth.release.build import Release
from synth.scenario.seeding import seeded_policy
from synth.scoring.linkage import RightEntries
from synth.scoring.singling_out import population_counts
from synth.world.api import World


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
    cache: dict[str, Any] = field(default_factory=dict)

    def universe(self) -> np.ndarray:
        """The national numbers in use in the world (where a full enumeration of the plan can hit)."""
        if "universe" not in self.cache:
            self.cache["universe"] = numbers_in_use(self.world.people)
        result: np.ndarray = self.cache["universe"]
        return result


@dataclass(frozen=True)
class ChainState:
    """What the attacker has learnt so far in one (seed, policy) cell, carried from attack to attack."""

    knowledge: Knowledge
    baseline_links: pl.DataFrame

    @classmethod
    def start(cls, minimized: MinimizedRelease) -> ChainState:
        return cls(Knowledge.from_view(minimized.view), pl.DataFrame(schema=LINK_SCHEMA))


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
    for source in SOURCES:
        table = getattr(aux, source)
        share = coverage.get(source, 1.0)
        if table is not None and share < 1:
            table = table[np.sort(rng.choice(table.height, round(share * table.height), replace=False))]
        tables[source] = table
    return AuxiliaryData(**tables)


def minimized_for(ctx: CellContext, policy: Policy, release: Release | None = None) -> MinimizedRelease:
    """The leaked release (or ``release``) under ``policy``, its steps seeded by the scenario seed (a fresh
    copy of the policy: fitting is per cell)."""
    return minimize(ctx.leaked if release is None else release, seeded_policy(policy, ctx.seed))


def run_cell(
    ctx: CellContext,
    policy: Policy,
    minimized: MinimizedRelease,
    unit: str,
    params: Any,
    state: ChainState,
    memo: Memo | None = None,
) -> tuple[CellResult, ChainState]:
    """Run one attack (or ``release`` / ``utility``) on one minimized release: tidy rows out, and what the
    attacker knows after it. ``memo`` keeps an attack's costly parts for reuse (:attr:`Cell.memo`)."""
    rng = rng_for(ctx.seed, unit)
    try:
        if unit in ATTACKS:
            scored, state, notes = _attack(ctx, policy, minimized, unit, params, state, rng, memo)
        else:
            scored, notes = _UNITS[unit](ctx, minimized, params, rng, memo), ()
            if unit == "utility":  # a purpose the received data cannot serve: its figures are absent, say why
                notes = tuple(
                    f"{policy.id} / utility: {purpose}: {sub.reason}"
                    for purpose in params
                    if not getattr(sub := getattr(scored[0][0], purpose), "available", True)
                )
    except NotApplicable as exc:
        return CellResult(_frame(ctx, policy.id, unit, []), (f"{policy.id} / {unit}: {exc}",)), state
    scores, breakdown = scored
    rows = [("all", *r) for s in scores for r in measure_rows(s)]
    if unit == "utility":
        rows = [r for r in rows if str(r[1]).startswith(tuple(f"{p}_" for p in params))]
    frame = _frame(ctx, policy.id, unit, rows)
    if breakdown is not None and breakdown.height:
        extra = breakdown.select(
            scenario=pl.lit(ctx.scenario),
            seed=pl.lit(ctx.seed, dtype=pl.Int64),
            policy=pl.lit(policy.id),
            attack=pl.lit(unit),
            group="group",
            measure="measure",
            value="value",
            ci_low="ci_low",
            ci_high="ci_high",
        )
        frame = pl.concat([frame, extra.cast(pl.Schema(RESULT_SCHEMA))])
    return CellResult(frame, notes), state


def cell_for(
    ctx: CellContext,
    minimized: MinimizedRelease,
    knowledge: Knowledge,
    rng: np.random.Generator,
    baseline_links: pl.DataFrame | None = None,
    memo: Memo | None = None,
) -> Cell:
    """What an attack on ``minimized`` is given: its view, the attacker's sources, what the attacker knows so far,
    ``rng``, and the world's numbering plan and numbers in use; never the truth, except the roll entries of each
    row's person lent to a linkage baseline to skip the rows it cannot get right (:class:`RightEntries`)."""
    if "world_key" not in ctx.cache:  # the manifest holds every file's digest: it identifies the world
        ctx.cache["world_key"] = content_key("world", json.dumps(ctx.world.manifest, sort_keys=True, default=str))
    return Cell(
        view=minimized.view,
        aux=ctx.aux,
        knowledge=knowledge,
        rng=rng,
        rows_are_people=minimized.rows_are_people,
        plan=load_plan(str(ctx.world.manifest["build"]["phone_plan"])),
        universe=ctx.universe,
        preimages=lambda: released_messages(ctx.leaked.data, minimized.view),
        baseline_links=baseline_links,
        baseline_scope=RightEntries(minimized.truth, ctx.roll_truth, ctx.cache["world_key"]),
        memo=memo,
    )


def _attack(
    ctx: CellContext,
    policy: Policy,
    minimized: MinimizedRelease,
    attack_id: str,
    params: Any,
    state: ChainState,
    rng: np.random.Generator,
    memo: Memo | None = None,
) -> tuple[tuple[tuple[Any, ...], pl.DataFrame | None], ChainState, tuple[str, ...]]:
    attack = ATTACKS[attack_id]
    cell = cell_for(ctx, minimized, state.knowledge, rng, state.baseline_links, memo)
    exported = ctx.leaked.data.select("row_id", "phone") if "phone" in ctx.leaked.data.columns else None
    truth = Truth(
        release=minimized.truth,
        roll=ctx.roll_truth,
        strata=ctx.strata,
        exported=exported,
        world=ctx.world,
        leaked=ctx.leaked,
        refit=lambda release: minimized_for(ctx, policy, release),
        memo=memo,
    )
    cell, truth = attack.prepare(cell, truth, params)
    outcome: Outcome = attack.run(cell, params)
    scored = attack.score(outcome, truth, params)
    baseline_links = state.baseline_links
    if outcome.baseline_links is not None:
        baseline_links = pl.concat([baseline_links, outcome.baseline_links]).unique(maintain_order=True)
    notes = tuple(f"{policy.id} / {attack_id}: {n}" for n in attack.caveats(outcome, params))
    return (scored.scores, scored.breakdown), ChainState(outcome.knowledge, baseline_links), notes


def _frame(ctx: CellContext, policy: str, attack: str, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(ctx.scenario, ctx.seed, policy, attack, *r) for r in rows], schema=RESULT_SCHEMA, orient="row"
    )


def _release_measures(
    ctx: CellContext, minimized: MinimizedRelease, params: Any, rng: np.random.Generator, memo: Memo | None
) -> tuple[tuple[Any, ...], None]:
    data = minimized.view.data
    keys = quasi_identifiers(data)
    if "row_id" not in data.columns:
        raise NotApplicable("release measures: the release has no rows (aggregate counts)")
    if data.height == 0:
        raise NotApplicable("release measures: the release is empty (nothing leaves the controller)")
    if not keys:
        raise NotApplicable("release measures: the release has no quasi-identifier")
    counts = population_counts(ctx.world, data, keys, memo)  # the same as singling out's, read back
    return (k_anonymity(data, keys), population_uniqueness(data, counts, keys)), None


def _utility(
    ctx: CellContext, minimized: MinimizedRelease, params: Any, rng: np.random.Generator, memo: Memo | None
) -> tuple[tuple[Any, ...], None]:
    del memo  # utility keeps no result
    try:
        return (utility(ctx.leaked, minimized, ctx.world, rng),), None  # purposes are picked from its rows
    except SpecError as exc:  # a purpose the release cannot serve at all
        raise NotApplicable(str(exc)) from None


_UNITS: dict[str, Any] = {"release": _release_measures, "utility": _utility}
