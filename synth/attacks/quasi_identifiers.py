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
