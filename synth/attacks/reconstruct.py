"""Reconstruction of one place's records from its published tables, as an integer program (HiGHS).

A place's records are a multiset over the cells of the full cross-classification of every attribute the tables
name (age band x sex x registry, say): one whole number ``x_c >= 0`` per cell, how many records fall in it. Each
published count of each table is a linear constraint: the records whose attributes project onto that table's cell
sum to the count. A suppressed cell (published as missing) still says something: its count is between 1 and the
suppression threshold less one. HiGHS (through :func:`scipy.optimize.milp`) finds a multiset consistent with every
table; the reconstruction is unique when no other one is, which a second integer program decides exactly: it asks
for a consistent multiset that differs from the first in at least one cell (``x_c <= x*_c - 1`` or
``x_c >= x*_c + 1`` for some ``c``, each side switched on by a binary). No solution: the tables determine the
records.

It reads the published tables only, never the truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]
from scipy.sparse import coo_array, csr_array, hstack, vstack  # type: ignore[import-untyped]

from synth.policies.tables import COUNT


@dataclass(frozen=True)
class Reconstruction:
    """The records found for one place, and whether the tables admit no other.

    Attributes
    ----------
    records
        One row per cell with at least one record: the attributes and ``count``.
    unique
        True when every multiset consistent with the tables is this one.
    feasible
        False when no multiset fits the tables (they contradict each other: noise or a wrong reading).
    """

    records: pl.DataFrame
    unique: bool
    feasible: bool = True


def reconstruct(
    tables: Sequence[pl.DataFrame],
    threshold: int = 1,
    rng: np.random.Generator | None = None,
    decide_unique: bool = True,
    noisy: bool = False,
) -> Reconstruction:
    """The records of one place consistent with its published ``tables``.

    Parameters
    ----------
    tables
        Each a cross-tabulation of the same place: its attribute columns and ``count`` (missing: suppressed).
        Every combination of the values a table lists is a published cell (a table lists its zeros).
    threshold
        Cells with a count from 1 to ``threshold - 1`` were suppressed; 1: nothing was.
    rng
        None: any consistent multiset (HiGHS's first). A generator: the one that minimizes a random cost per
        cell, a consistent multiset drawn at random (the null baseline's draw).
    decide_unique
        Whether to decide uniqueness (a second integer program); False reports ``unique`` as False.
    noisy
        The tables carry noise (differential privacy): no multiset may fit them exactly, so find the one closest to
        them (least total absolute difference from every published count, an integer program too); no published
        zero rules a cell out, and uniqueness is not decided.

    Returns
    -------
    Reconstruction
        A consistent multiset of records and whether it is the only one.
    """
    if noisy:
        return _closest(tables)
    cells = _cells(tables)
    rows, bounds_low, bounds_high = _constraints(tables, cells, threshold)
    upper = _cell_upper(tables, cells, threshold)
    n = cells.height
    if n == 0:  # no cell is possible: the tables fit only a place with no records
        empty = all(t[COUNT].null_count() == 0 and t[COUNT].sum() == 0 for t in tables)
        return Reconstruction(_none(tables), unique=empty, feasible=empty)
    first = milp(
        np.zeros(n) if rng is None else rng.random(n),
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), upper),
        constraints=LinearConstraint(rows, bounds_low, bounds_high),
    )
    if first.x is None:
        return Reconstruction(_none(tables), unique=False, feasible=False)
    found = np.rint(first.x).astype(np.int64)
    records = cells.with_columns(pl.Series(COUNT, found)).filter(pl.col(COUNT) > 0)
    unique = decide_unique and not _another_exists(rows, bounds_low, bounds_high, upper, found)
    return Reconstruction(records, unique=unique)


def _closest(tables: Sequence[pl.DataFrame]) -> Reconstruction:
    """The multiset whose tables differ least from the published ones: minimize the sum of ``d+ + d-`` with
    ``A x - d+ + d- = b`` over whole ``x >= 0``, every combination of the listed values a cell."""
    names = _attributes(tables)
    cells: pl.DataFrame | None = None
    for name in names:
        values = pl.concat([t.select(name) for t in tables if name in t.columns]).unique().sort(name)
        cells = values if cells is None else cells.join(values, how="cross")
    if cells is None or cells.height == 0:
        return Reconstruction(_none(tables), unique=False)
    rows, low, _ = _constraints(tables, cells, 1)
    n, m = cells.height, rows.shape[0]
    eye = csr_array((np.ones(m), (np.arange(m), np.arange(m))), shape=(m, m))
    result = milp(
        np.concatenate([np.zeros(n), np.ones(2 * m)]),
        integrality=np.concatenate([np.ones(n), np.zeros(2 * m)]),
        bounds=Bounds(np.zeros(n + 2 * m), np.full(n + 2 * m, np.inf)),
        constraints=LinearConstraint(hstack([rows, -eye, eye]).tocsr(), low, low),
    )
    found = np.rint(result.x[:n]).astype(np.int64)
    return Reconstruction(cells.with_columns(pl.Series(COUNT, found)).filter(pl.col(COUNT) > 0), unique=False)


def _keys(table: pl.DataFrame) -> list[str]:
    """A table's attributes: its columns but the count."""
    return [c for c in table.columns if c != COUNT]


def _attributes(tables: Sequence[pl.DataFrame]) -> list[str]:
    """Every attribute the tables cross, in the order they first name them."""
    return list(dict.fromkeys(c for t in tables for c in _keys(t)))


def _none(tables: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """No records, with the attributes' columns."""
    names = _attributes(tables)
    schema = {c: t.schema[c] for t in tables for c in _keys(t)}
    return pl.DataFrame(schema={**{c: schema[c] for c in names}, COUNT: pl.Int64})


def _cells(tables: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Every cell of the full cross-classification that no published zero rules out."""
    names = _attributes(tables)
    possible: pl.DataFrame | None = None
    for t in tables:
        keys = _keys(t)
        allowed = t.filter(pl.col(COUNT).is_null() | (pl.col(COUNT) > 0)).select(keys).unique()
        possible = allowed if possible is None else _join(possible, allowed)
    if possible is None:
        return pl.DataFrame()
    return possible.select(names).sort(names)


def _join(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    shared = [c for c in right.columns if c in left.columns]
    return left.join(right, on=shared, how="inner") if shared else left.join(right, how="cross")


def _membership(table: pl.DataFrame, cells: pl.DataFrame) -> tuple[csr_array, pl.DataFrame]:
    """Which full cells project onto each of the table's cells (a 0/1 matrix, table cells by full cells)."""
    keys = _keys(table)
    published = table.with_row_index("published")
    index = cells.select(keys).with_row_index("cell").join(published, on=keys, how="inner")
    matrix = coo_array(
        (np.ones(index.height), (index["published"].to_numpy(), index["cell"].to_numpy())),
        shape=(table.height, cells.height),
    ).tocsr()
    return matrix, published


def _constraints(
    tables: Sequence[pl.DataFrame], cells: pl.DataFrame, threshold: int
) -> tuple[csr_array, np.ndarray, np.ndarray]:
    """Each published count as an equality; a suppressed one as 1 <= sum <= threshold - 1."""
    blocks, lows, highs = [], [], []
    for table in tables:
        matrix, published = _membership(table, cells)
        counts = published[COUNT].cast(pl.Float64).to_numpy()
        suppressed = np.isnan(counts)
        blocks.append(matrix)
        lows.append(np.where(suppressed, 1.0, counts))
        highs.append(np.where(suppressed, float(threshold - 1), counts))
    return vstack(blocks).tocsr(), np.concatenate(lows), np.concatenate(highs)


def _cell_upper(tables: Sequence[pl.DataFrame], cells: pl.DataFrame, threshold: int) -> np.ndarray:
    """No cell holds more records than any count it falls in (a suppressed one: the threshold less one). Every
    cell falls in one listed cell of every table (:func:`_cells` keeps no other)."""
    upper = np.full(cells.height, np.inf)
    for table in tables:
        keys = _keys(table)
        joined = cells.select(keys).join(table, on=keys, how="left", maintain_order="left")
        upper = np.minimum(upper, joined[COUNT].cast(pl.Float64).fill_null(float(threshold - 1)).to_numpy())
    return upper


def _another_exists(rows: csr_array, low: np.ndarray, high: np.ndarray, upper: np.ndarray, found: np.ndarray) -> bool:
    """Whether a multiset other than ``found`` fits the tables: x, plus a binary per cell and direction that,
    when on, forces that cell below (``down``) or above (``up``) its count in ``found``; at least one is on."""
    n = found.size
    big = upper + 1.0
    eye = csr_array((np.ones(n), (np.arange(n), np.arange(n))), shape=(n, n))
    zeros = csr_array((n, n))
    # down_c on: x_c <= found_c - 1, i.e. x_c + big_c * down_c <= found_c - 1 + big_c
    down = hstack([eye, eye.multiply(big[:, None]), zeros]).tocsr()
    # up_c on: x_c >= found_c + 1, i.e. x_c - (found_c + 1) * up_c >= 0
    up = hstack([eye, zeros, -eye.multiply((found + 1.0)[:, None])]).tocsr()
    some = csr_array(np.concatenate([np.zeros(n), np.ones(2 * n)])[None, :])
    tables = hstack([rows, csr_array((rows.shape[0], 2 * n))]).tocsr()
    constraints = [
        LinearConstraint(tables, low, high),
        LinearConstraint(down, -np.inf, found - 1.0 + big),
        LinearConstraint(up, 0.0, np.inf),
        LinearConstraint(some, 1.0, np.inf),
    ]
    cannot_down = found == 0  # a cell at 0 cannot go lower; one at its bound cannot go higher
    cannot_up = found >= upper
    binary_high = np.concatenate([np.where(cannot_down, 0.0, 1.0), np.where(cannot_up, 0.0, 1.0)])
    result = milp(
        np.zeros(3 * n),
        integrality=np.ones(3 * n),
        bounds=Bounds(np.zeros(3 * n), np.concatenate([upper, binary_high])),
        constraints=constraints,
    )
    return result.x is not None
