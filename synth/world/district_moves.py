"""Moves across districts: roll entries of people who moved from one district of the world to another and are
still listed at their old address there.

A shard draws only its own local bodies (:mod:`synth.world.generate`), so an old address in another district is
given in a second phase of the build, once every shard is drawn:

1. each shard picks ``electoral_roll.moved_district_share`` of its entries still listed at home (after the moves
   within its district, :mod:`synth.world.roll_moves`) and, for each, a local body of another district of the
   world, drawn in proportion to population, and a uniform number that will pick one of its households
   (:func:`pick_leavers`). It stages its integer-coded roll without them, the leavers, and its households'
   addresses (:func:`stage_roll`) and writes every other table.
2. the leavers are read once and split by the shard of their destination (:func:`arrivals`); each shard then
   lists the leavers bound for its local bodies at the household their number picks, in its
   households' order (:func:`place_arrivals`): the ward, house number and house name of a household of the
   district, so that the address does not give them away (as for moves within a district), and renders its roll
   from the entries that stayed and the ones that came (:func:`listed_roll`).

An entry keeps its given name, relative, printed age and name format; its initials come from the house it is
listed at, as for every entry at an old address. The roll's total size is unchanged; a district's count changes
by its moves in and out. A world of one district has no other district to list anybody in, so it has none, and
its shards render their roll in one phase (:func:`crosses_districts`). A move that would print a name of a
learned world's own table is listed at the next household of the local body whose house name does not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from synth.engine.io import atomic_parquet, sha256_file
from synth.world.auxiliary import ROLL_LIVING, ROLL_MOVED
from synth.world.plan import Shard, WorldPlan
from synth.world.roll_moves import ADDRESS, local_body_blocks, printable
from synth.world.shard_context import ShardContext, local_body_number

SALT_DISTRICT_MOVES = 0x4D_44  # spawn key of a shard's generator for moves across districts
STAGE_DIR = "_stage"  # a build's staged rolls, leavers and addresses, removed when the world is finished
PLACING_ROUNDS = 64  # households tried, one after another, for a mover whose name a learned world refuses


def share(plan: WorldPlan) -> float:
    """The preset's (or the scenario's) ``electoral_roll.moved_district_share``."""
    return float(plan.preset.params["electoral_roll"]["moved_district_share"])


def crosses_districts(plan: WorldPlan) -> bool:
    """Whether a build of ``plan`` lists entries across districts: two districts or more and a share above 0."""
    return plan.local_bodies["district_code"].n_unique() > 1 and share(plan) > 0


def district_moves_rng(seed: int, first_local_body: str) -> np.random.Generator:
    """The generator of a shard's moves across districts, from ``(seed, SALT_DISTRICT_MOVES, its first local
    body's number)``."""
    key = (SALT_DISTRICT_MOVES, local_body_number(first_local_body))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def pick_leavers(
    status: np.ndarray, destinations: pl.DataFrame, fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, pl.DataFrame]:
    """Which entries leave and where to: ``fraction`` of those of ``status`` living (listed at home).

    ``destinations`` are the local bodies of the other districts (``local_body_code``, ``population``). Returns
    the positions of the leavers and, for each, its ``destination`` local body (drawn in proportion to
    population) and the ``draw`` in [0, 1) that picks the household there.

    Examples
    --------
    >>> where, to = pick_leavers(np.array([0, 1, 0, 0]), pl.DataFrame({"local_body_code": ["G02001"],
    ...     "population": [10]}), 1.0, np.random.default_rng(0))
    >>> where.tolist(), to["destination"].to_list()
    ([0, 2, 3], ['G02001', 'G02001', 'G02001'])
    """
    leave = np.flatnonzero((status == ROLL_LIVING) & (rng.random(len(status)) < fraction))
    weight = np.cumsum(destinations["population"].to_numpy().astype(np.float64))
    picked = np.searchsorted(weight, rng.random(len(leave)) * weight[-1], side="right")
    return leave, pl.DataFrame(
        {
            "destination": destinations["local_body_code"].gather(np.minimum(picked, len(weight) - 1)),
            "draw": rng.random(len(leave)),
        }
    )


