"""How the linkage attacks compare a released name with a roll entry, across the formats sources write names in.

A registry writes "K. P. Rajan" where the roll prints "Rajan", with "Kizhakkethil" as the house name and
"Prabhakaran" as the father: the same person, in two formats. An attacker reads each name as its given name and
its set of initials (:mod:`synth.core.name_parts`), and a roll entry as its given name and **every initial the
entry supports**: those of its printed name, its house name's and its relative's. A released name is compatible
with an entry where the given names are equal and each released initial is one the entry supports ("K. P. Rajan"
and "Rajan K" both fit the entry above; "Rajan M" does not).

Exact linkage joins on equality, so compatibility is made an equality: each roll entry is listed once per subset
of its supported initials (:func:`initial_subsets`), and a released name meets the copy whose subset is its own
set. A released name has one set, so it meets at most one copy of each entry, and counting matching copies is
counting compatible entries: the unique-match rule stays exact.

The one thing compatibility cannot see is a written-out word beyond its initial ("Rajan Kizhakkethil" fits a Rajan
of any house starting with K): a real attacker who compares the whole house name separates a few more namesakes.
"""

from __future__ import annotations

import polars as pl

from synth.core.name_parts import initial_subsets, letter_set, name_parts

GIVEN, INITIALS = "given", "initials"
__all__ = ["GIVEN", "INITIALS", "initial_subsets", "roll_supported", "with_name_parts"]


def with_name_parts(frame: pl.DataFrame, col: str = "name") -> pl.DataFrame:
    """``frame`` with the ``given`` name and ``initials`` of its names (computed once per distinct name)."""
    parts = name_parts(frame[col]).rename({"name": col})
    return frame.drop(GIVEN, INITIALS, strict=False).join(parts, on=col, how="left", maintain_order="left")


def roll_supported(roll: pl.DataFrame) -> pl.DataFrame:
    """``given`` and ``initials`` of each roll entry (aligned with ``roll``): the initials of its printed name with
    those of its house name and its relative, where the roll prints them."""
    printed = [c for c in ("house_name", "relative_name") if c in roll.columns]
    firsts = roll.select("name", *(pl.col(c).str.slice(0, 1).alias(f"_{c}") for c in printed))
    # read once per distinct name with the initials it comes with (a roll repeats them many times over)
    keys = firsts.columns
    distinct = with_name_parts(firsts.unique()).select(
        *keys, GIVEN, initials=letter_set(pl.col(INITIALS), *(pl.col(f"_{c}") for c in printed))
    )
    return firsts.join(distinct, on=keys, how="left", nulls_equal=True, maintain_order="left").select(GIVEN, INITIALS)
