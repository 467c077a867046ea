"""Relational cores of the attacks and measures, written once against Narwhals.

Narwhals speaks to Polars (eager and lazy), pandas, DuckDB, Dask and PySpark through one API, so the
same function runs in process today and on a distributed engine later. Each function takes and returns
native frames of whatever backend it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw


def unique_matches(left: Any, right: Any, keys: Sequence[str], right_id: str) -> Any:
    """Rows of ``left`` whose ``keys`` match exactly one row of ``right``: ``left``'s row_id and ``right_id``.

    Rows with a null key never match (an attacker cannot link on what was not released).
    """
    lf, rf = nw.from_native(left), nw.from_native(right)
    keys = list(keys)
    single = rf.filter(nw.col(right_id).count().over(*keys) == 1).select(*keys, right_id)
    out = lf.select("row_id", *keys).drop_nulls(subset=keys).join(single, on=keys, how="inner")
    return out.select("row_id", right_id).sort("row_id").to_native()


def unique_rows(frame: Any, keys: Sequence[str]) -> Any:
    """Rows whose ``keys`` no other row shares: their row_id and keys, by row_id."""
    f = nw.from_native(frame)
    keys = list(keys)
    out = f.select("row_id", *keys).filter(nw.col("row_id").count().over(*keys) == 1)
    return out.sort("row_id").to_native()


def key_counts(frame: Any, keys: Sequence[str], name: str = "n") -> Any:
    """How many rows share each combination of ``keys``."""
    f = nw.from_native(frame)
    return f.group_by(list(keys)).agg(nw.len().alias(name)).to_native()
