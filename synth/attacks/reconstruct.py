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

The programs are built from the tables coded as whole numbers (:class:`Table`, :func:`solve`): each attribute's
values numbered in their sorted order, so that the cells, in the order of their codes, are in the order of their
values. A published value that is missing (null) is a value of its own, sorted first. :func:`reconstruct` takes
the tables of one place as frames; :func:`synth.attacks.reconstruction.reconstruction` codes every place's tables
at once and solves place by place.

It reads the published tables only, never the truth.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


@dataclass(frozen=True)
class Table:
    """One published table of one place, coded.

    Attributes
    ----------
    keys
        The positions of the table's attributes among every attribute of the place's tables.
    codes
        Each published cell's values as codes, one row per cell, one column per key.
    counts
        Each published cell's count; NaN where it was suppressed.
    """

    keys: tuple[int, ...]
    codes: np.ndarray
    counts: np.ndarray

    def listed(self) -> np.ndarray:
        """The codes of the cells that may hold records: a published zero rules its cell out."""
        return self.codes[np.isnan(self.counts) | (self.counts > 0)]


@dataclass(frozen=True)
class Solved:
    """A coded reconstruction: the cells holding records (codes, one column per attribute) and their counts."""

    cells: np.ndarray
    counts: np.ndarray
    unique: bool
    feasible: bool


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
    names = _attributes(tables)
    schema = {c: t.schema[c] for t in tables for c in _keys(t)}
    domains = {
        name: pl.concat([t[name] for t in tables if name in t.columns]).unique().sort().rename(name) for name in names
    }
    coded = []
    for t in tables:
        keys = _keys(t)
        codes = np.zeros((t.height, len(keys)), dtype=np.int64)
        for i, k in enumerate(keys):
            codes[:, i] = codes_in(t[k], domains[k])
        coded.append(Table(tuple(names.index(k) for k in keys), codes, counts_of(t[COUNT])))
    cost = None if rng is None else rng.random
    solved = solve(len(names), coded, threshold, cost, decide_unique, noisy)
    records = pl.DataFrame(
        [domains[n].gather(solved.cells[:, j]).cast(schema[n]) for j, n in enumerate(names)]
        + [pl.Series(COUNT, solved.counts, pl.Int64)]
    )
    return Reconstruction(records, unique=solved.unique, feasible=solved.feasible)


def counts_of(counts: pl.Series) -> np.ndarray:
    """Published counts as floats, NaN where suppressed (missing)."""
    return counts.cast(pl.Float64).fill_null(np.nan).to_numpy()


def codes_in(values: pl.Series, domain: pl.Series) -> np.ndarray:
    """The position of each of ``values`` in ``domain`` (a null is the domain's null), -1 where it is not there."""
    index = domain.to_frame("value").with_row_index("code")
    found = values.to_frame("value").join(index, on="value", how="left", nulls_equal=True, maintain_order="left")
    return found["code"].fill_null(-1).cast(pl.Int64).to_numpy()


def solve(
    attributes: int,
    tables: Sequence[Table],
    threshold: int = 1,
    cost: Callable[[int], np.ndarray] | None = None,
    decide_unique: bool = True,
    noisy: bool = False,
) -> Solved:
    """:func:`reconstruct` on coded tables of ``attributes`` attributes; ``cost`` gives the random cost of each of
    the program's cells (called only where it has some: :func:`cell_count`), None for HiGHS's first multiset."""
    if noisy:
        return _closest(attributes, tables)
    cells = _possible(attributes, tables)
    n = len(cells)
    if n == 0:  # no cell is possible: the tables fit only a place with no records
        empty = all(not np.isnan(t.counts).any() and t.counts.sum() == 0 for t in tables)
        return _none(attributes, unique=empty, feasible=empty)
    falls_in = [_row_of(table, cells) for table in tables]  # read once, for the constraints and the bounds
    rows, bounds_low, bounds_high = _constraints(tables, falls_in, n, threshold)
    upper = _cell_upper(tables, falls_in, n, threshold)
    first = milp(
        np.zeros(n) if cost is None else cost(n),
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), upper),
        constraints=LinearConstraint(rows, bounds_low, bounds_high),
    )
    if first.x is None:
        return _none(attributes, unique=False, feasible=False)
    found = np.rint(first.x).astype(np.int64)
    unique = decide_unique and not _another_exists(rows, bounds_low, bounds_high, upper, found)
    held = found > 0
    return Solved(cells[held], found[held], unique=unique, feasible=True)


def cell_count(attributes: int, tables: Sequence[Table]) -> int:
    """How many cells the program of exact ``tables`` has: the random costs :func:`solve` draws for them."""
    return len(_possible(attributes, tables))


def _closest(attributes: int, tables: Sequence[Table]) -> Solved:
    """The multiset whose tables differ least from the published ones: minimize the sum of ``d+ + d-`` with
    ``A x - d+ + d- = b`` over whole ``x >= 0``, every combination of the listed values a cell."""
    cells = np.zeros((1, 0), dtype=np.int64)
    for j in range(attributes):
        cells = _cross(cells, _values(tables, j, listed=False))
    if attributes == 0 or len(cells) == 0:
        return _none(attributes, unique=False, feasible=True)
    n = len(cells)
    rows, low, _ = _constraints(tables, [_row_of(table, cells) for table in tables], n, 1)
    m = rows.shape[0]
    eye = csr_array((np.ones(m), (np.arange(m), np.arange(m))), shape=(m, m))
    result = milp(
        np.concatenate([np.zeros(n), np.ones(2 * m)]),
        integrality=np.concatenate([np.ones(n), np.zeros(2 * m)]),
        bounds=Bounds(np.zeros(n + 2 * m), np.full(n + 2 * m, np.inf)),
        constraints=LinearConstraint(hstack([rows, -eye, eye]).tocsr(), low, low),
    )
    found = np.rint(result.x[:n]).astype(np.int64)
    held = found > 0
    return Solved(cells[held], found[held], unique=False, feasible=True)


