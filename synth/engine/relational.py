"""Relational cores of the attacks and measures, written once against Narwhals.

Narwhals speaks to Polars (eager and lazy), pandas, DuckDB, Dask and PySpark through one API, so the
same function runs in process today and on a distributed engine later. Each function takes and returns
native frames of whatever backend it is given (lazy in, lazy out).

The cores group and join on whatever key columns they are given. Callers at scale give them one integer
column instead of several strings (a hash of the keys, see :mod:`synth.core.coding`):
:func:`match_counts` is the form that lets such a caller stay exact, because it says, for every left
row, how many right rows share its key, so that a caller can verify a single candidate on the true keys
and resolve the (rare) shared hashes exactly.

On Dask, :func:`unique_matches` and :func:`unique_rows` count with a group-by instead of a window
(``count().over(keys)``): Narwhals computes a window on Dask as a grouped transform whose result is aligned
back on the index, which goes wrong (``IndexError``) when the index repeats across partitions, as it does
for every frame read from several Parquet files. Both forms give the same rows (tests compare them on every
backend); the window stays elsewhere because it was measured faster at state scale with Polars.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw

_N = "__synth_n"


def match_counts(left: Any, right: Any, keys: Sequence[str], right_id: str, count: str = "n") -> Any:
    """Every ``left`` row whose ``keys`` some ``right`` row shares, with how many do and the least of their ids.

    Parameters
    ----------
    left
        A native frame with ``row_id`` and ``keys``.
    right
        A native frame with ``keys`` and ``right_id``.
    keys
        Columns both frames carry; rows with a null in any of them never match.
    right_id
        The id column of ``right`` (sortable).
    count
        Name of the output column with the number of right rows sharing the row's keys.

    Returns
    -------
    Any
        A native frame (lazy where the input was) of ``row_id``, ``keys``, ``count`` and ``right_id``
        (the least id among the ``count`` matching right rows: the match itself where ``count`` is 1),
        in no particular order.

    Notes
    -----
    Only right rows whose keys some left row carries are grouped, so ``count`` is exact for every row
    returned. Give lazy frames to let the backend plan the whole (Polars: collect the result with
    ``engine="streaming"``).
    """
    lf, rf = nw.from_native(left), nw.from_native(right)
    keys = list(keys)
    rows = lf.select("row_id", *keys).drop_nulls(subset=keys)
    per_key = (
        rf.select(*keys, right_id)
        .drop_nulls(subset=keys)
        # only the right rows some left row can match: grouping those is cheaper than grouping all (2.7
        # crore roll entries against a 1-crore release: a third of the time, with Polars' streaming engine)
        .join(rows.select(keys), on=keys, how="semi")
        .group_by(keys)
        .agg(nw.len().alias(count), nw.col(right_id).min())
    )
    return rows.join(per_key, on=keys, how="inner").to_native()


def unique_matches(left: Any, right: Any, keys: Sequence[str], right_id: str) -> Any:
    """Rows of ``left`` whose ``keys`` match exactly one row of ``right``: ``left``'s row_id and ``right_id``.

    Rows with a null key never match (an attacker cannot link on what was not released). The result is
    sorted by row_id.
    """
    lf, rf = nw.from_native(left), nw.from_native(right)
    keys = list(keys)
    if rf.implementation.is_dask():
        single = _single_per_key(rf, keys, right_id)
    else:
        # a window count, not match_counts' semi join and group-by: on few distinct keys (no names), this is
        # several times faster at state scale
        single = rf.filter(nw.col(right_id).count().over(*keys) == 1).select(*keys, right_id)
    out = lf.select("row_id", *keys).drop_nulls(subset=keys).join(single, on=keys, how="inner")
    return out.select("row_id", right_id).sort("row_id").to_native()


def unique_rows(frame: Any, keys: Sequence[str]) -> Any:
    """Rows whose ``keys`` no other row shares: their row_id and keys, by row_id.

    A null key counts like any other value (a null age is a value the release shows).
    """
    f = nw.from_native(frame)
    keys = list(keys)
    if f.implementation.is_dask():
        out = _single_per_key(f, keys, "row_id").select("row_id", *keys)
    else:
        out = f.select("row_id", *keys).filter(nw.col("row_id").count().over(*keys) == 1)
    return out.sort("row_id").to_native()


def _single_per_key(frame: Any, keys: list[str], id_column: str) -> Any:
    """The rows of ``frame`` (a Narwhals frame) that no other row shares ``keys`` with, as ``keys`` and
    ``id_column``, counted with a group-by (a null key is a value, as in a window); ids are never null."""
    return (
        frame.group_by(keys, drop_null_keys=False)
        .agg(nw.len().alias(_N), nw.col(id_column).min())
        .filter(nw.col(_N) == 1)
        .select(*keys, id_column)
    )


def key_counts(frame: Any, keys: Sequence[str], name: str = "n") -> Any:
    """How many rows share each combination of ``keys``."""
    f = nw.from_native(frame)
    return f.group_by(list(keys)).agg(nw.len().alias(name)).to_native()
