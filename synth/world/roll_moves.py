"""Moves across local bodies: roll entries of people who moved from one local body to another and are still
listed at their old address.

A local body's roll is drawn with its own people (:func:`synth.world.auxiliary.draw_roll`), so an old address
in another local body is given once every local body of a build shard is drawn: the entry takes the ward, house
number and house name of a household of another local body of the shard, drawn in proportion to households (as
an entry at an old address in its own local body does, so the address does not give it away), and keeps its
given name, relative and printed age. A move that would print a name of a learned world's own table (the
house name gives the name its initial) is not made, so those names stay out of the world.

A shard is consecutive local bodies of one district (at most ``SHARD_POPULATION`` people), so these are short
moves within a district; moves across districts are the build's second phase (:mod:`synth.world.district_moves`).
The roll's total size is unchanged; a local body's own count changes by its moves in and out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from synth.core.name_parts import normal_name
from synth.world.auxiliary import ROLL_LIVING, ROLL_MOVED
from synth.world.name_formats import formatted_name
from synth.world.plan import Shard
from synth.world.shard_context import ShardContext, local_body_number

SALT_MOVES = 0x4D_4F  # spawn key of a shard's generator for moves (beside the local body numbers)
ADDRESS = ("ward_code", "house_serial", "house_a", "house_b")


def moves_rng(seed: int, first_local_body: str) -> np.random.Generator:
    """The generator of a shard's moves, spawned from ``(seed, SALT_MOVES, its first local body's number)``."""
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(SALT_MOVES, local_body_number(first_local_body)))
    )


def other_body_households(body: np.ndarray, starts: np.ndarray, sizes: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each entry of local body ``body``, a household index drawn uniformly from the other local bodies.

    Households are in local-body order: body ``b`` holds ``starts[b] .. starts[b] + sizes[b] - 1``. A uniform
    draw over the ``H - sizes[b]`` others skips body ``b``'s block.

    Examples
    --------
    >>> other_body_households(np.array([0, 1]), np.array([0, 3]), np.array([3, 2]), np.array([0.0, 0.99]))
    array([3, 2])
    """
    total = int(sizes.sum())
    pick = (u * (total - sizes[body])).astype(np.int64)
    return pick + np.where(pick >= starts[body], sizes[body], 0)


def local_body_blocks(households: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The local bodies of a shard's ``households`` (in local-body order, as generated), and the position of each
    one's first household and its number of households.

    Examples
    --------
    >>> local_body_blocks(pl.DataFrame({"ward_code": ["G01001001", "G01001002", "M01003001"]}))
    (array(['G01001', 'M01003'], dtype=object), array([0, 2]), array([2, 1]))
    """
    bodies, starts, sizes = np.unique(
        households["ward_code"].str.slice(0, 6).to_numpy(), return_index=True, return_counts=True
    )
    if not (np.diff(starts) > 0).all() or (len(starts) and starts[-1] + sizes[-1] != households.height):
        raise AssertionError("households are not in local-body order")
    return bodies, starts, sizes


def relist_across_bodies(
    frames: dict[str, pl.DataFrame],
    share: float,
    rng: np.random.Generator,
    allowed: Callable[[pl.DataFrame], np.ndarray] | None = None,
) -> dict[str, pl.DataFrame]:
    """Move ``share`` of the entries listed at home to an old address in another local body of the shard.

    ``frames`` are a shard's integer-coded frames (local bodies in code order). Returns them with
    ``electoral_roll`` and ``roll_truth`` (aligned row by row) relisted; a shard of one local body is returned
    as it is. ``allowed`` takes the moved entries as they would be and says which may move (default: all).
    """
    roll, truth, households = frames["electoral_roll"], frames["roll_truth"], frames["households"]
    bodies, starts, sizes = local_body_blocks(households)
    if len(bodies) < 2 or share == 0:
        return frames
    status = truth["status"].to_numpy().copy()
    move = np.flatnonzero((status == ROLL_LIVING) & (rng.random(len(status)) < share))
    body = np.searchsorted(bodies, roll["ward_code"].str.slice(0, 6).to_numpy()[move])
    home = other_body_households(body, starts, sizes, rng.random(len(move)))
    new = households.select(ADDRESS)[home]
    if allowed is not None and len(move):
        ok = allowed(roll[move].with_columns(new))
        move, new = move[ok], new.filter(pl.Series(ok))
    index = pl.Series(move)
    columns = {name: roll[name].clone().scatter(index, new[name]) for name in ADDRESS}
    status[move] = ROLL_MOVED
    return {
        **frames,
        "electoral_roll": roll.with_columns(**columns),
        "roll_truth": truth.with_columns(status=pl.Series(status, dtype=truth["status"].dtype)),
    }


def printable(ctx: ShardContext) -> Callable[[pl.DataFrame], np.ndarray] | None:
    """Which entries, as they would be listed, print no name of ``ctx.excluded_names`` (a learned world's own
    table: the house name gives the name its initial); None where the world excludes no name."""
    if not ctx.excluded_names.len():
        return None
    banned, name = ctx.excluded_names.implode(), normal_name(formatted_name(ctx.vocab.series))

    def allowed(moved: pl.DataFrame) -> np.ndarray:
        return (~moved.select(name.is_in(banned).fill_null(False)).to_series()).to_numpy()

    return allowed


def with_moves(frames: dict[str, pl.DataFrame], ctx: ShardContext, shard: Shard) -> dict[str, pl.DataFrame]:
    """A shard's frames with the preset's ``electoral_roll.moved_body_share`` relisted (see the module
    docstring), drawn with the shard's own generator; none prints a name of ``ctx.excluded_names``."""
    share = float(ctx.plan.preset.params["electoral_roll"]["moved_body_share"])
    rng = moves_rng(int(ctx.plan.spec.seed), min(shard.local_bodies))
    return relist_across_bodies(frames, share, rng, printable(ctx))