def _keys(table: pl.DataFrame) -> list[str]:
    """A table's attributes: its columns but the count."""
    return [c for c in table.columns if c != COUNT]


def _attributes(tables: Sequence[pl.DataFrame]) -> list[str]:
    """Every attribute the tables cross, in the order they first name them."""
    return list(dict.fromkeys(c for t in tables for c in _keys(t)))


def _none(attributes: int, unique: bool, feasible: bool) -> Solved:
    """No records."""
    return Solved(np.zeros((0, attributes), dtype=np.int64), np.zeros(0, dtype=np.int64), unique, feasible)


def _values(tables: Sequence[Table], attribute: int, listed: bool) -> np.ndarray:
    """The codes the tables that cross ``attribute`` give it, sorted: in cells that may hold records (``listed``),
    or in any cell."""
    seen = [(t.listed() if listed else t.codes)[:, t.keys.index(attribute)] for t in tables if attribute in t.keys]
    return np.unique(np.concatenate(seen)) if seen else np.zeros(0, dtype=np.int64)


def _cross(cells: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Every cell with every value as one more column: in the order of the cells, then of the values."""
    return np.column_stack([np.repeat(cells, len(values), axis=0), np.tile(values, len(cells))])


def _possible(attributes: int, tables: Sequence[Table]) -> np.ndarray:
    """Every cell of the full cross-classification that no published zero rules out, in the order of its codes.
    Built one attribute at a time: a table rules cells out as soon as every attribute it crosses is there."""
    if attributes == 0:
        return np.zeros((0, 0), dtype=np.int64)
    cells = np.zeros((1, 0), dtype=np.int64)
    for j in range(attributes):
        cells = _cross(cells, _values(tables, j, listed=True))
        for t in tables:
            if t.keys and max(t.keys) == j:
                mine, listed = _flat(cells[:, t.keys], t.listed())
                cells = cells[np.isin(mine, listed)]
    return cells


def _flat(*codes: np.ndarray) -> list[np.ndarray]:
    """Each row of each of ``codes`` (arrays of the same columns) as one number: rows are equal exactly when their
    numbers are."""
    width = max(int(c.max(initial=0)) for c in codes) + 2  # codes are -1 (not there) and up
    if width ** codes[0].shape[1] >= 2**62:  # too many cells to number in 64 bits: number the rows there are
        _, numbers = np.unique(np.vstack(codes), axis=0, return_inverse=True)
        return np.split(numbers.reshape(-1).astype(np.int64), np.cumsum([len(c) for c in codes])[:-1])
    out = []
    for c in codes:
        flat = np.zeros(len(c), dtype=np.int64)
        for column in c.T:
            flat = flat * width + column + 1
        out.append(flat)
    return out


def _row_of(table: Table, cells: np.ndarray) -> np.ndarray:
    """The published cell each cell falls in (its row of ``table``), -1 where none."""
    published, wanted = _flat(table.codes, cells[:, table.keys])
    if len(published) == 0:
        return np.full(len(wanted), -1)
    order = np.argsort(published, kind="stable")
    at = order[np.minimum(np.searchsorted(published[order], wanted), len(order) - 1)]
    return np.where(published[at] == wanted, at, -1)


def _constraints(
    tables: Sequence[Table], falls_in: Sequence[np.ndarray], n: int, threshold: int
) -> tuple[csr_array, np.ndarray, np.ndarray]:
    """Each published count as an equality over the ``n`` cells; a suppressed one as 1 <= sum <= threshold - 1.
    ``falls_in``: each table's row each cell falls in (:func:`_row_of`)."""
    blocks, lows, highs = [], [], []
    for table, row in zip(tables, falls_in, strict=True):
        falls = row >= 0
        matrix = coo_array(
            (np.ones(int(falls.sum())), (row[falls], np.flatnonzero(falls))), shape=(len(table.codes), n)
        ).tocsr()
        suppressed = np.isnan(table.counts)
        blocks.append(matrix)
        lows.append(np.where(suppressed, 1.0, table.counts))
        highs.append(np.where(suppressed, float(threshold - 1), table.counts))
    return vstack(blocks).tocsr(), np.concatenate(lows), np.concatenate(highs)


def _cell_upper(tables: Sequence[Table], falls_in: Sequence[np.ndarray], n: int, threshold: int) -> np.ndarray:
    """No cell of the ``n`` holds more records than any count it falls in (a suppressed one: the threshold less
    one). Every cell falls in one listed cell of every table (:func:`_possible` keeps no other)."""
    upper = np.full(n, np.inf)
    for table, row in zip(tables, falls_in, strict=True):
        counts = np.where(row >= 0, table.counts[np.maximum(row, 0)], np.nan)
        upper = np.minimum(upper, np.where(np.isnan(counts), float(threshold - 1), counts))
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
