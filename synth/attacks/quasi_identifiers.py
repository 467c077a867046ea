"""Quasi-identifiers a release shares with the electoral roll, in the release's own coding.

A policy may have banded ages ("35-39", "80+") or removed columns; the roll is brought to the same
coding before any join, as an attacker would do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from synth.policies.generalize import age_band

# release column -> roll column
SHARED = {
    "name": "name",
    "gender": "sex",
    "age": "age",
    "district": "district",
    "taluk": "taluk",
    "local_body": "local_body",
    "ward": "ward",
}
BAND = re.compile(r"^(\d+)-(\d+)$")
HASH_SEED = 0x51494B  # per-column seeds are HASH_SEED + position
MIX = 0x9E3779B97F4A7C15  # odd 64-bit constant (2**64 / golden ratio) that spreads one column's hash before the next


def present(release: pl.DataFrame, candidates: Sequence[str]) -> list[str]:
    """The candidate columns the release has; a ward only together with its local body (ward numbers
    repeat in every local body)."""
    cols = [c for c in candidates if c in release.columns]
    if "ward" in cols and "local_body" not in cols:
        cols.remove("ward")
    return cols


def shared_columns(release: pl.DataFrame) -> list[str]:
    """Release columns that the roll also has."""
    return present(release, list(SHARED))


def age_coding(ages: pl.Series) -> tuple[int, int | None] | None:
    """``(width, top)`` of a banded age column, or None for whole years."""
    if ages.dtype != pl.String:
        return None
    values = ages.drop_nulls().unique().to_list()
    widths = {int(m.group(2)) - int(m.group(1)) + 1 for v in values if (m := BAND.match(v))}
    tops = [int(v[:-1]) for v in values if v.endswith("+")]
    if len(widths) != 1:
        return (1, min(tops)) if tops else None  # top-coded whole years
    return widths.pop(), (min(tops) if tops else None)


def recode_age(age: pl.Expr, like: pl.Series) -> pl.Expr:
    """Whole-year ages coded as the release column ``like`` codes them (bands, top-coding, or years)."""
    coding = age_coding(like)
    if coding is None:
        return age.cast(like.dtype)
    width, top = coding
    if width == 1:  # whole years, top-coded
        years = age.cast(pl.String)
        return years if top is None else pl.when(age >= top).then(pl.lit(f"{top}+")).otherwise(years)
    return age_band(age, width, top)


def roll_in_release_coding(roll: pl.DataFrame, release: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The roll's columns renamed and recoded like the release's."""
    out = roll.select(*[pl.col(SHARED[c]).alias(c) for c in columns], "epic")
    if "gender" in columns:
        out = out.with_columns(pl.col("gender").cast(pl.String))
    if "age" in columns:
        out = out.with_columns(recode_age(pl.col("age"), release["age"]).alias("age"))
    for c in ("ward",):
        if c in columns:
            out = out.with_columns(pl.col(c).cast(release[c].dtype))
    return out


def key_hash(columns: Sequence[str], nullable: Sequence[str] | None = None) -> pl.Expr:
    """One 64-bit hash (UInt64) of several columns: the cheap key to group and join on at scale.

    Equal values give equal hashes (in one process, for columns of equal dtypes); unequal values almost
    always give unequal ones, but not always, so a caller that must be exact verifies on the columns
    themselves (see :func:`synth.attacks.exact_linkage.hashed_unique_matches`). Hashing each column and mixing is
    several times faster than hashing a struct of them, or casting strings to categoricals.

    Parameters
    ----------
    columns
        Columns to hash, in a fixed order.
    nullable
        The columns that may hold nulls (default: all of them): the hash is null where any of them is
        null (a row that must never match). Name none to hash nulls like values; naming only the columns
        that have nulls saves a pass over the others.
    """
    out: pl.Expr | None = None
    for i, c in enumerate(columns):
        h = pl.col(c).hash(HASH_SEED + i)
        out = h if out is None else (out * pl.lit(MIX, dtype=pl.UInt64)) ^ h
    if out is None:
        raise ValueError("key_hash: no columns to hash")
    nullable = list(columns) if nullable is None else list(nullable)
    if nullable:
        out = pl.when(~pl.any_horizontal([pl.col(c).is_null() for c in nullable])).then(out)
    return out
