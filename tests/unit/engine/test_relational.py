"""The relational cores give the same answers on every backend Narwhals reaches (Polars eager and lazy, pandas, Dask
DataFrames in two partitions, DuckDB)."""

from __future__ import annotations

import dask.dataframe as dd
import narwhals as nw
import numpy as np
import pandas as pd
import polars as pl
import pytest

from synth.engine.relational import key_counts, match_counts, unique_matches, unique_rows

# Narwhals 2.x warns that its Dask support will move to a separate package; it works as it is
pytestmark = pytest.mark.filterwarnings("ignore:Dask support is moving:FutureWarning")
BACKENDS = ["polars", "lazy", "pandas", "dask"]

LEFT = pl.DataFrame({"row_id": [0, 1, 2, 3], "name": ["A", "B", "C", None], "age": [40, 67, 52, 80]})
RIGHT = pl.DataFrame({"epic": ["E1", "E2", "E3", "E4"], "name": ["A", "A", "B", "C"], "age": [40, 40, 67, 51]})


def _as(frame: pl.DataFrame, backend: str):  # type: ignore[no-untyped-def]
    if backend == "dask":
        # every partition's index starts at 0, as in a frame read from several Parquet files
        return dd.from_pandas(frame.to_pandas(), npartitions=2).map_partitions(lambda p: p.reset_index(drop=True))
    return {"polars": frame, "lazy": frame.lazy(), "pandas": frame.to_pandas()}[backend]


def _rows(result) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    if isinstance(result, pl.LazyFrame):
        result = result.collect()
    if isinstance(result, dd.DataFrame):
        result = result.compute().reset_index(drop=True)
    if isinstance(result, pd.DataFrame):
        result = pl.from_pandas(result)
    return [tuple(r) for r in result.rows()]


@pytest.mark.parametrize("backend", BACKENDS)
def test_unique_matches_on_every_backend(backend: str) -> None:
    out = unique_matches(_as(LEFT, backend), _as(RIGHT, backend), ["name", "age"], "epic")
    assert _rows(out) == [(1, "E3")]  # A/40 is ambiguous, C/52 has no match, the null name never links


@pytest.mark.parametrize("backend", BACKENDS)
def test_unique_rows_and_counts_on_every_backend(backend: str) -> None:
    frame = pl.DataFrame({"row_id": [0, 1, 2], "age": [40, 40, 67], "gender": ["F", "F", "M"]})
    assert _rows(unique_rows(_as(frame, backend), ["age", "gender"])) == [(2, 67, "M")]
    counts = sorted(_rows(key_counts(_as(frame, backend), ["age", "gender"])))
    assert counts == [(40, "F", 2), (67, "M", 1)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_match_counts_on_every_backend(backend: str) -> None:
    out = match_counts(_as(LEFT, backend), _as(RIGHT, backend), ["name", "age"], "epic")
    rows = sorted(_rows(nw.from_native(out).select("row_id", "name", "age", "n", "epic").to_native()))
    # A/40 is shared by E1 and E2 (the least id is E1), B/67 only by E3; C/52 and the null name match nothing
    assert rows == [(0, "A", 40, 2, "E1"), (1, "B", 67, 1, "E3")]


@pytest.mark.parametrize("backend", ["polars", "lazy", "dask"])
def test_unique_rows_counts_a_null_key_as_a_value(backend: str) -> None:
    frame = pl.DataFrame({"row_id": [0, 1, 2, 3], "age": [None, None, 40, None], "gender": ["F", "M", "F", "M"]})
    rows = _rows(unique_rows(_as(frame, backend), ["age", "gender"]))
    assert [(r, None if pd.isna(a) else a, g) for r, a, g in rows] == [(0, None, "F"), (2, 40, "F")]  # NaN on Dask


def test_more_partitions_than_keys_on_dask() -> None:
    """Many partitions with repeated indexes, keys spread over all of them: the same rows as Polars."""
    rng = np.random.default_rng(3)
    n = 5_000
    frame = pl.DataFrame({"row_id": np.arange(n), "a": rng.integers(0, 60, n), "b": rng.integers(0, 30, n)})
    right = frame.rename({"row_id": "epic"}).with_columns(pl.col("epic") + 1_000_000)
    on_dask = dd.from_pandas(frame.to_pandas(), npartitions=7).map_partitions(lambda p: p.reset_index(drop=True))
    right_dask = dd.from_pandas(right.to_pandas(), npartitions=5).map_partitions(lambda p: p.reset_index(drop=True))
    assert _rows(unique_rows(on_dask, ["a", "b"])) == _rows(unique_rows(frame, ["a", "b"]))
    expected = _rows(unique_matches(frame, right, ["a", "b"], "epic"))
    assert len(expected) > 100
    assert _rows(unique_matches(on_dask, right_dask, ["a", "b"], "epic")) == expected


def test_match_counts_on_duckdb() -> None:
    duckdb = pytest.importorskip("duckdb")
    out = match_counts(duckdb.from_arrow(LEFT.to_arrow()), duckdb.from_arrow(RIGHT.to_arrow()), ["name", "age"], "epic")
    rows = sorted(pl.from_arrow(out.arrow()).select("row_id", "name", "age", "n", "epic").rows())  # type: ignore[union-attr]
    assert rows == [(0, "A", 40, 2, "E1"), (1, "B", 67, 1, "E3")]
