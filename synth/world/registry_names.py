"""How each registry writes its members' names: a format drawn per row (:mod:`synth.world.name_formats`), and in a
world learned from a user's table, a given name drawn again where the written name is one of the table's."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from synth.world.excluded import VARIANT_ROUNDS, Redraw, clear_names
from synth.world.name_formats import formatted_name
from synth.world.shard_context import ShardContext

SALT_FORMATS = 0x464D54


def format_rng(seed: int, local_body: int) -> np.random.Generator:
    """The generator of a local body's name formats: apart from its main generator, so that drawing formats moves
    no other draw."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(local_body, SALT_FORMATS)))


def registry_names(
    ctx: ShardContext,
    source: str,
    members: np.ndarray,
    codes: Mapping[str, np.ndarray],
    who: Redraw,
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], int]:
    """``fmt`` and ``given`` of each row of registry ``source`` (people ``members``), and how many given names were
    drawn again. ``codes`` and ``who`` are the people's name columns (:func:`formatted_name` reads them)."""
    rows = {k: v[members] for k, v in codes.items()}
    rows["fmt"] = ctx.formats.draw(source, rows["community"], rng)
    mine = Redraw(who.own[members], who.community[members], who.sex[members], who.birth_year[members])
    rows, redrawn = clear_names(
        ctx.vocab, ctx.excluded_names, formatted_name, rows, mine, rng, variant_rounds=VARIANT_ROUNDS
    )
    return {"fmt": rows["fmt"], "given": rows["given"]}, redrawn
