"""A composed scenario's seed: every release built, leaked and minimized, attacked alone, then in every pair and
all together, the way one attacker holding them all would.

For each combination of releases the attacker starts from what each release alone gave it (the scenario's
attacks run on it: hash reversal, caller-ID lookup, linkage), links the releases to each other
(:mod:`synth.attacks.cross_release`: equal identifiers, equal quasi-identifiers, rows linked to one roll entry),
hands every row what its twins gave away, and runs the attacks again on what it now knows; it repeats until a
round teaches it nothing new. Then, scored against the truth, per person over every release of the combination:
re-identified (some row linked to the person's own roll entry), contactable and fraud-ready (the reach attack on
each release's rows), and per release the rows re-identified and the phone numbers recovered (a number the
release withheld, now known and right). Every draw is seeded by the scenario seed, the attack and the release.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from synth.attacks import composition, cross_release
from synth.attacks.base import NotApplicable
from synth.attacks.composition import intersect, score_composition
from synth.attacks.cross_release import entry_links, key_links, masked_links, quasi_links, transfer
from synth.attacks.knowledge import RELEASED, Knowledge
from synth.attacks.reach import ATTACK_ID as REACH
from synth.attacks.reach import reach
from synth.attacks.registry import ATTACKS, run_order
from synth.attacks.reidentification import right_links
from synth.core.coding import GEO_COLUMNS
from synth.engine import Engine, run_tasks
from synth.engine.io import Progress, atomic_parquet, atomic_text
from synth.measure.composed import composed_table
from synth.measure.names import COMPOSED, measure_rows
from synth.measure.results import RESULT_SCHEMA
from synth.policies.apply import MinimizedRelease, minimize
from synth.policies.base import Policy
from synth.policies.tokenize import Tokenize
from synth.release import make_release
from synth.release.build import AttackerView
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scenario.cells import CellContext, cell_for, leak, rng_for, sample_sources
from synth.scenario.composed import ReleasePlan, keyed_steps
from synth.scenario.seeding import SEED_PARAM, seeded_policy, step_seed
from synth.scenario.spec import Scenario
from synth.scoring.breakdown import strata
from synth.scoring.stats import Rate, wilson
from synth.world.api import World, open_world

ATTACK = COMPOSED  # the results' attack column for every figure of a composed scenario
COMPOSITION = composition.ATTACK_ID  # the composition attack's figures
CROSS_LINKAGE = cross_release.ATTACK_ID  # two releases linked on what they share
MAX_ROUNDS = 4  # link, hand over, attack again: a round that teaches nothing new ends it sooner


@dataclass(frozen=True)
class Exposure:
    """A combination's people (each counted once, whichever releases hold them): re-identified, contactable and
    fraud-ready shares of the people released."""

    people_released: int
    reidentified_share: Rate
    contactable_share: Rate
    fraud_ready_share: Rate


@dataclass(frozen=True)
class MemberExposure:
    """One release within a combination: its rows re-identified, its rows that released no plain phone number
    (``phones_withheld``), and of those the numbers the attacker now knows, right."""

    rows: int
    reidentified_share: Rate
    phones_withheld: int
    phones_recovered: Rate


@dataclass(frozen=True)
class CrossLinkScore:
    """Rows of the first release of a pair linked to rows of the second on what both release (``guesses``), and
    those that are one person (``correct``)."""

    rows: int
    guesses: int
    correct: int
    precision: Rate


@dataclass(frozen=True)
class Held:
    """One release as the attacker holds it, with what scoring needs (the cell's context) and what the attacks
    alone found."""

    plan: ReleasePlan
    ctx: CellContext
    minimized: MinimizedRelease
    alone: Knowledge


def keyed_policy(policy: Policy, key: str | None, seed: int, release: str) -> Policy:
    """``policy`` as ``release`` applies it: its random steps seeded by the scenario seed and the release (two
    releases' salts and vaults are independent, whatever policy they share), its keyed steps naming ``key``; a
    tokenize step naming a key is seeded by the key's name, so that every release naming it shares one vault."""
    out = seeded_policy(policy, seed)
    for i, step in enumerate(out.steps):
        if SEED_PARAM in step.get_params():
            out.steps[i] = type(step)(**{**step.get_params(), SEED_PARAM: step_seed(seed, f"{release}/{policy.id}", i)})
    if key is None:
        return out
    for i in keyed_steps(out):
        params = {**out.steps[i].get_params(), "key_name": key}
        if isinstance(out.steps[i], Tokenize):
            params["random_state"] = step_seed(seed, f"key:{key}", 0)
        out.steps[i] = type(out.steps[i])(**params)
    return out


def dated(minimized: MinimizedRelease, plan: ReleasePlan, world: World) -> MinimizedRelease:
    """The release with its reference date (its own, or the world's) and the roll's qualifying date stated beside
    it, as a list's date is known: the linkage attacks shift ages by the years between them."""
    stated = {
        "reference_date": plan.spec.date or world.manifest["reference_date"],
        "roll_qualifying_date": world.manifest["roll_qualifying_date"],
    }
    view = AttackerView(minimized.view.data, {**minimized.view.metadata, **stated})
    return dataclasses.replace(minimized, view=view)


def combinations(ids: Sequence[str]) -> list[tuple[str, ...]]:
    """Each release alone, every pair, and all of them together (when there are more than two)."""
    out: list[tuple[str, ...]] = [(i,) for i in ids]
    out += itertools.combinations(ids, 2)
    return [*out, tuple(ids)] if len(ids) > 2 else out


def label(combo: Sequence[str]) -> str:
    """A combination's name in the results: its releases joined by '+'."""
    return "+".join(combo)


def run_seed(
    scenario_id: str,
    world: World,
    plans: Sequence[ReleasePlan],
    attacks: Mapping[str, Any],
    sources: Sequence[str],
    coverage: Mapping[str, float],
    seed: int,
    composition: tuple[str, str] | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """Every combination's figures for one seed (tidy rows, :data:`RESULT_SCHEMA`), with the composition attack's
    on the two releases ``composition`` names, and notes on what did not apply."""
    aux = sample_sources(auxiliary_from_world(world, list(sources)), dict(coverage), rng_for(seed, "coverage"))
    roll_truth = world.table("roll_truth").collect()
    notes: list[str] = []
    held: dict[str, Held] = {}
    for plan in plans:
        release = make_release(world, plan.spec)
        leaked = leak(release, plan.onward_leak, rng_for(seed, "onward_leak", plan.id))
        minimized = dated(minimize(leaked, keyed_policy(plan.policy, plan.key, seed, plan.id)), plan, world)
        ctx = CellContext(scenario_id, world, release, leaked, aux, roll_truth, seed, strata(world, leaked))
        start = Knowledge.from_view(minimized.view)
        held[plan.id] = Held(plan, ctx, minimized, _attack(ctx, minimized, attacks, start, plan.id, notes))

    pairs: dict[tuple[str, str], pl.DataFrame] = {}
    for a, b in itertools.combinations(held, 2):  # links are symmetric: made once, read both ways
        views = (held[a].minimized.view, held[b].minimized.view)
        kinds = [key_links(*views), masked_links(*views), quasi_links(*views)]
        pairs[(a, b)] = pl.concat(kinds)
        pairs[(b, a)] = pl.concat([k.select(row_id="other", other="row_id", how="how").sort("row_id") for k in kinds])
    frames = [
        _score(combo, _compose(combo, held, pairs, attacks), held, seed, scenario_id)
        for combo in combinations(list(held))
    ]
    frames += [_linkage(held[a], held[b], pairs[(a, b)], seed, scenario_id) for a, b in itertools.combinations(held, 2)]
    if composition is not None:
        frames.append(_composition(held[composition[0]], held[composition[1]], world, seed, scenario_id, notes))
    return pl.concat(frames), notes


def _linkage(a: Held, b: Held, links: pl.DataFrame, seed: int, scenario_id: str) -> pl.DataFrame:
    """How well the releases link to each other on what they share (before any attack): pairs of rows linked, and
    those that are one person, with precision; and per kind of link (group ``link=...``) the same counts."""
    truth_a = a.minimized.truth.select("row_id", "person_id")
    truth_b = b.minimized.truth.select(other="row_id", twin="person_id")
    marked = (
        links.join(truth_a, on="row_id")
        .join(truth_b, on="other")
        .with_columns(right=pl.col("person_id") == pl.col("twin"))
    )
    distinct = marked.unique(["row_id", "other"])  # a pair two kinds of link tie is one link
    correct = int(distinct["right"].sum())
    score = CrossLinkScore(
        rows=truth_a.height, guesses=distinct.height, correct=correct, precision=wilson(correct, distinct.height)
    )
    combo = label((a.plan.id, b.plan.id))
    rows = [(scenario_id, seed, combo, CROSS_LINKAGE, "all", *m) for m in measure_rows(score)]
    for (how,), part in sorted(marked.partition_by("how", as_dict=True).items()):
        rows += [
            (scenario_id, seed, combo, CROSS_LINKAGE, f"link={how}", "guesses", float(part.height), None, None),
            (scenario_id, seed, combo, CROSS_LINKAGE, f"link={how}", "correct", float(part["right"].sum()), None, None),
        ]
    return pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")


def _composition(a: Held, b: Held, world: World, seed: int, scenario_id: str, notes: list[str]) -> pl.DataFrame:
    """The composition attack on two releases, scored against the first one's people and the roll's truth."""
    combo = label((a.plan.id, b.plan.id))
    if a.plan.spec.date != b.plan.spec.date:
        notes.append(
            f"{combo} / {COMPOSITION}: the releases are of different dates; their classes are intersected only at one "
            "date (an age then falls in one class of each), so the attack did not run"
        )
        return pl.DataFrame(schema=RESULT_SCHEMA)
    places = world.place_names()
    regions = intersect(a.minimized.view.data, b.minimized.view.data, places)
    if regions.height == 0:
        notes.append(
            f"{combo} / {COMPOSITION}: no assignment of people fits both releases' classes (they do not hold the "
            "same people, or one has no quasi-identifier)"
        )
        return pl.DataFrame(schema=RESULT_SCHEMA)
    people = (
        a.minimized.truth.select("person_id")
        .unique()
        .join(world.people.select("person_id", "age", "sex", "ward_code").collect(), on="person_id")
        .join(places.select("ward_code", *GEO_COLUMNS), on="ward_code")
        .rename({"sex": "gender"})
    )
    roll = a.ctx.aux.electoral_roll
    if roll is None:
        notes.append(f"{combo} / {COMPOSITION}: the attacker holds no electoral roll to name anyone singled out")
        roll = pl.DataFrame(
            schema={"epic": pl.String, "age": pl.Int64, "sex": pl.String, **dict.fromkeys(GEO_COLUMNS, pl.String)}
        )
    voters = roll.select("epic", "age", *GEO_COLUMNS, gender="sex").join(
        a.ctx.roll_truth.select("epic", "person_id"), on="epic"
    )
    score = score_composition(regions, a.minimized.view.data, b.minimized.view.data, places, people, voters)
    rows = [(scenario_id, seed, combo, COMPOSITION, "all", *m) for m in measure_rows(score)]
    return pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")


def _compose(
    combo: Sequence[str],
    held: Mapping[str, Held],
    pairs: Mapping[tuple[str, str], pl.DataFrame],
    attacks: Mapping[str, Any],
) -> dict[str, Knowledge]:
    """What the attacker knows of each release's rows holding every release of ``combo``."""
    known = {r: held[r].alone for r in combo}
    for _ in range(MAX_ROUNDS if len(combo) > 1 else 0):
        before = {r: _size(k) for r, k in known.items()}
        handed = {}
        for r in combo:
            k = known[r]
            for s in combo:
                if s == r:
                    continue
                links = pl.concat([pairs[(r, s)], entry_links(known[r], known[s])])
                k = transfer(k, known[s], links, s, held[r].ctx.aux.electoral_roll)
            handed[r] = k
        # the attacks that read what the attacker knows; the others found all they could alone
        known = {r: _attack(held[r].ctx, held[r].minimized, attacks, handed[r], r, [], readers=True) for r in combo}
        if {r: _size(k) for r, k in known.items()} == before:
            break
    return known


def _size(k: Knowledge) -> tuple[int, ...]:
    return (*(int(k.facts[f].is_not_null().sum()) for f in ("phone", "name", "epic")), k.links.height)


def _attack(
    ctx: CellContext,
    minimized: MinimizedRelease,
    attacks: Mapping[str, Any],
    knowledge: Knowledge,
    release_id: str,
    notes: list[str],
    readers: bool = False,
) -> Knowledge:
    """The scenario's attacks that add to the attacker's knowledge (``readers``: only those that read it too), in
    chain order, from ``knowledge``."""
    for unit in run_order(attacks):
        attack = ATTACKS[unit]
        if not attack.adds or (readers and not attack.reads):
            continue
        cell = cell_for(ctx, minimized, knowledge, rng_for(ctx.seed, unit, release_id))
        try:
            knowledge = attack.run(cell, attacks[unit]).knowledge
        except NotApplicable as exc:
            notes.append(f"{release_id} / {unit}: {exc}")
    return knowledge


def _score(
    combo: Sequence[str], known: Mapping[str, Knowledge], held: Mapping[str, Held], seed: int, scenario_id: str
) -> pl.DataFrame:
    people = []
    rows: list[tuple[Any, ...]] = []
    for r in combo:
        h, k = held[r], known[r]
        truth = h.minimized.truth.select("row_id", "person_id")
        right = right_links(k.links, truth, h.ctx.roll_truth).filter("right").select("row_id").unique()
        marks = truth.select("row_id", contactable=pl.lit(False), fraud_ready=pl.lit(False))
        if h.minimized.rows_are_people and "row_id" in h.minimized.view.columns:
            with contextlib.suppress(NotApplicable):  # nothing sent: nobody reached through it
                marks = reach(h.minimized.view, h.ctx.aux, rng_for(seed, REACH, r), k)
        exported = (
            h.ctx.leaked.data.select("row_id", exported="phone") if "phone" in h.ctx.leaked.data.columns else None
        )
        withheld = k.facts.filter(pl.col("phone_by").is_null() | (pl.col("phone_by") != RELEASED)).select(
            "row_id", "phone"
        )
        recovered = 0
        if exported is not None:
            recovered = withheld.join(exported, on="row_id").filter(pl.col("phone") == pl.col("exported")).height
        per_row = truth.with_columns(right=pl.col("row_id").is_in(right["row_id"].implode())).join(
            marks.select("row_id", "contactable", "fraud_ready"), on="row_id", how="left"
        )
        people.append(per_row)
        member = MemberExposure(
            rows=truth.height,
            reidentified_share=wilson(right.height, truth.height),
            phones_withheld=withheld.height,
            phones_recovered=wilson(recovered, withheld.height),
        )
        rows += [(f"release={r}", *m) for m in measure_rows(member)]
    union = (
        pl.concat(people)
        .group_by("person_id")
        .agg(
            pl.col("right").any(),
            pl.col("contactable").fill_null(False).any(),
            pl.col("fraud_ready").fill_null(False).any(),
        )
    )
    n = union.height
    exposure = Exposure(
        people_released=n,
        reidentified_share=wilson(int(union["right"].sum()), n),
        contactable_share=wilson(int(union["contactable"].sum()), n),
        fraud_ready_share=wilson(int(union["fraud_ready"].sum()), n),
    )
    rows = [("all", *m) for m in measure_rows(exposure)] + rows
    return pl.DataFrame(
        [(scenario_id, seed, label(combo), ATTACK, *row) for row in rows], schema=RESULT_SCHEMA, orient="row"
    )


def run_composed(
    scenario: Scenario, world: World, out: Path, engine: Engine, progress: Progress | None
) -> tuple[pl.DataFrame, list[str]]:
    """Every seed of a composed scenario into ``out``: one task per seed, each written once finished (a rerun
    resumes from the seeds left), then ``results.parquet``, ``notes.json`` and ``results.json`` (the rows and,
    under ``composed``, :func:`synth.measure.composed.composed_table`)."""
    args = [(scenario, str(world.path), str(out), seed) for seed in scenario.seeds]
    finished = [0]

    def seed_done(i: int, _: list[str]) -> None:
        finished[0] += 1
        if progress:
            progress(finished[0], len(args), f"seed {scenario.seeds[i]} / every combination of releases")

    notes: list[str] = []
    names = [f"seed{seed}-composed" for seed in scenario.seeds]
    for seed_notes in run_tasks(engine, _seed_task, [(a,) for a in args], names, on_result=seed_done):
        notes += seed_notes
    results = pl.concat([pl.read_parquet(_seed_path(out, seed)) for seed in scenario.seeds])
    atomic_parquet(out / "results.parquet", results)
    atomic_text(out / "notes.json", json.dumps(notes, indent=1))
    table = composed_table(results, [r.id for r in scenario.releases])
    atomic_text(
        out / "results.json", json.dumps({"results": results.to_dicts(), "composed": table}, indent=1, allow_nan=False)
    )
    return results, notes


def _seed_path(out: Path, seed: int) -> Path:
    return out / "cells" / f"seed={seed}" / "composed" / "results.parquet"


def _seed_task(args: tuple[Scenario, str, str, int]) -> list[str]:
    """One seed, unless a finished run left it (its notes are written first, its results last)."""
    scenario, world_path, out_text, seed = args
    path = _seed_path(Path(out_text), seed)
    notes_path = path.with_name("notes.json")
    if path.is_file() and notes_path.is_file():
        return list(json.loads(notes_path.read_text()))
    world = open_world(world_path)
    frame, notes = run_seed(
        scenario.id,
        world,
        scenario.releases,
        scenario.attacks,
        scenario.sources,
        scenario.coverage,
        seed,
        scenario.composition,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_text(notes_path, json.dumps(notes))
    atomic_parquet(path, frame)
    return notes