def place_arrivals(
    arrivals: pl.DataFrame,
    homes: pl.DataFrame,
    allowed: Callable[[pl.DataFrame], np.ndarray] | None = None,
) -> pl.DataFrame:
    """``arrivals`` (with ``destination`` and ``draw``) at the household their draw picks among ``homes`` of the
    destination local body (``homes`` in local-body order, with :data:`ADDRESS`); the address columns replaced.

    ``allowed`` takes the arrivals as they would be listed and says which may be; one refused is tried at the
    next household of its local body, up to :data:`PLACING_ROUNDS` times.
    """
    bodies, starts, sizes = local_body_blocks(homes)
    body = np.searchsorted(bodies, arrivals["destination"].to_numpy())
    if arrivals.height and not (bodies[np.minimum(body, len(bodies) - 1)] == arrivals["destination"].to_numpy()).all():
        raise AssertionError("an arrival is bound for a local body this shard does not hold")
    offset = np.minimum((arrivals["draw"].to_numpy() * sizes[body]).astype(np.int64), sizes[body] - 1)
    placed = arrivals.drop(ADDRESS).with_columns(homes.select(ADDRESS)[starts[body] + offset])
    if allowed is None:
        return placed
    refused = np.flatnonzero(~allowed(placed))
    for _ in range(PLACING_ROUNDS):
        if not len(refused):
            break
        offset[refused] = (offset[refused] + 1) % sizes[body[refused]]
        moved = (
            arrivals[refused].drop(ADDRESS).with_columns(homes.select(ADDRESS)[starts[body[refused]] + offset[refused]])
        )
        placed = placed.with_columns(**{c: placed[c].scatter(pl.Series(refused), moved[c]) for c in ADDRESS})
        refused = refused[~allowed(moved)]
    if len(refused):
        raise AssertionError(f"{len(refused)} moves across districts print a name the world must not hold")
    return placed


def _write(path: Path, frame: pl.DataFrame, folder: Path) -> dict[str, str]:
    atomic_parquet(path, frame, compression="lz4")  # read back once in this build, then removed
    return {str(path.relative_to(folder.parent)): sha256_file(path)}


def stage_roll(
    folder: Path, ctx: ShardContext, shard: Shard, frames: dict[str, pl.DataFrame]
) -> tuple[dict[str, pl.DataFrame], dict[str, str]]:
    """Phase 1 of a shard: pick its leavers and stage, under ``folder`` (the world's :data:`STAGE_DIR`), its roll
    without them, the leavers and its households' addresses. Returns the frames without the roll (to render the
    other tables) and the staged files' checksums (relative to the world's folder)."""
    plan = ctx.plan
    roll = pl.concat([frames["electoral_roll"], frames["roll_truth"].drop("epic")], how="horizontal")
    others = plan.local_bodies.filter(pl.col("district_code") != shard.district_code).sort("local_body_code")
    rng = district_moves_rng(int(plan.spec.seed), min(shard.local_bodies))
    leave, where = pick_leavers(roll["status"].to_numpy(), others, share(plan), rng)
    stays = np.ones(roll.height, dtype=bool)
    stays[leave] = False
    leavers = pl.concat([roll[leave], where], how="horizontal").with_columns(
        status=pl.lit(ROLL_MOVED, dtype=roll["status"].dtype)
    )
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        **_write(folder / f"{shard.key}-roll.parquet", roll.filter(pl.Series(stays)), folder),
        **_write(folder / f"{shard.key}-leavers.parquet", leavers, folder),
        **_write(folder / f"{shard.key}-homes.parquet", frames["households"].select(ADDRESS), folder),
    }
    rest = {k: v for k, v in frames.items() if k not in ("electoral_roll", "roll_truth")}
    return rest, files


def arrivals(folder: Path, plan: WorldPlan) -> dict[str, pl.DataFrame]:
    """Every shard's staged leavers, read once (after phase 1), split by the shard holding their destination,
    each in EPIC order (whichever order the files are read in)."""
    leavers = pl.concat([pl.read_parquet(folder / f"{s.key}-leavers.parquet") for s in plan.shards], how="vertical")
    shard_of = {body: s.key for s in plan.shards for body in s.local_bodies}
    keyed = leavers.with_columns(_shard=pl.col("destination").replace_strict(shard_of, return_dtype=pl.String))
    parts = {key: part for (key,), part in keyed.partition_by("_shard", as_dict=True, include_key=False).items()}
    empty = leavers.clear()
    return {s.key: parts.get(s.key, empty).sort("epic") for s in plan.shards}


def listed_roll(
    folder: Path, ctx: ShardContext, shard: Shard, arriving: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Phase 2 of a shard: its staged roll with ``arriving`` (its part of :func:`arrivals`, the leavers of every
    shard bound for its local bodies) placed at their households; the integer-coded ``electoral_roll`` and
    ``roll_truth`` frames, aligned row by row."""
    stayed = pl.read_parquet(folder / f"{shard.key}-roll.parquet")
    homes = pl.read_parquet(folder / f"{shard.key}-homes.parquet")
    placed = place_arrivals(arriving, homes, printable(ctx)).drop("destination", "draw")
    roll = pl.concat([stayed, placed.select(stayed.columns)], how="vertical")
    return roll.drop("person_id", "status"), roll.select("epic", "person_id", "status")
