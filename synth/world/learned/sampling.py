"""How a learned population's rows pass to and from SDV, and what is counted of them.

A Gaussian copula models the age as its five-year band (``AGE_BAND``); each sampled row's age is then drawn
from the table's own ages of its sex and band (:func:`age_pools`), so the learned ages keep the table's
single-year detail. :func:`rule_breaks` counts the rows that break each rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from synth.world.rules import Rule

AGE_BAND = "_age_band"  # what SDV models of the age: its five-year band (the age within it comes from the table)
AGE_BAND_YEARS = 5
AgePools = dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]
"""For each (sex, first age of the band): the table's ages and their cumulative shares."""


def to_model(frame: pl.DataFrame, geography: Sequence[str], age: str, banded: bool) -> Any:
    """The frame as SDV takes it (a pandas DataFrame): places as text and, when ``banded``, the age as its
    five-year band (column ``AGE_BAND``)."""
    frame = frame.with_columns(pl.col(c).cast(pl.String) for c in geography)
    if banded:
        band = (pl.col(age) // AGE_BAND_YEARS * AGE_BAND_YEARS).cast(pl.String).alias(AGE_BAND)
        frame = frame.with_columns(band).drop(age)
    return frame.to_pandas()


def from_model(
    sampled: Any,
    schema: pl.Schema,
    sdtypes: Mapping[str, str],
    sex: str,
    age: str,
    pools: AgePools | None,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Rows sampled from SDV (a pandas DataFrame) in the table's types (``schema``, with the ``sdtypes`` they
    were fitted as); with ``pools`` (a banded model), each age drawn with ``rng`` from the table's ages of its
    sex and band."""
    out = pl.from_pandas(sampled)
    if pools is not None:
        band = out[AGE_BAND].cast(pl.Int64).to_numpy()
        sexes = out[sex].cast(pl.String).to_numpy()
        ages = np.zeros(out.height, dtype=np.int64)
        u = rng.random(out.height)
        for (s, b), (values, cumulative) in pools.items():
            sel = (sexes == s) & (band == b)
            ages[sel] = values[np.minimum(np.searchsorted(cumulative, u[sel], side="right"), len(values) - 1)]
        out = out.with_columns(pl.Series(age, ages))
    casts = []
    for c, dtype in schema.items():
        if c == age or (dtype.is_integer() and sdtypes[c] == "numerical"):
            casts.append(pl.col(c).round(0).cast(dtype))
        elif dtype == pl.Boolean and out.schema[c] != pl.Boolean:
            casts.append(
                pl.col(c)
                .cast(pl.String)
                .str.to_lowercase()
                .replace_strict({"true": True, "false": False}, default=None)
            )
        else:
            casts.append(pl.col(c).cast(dtype, strict=False))
    return out.select(casts)


def age_pools(frame: pl.DataFrame, sex: str, age: str) -> AgePools:
    """For each sex and five-year band of the table, its ages and their cumulative shares."""
    counts = (
        frame.select(pl.col(sex).cast(pl.String), pl.col(age).cast(pl.Int64))
        .group_by(sex, age)
        .len()
        .with_columns(band=pl.col(age) // AGE_BAND_YEARS * AGE_BAND_YEARS)
        .sort(sex, age)
    )
    pools = {}
    for (s, b), group in counts.group_by(sex, "band", maintain_order=True):
        n = group["len"].to_numpy().astype(np.float64)
        pools[(str(s), int(b))] = (group[age].to_numpy(), np.cumsum(n) / n.sum())
    return pools


def rule_breaks(frame: pl.DataFrame, rules: list[Rule]) -> dict[str, int]:
    """Rows of ``frame`` that break each rule."""
    if not rules:
        return {}
    counts = frame.select(**{f"_r{i}": r.broken().sum() for i, r in enumerate(rules)}).row(0)
    return {r.name: int(n) for r, n in zip(rules, counts, strict=True)}
