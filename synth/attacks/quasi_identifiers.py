"""Quasi-identifiers a release shares with the electoral roll, in the release's own coding.

A policy may have banded ages ("35-39", "80+") or removed columns; the roll is brought to the same
coding before any join, as an attacker would do.
"""

from __future__ import annotations

import re

import polars as pl

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


def shared_columns(release: pl.DataFrame) -> list[str]:
    """Release columns that the roll also has (ward only together with its local body)."""
    cols = [c for c in SHARED if c in release.columns]
    if "ward" in cols and "local_body" not in cols:
        cols.remove("ward")
    return cols


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


def roll_in_release_coding(roll: pl.DataFrame, release: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The roll's columns renamed and recoded like the release's."""
    out = roll.select(*[pl.col(SHARED[c]).alias(c) for c in columns], "epic")
    if "gender" in columns:
        out = out.with_columns(pl.col("gender").cast(pl.String))
    if "age" in columns:
        coding = age_coding(release["age"])
        if coding is not None:
            width, top = coding
            age = pl.col("age")
            lo = (age // width) * width
            banded = (
                age.cast(pl.String)
                if width == 1
                else pl.concat_str([lo.cast(pl.String), (lo + width - 1).cast(pl.String)], separator="-")
            )
            if top is not None:
                banded = pl.when(age >= top).then(pl.lit(f"{top}+")).otherwise(banded)
            out = out.with_columns(banded.alias("age"))
        else:
            out = out.with_columns(pl.col("age").cast(release["age"].dtype))
    for c in ("ward",):
        if c in columns:
            out = out.with_columns(pl.col(c).cast(release[c].dtype))
    return out
