"""Which entries of a roll may print the same person twice: the only ones a linkage merges into one candidate
(:func:`synth.attacks.linking.one_per_printed_person`)."""

from __future__ import annotations

import polars as pl

from synth.core.coding import key_hash

PRINTED_PERSON = ("name", "relative_type", "relative_name", "sex", "age")  # what the roll prints of a person


def printed_twice(roll: pl.DataFrame, within: str | None = None) -> pl.Series:
    """Whether another entry of ``roll`` may print the same person (:data:`PRINTED_PERSON`): only those entries can
    merge in :func:`~synth.attacks.linking.one_per_printed_person`. Found on a 64-bit hash (a collision only sends
    an entry to the exact comparison there), so the string columns of the whole roll are never sorted. False for
    every entry where the roll does not print all of a person (no relative names): it cannot tell a duplicate from a
    namesake.

    ``within``: another entry of the same value of this column (its district): each part of the roll cut on it gets
    what it would get alone (but where two hashes collide, which sends an entry to the exact comparison for nothing),
    read in one pass over the whole roll."""
    if not set(PRINTED_PERSON) <= set(roll.columns):
        return pl.repeat(False, roll.height, eager=True)
    columns = [*PRINTED_PERSON, *([within] if within else [])]
    return roll.select(key_hash(columns, nullable=[]).is_duplicated()).to_series()
