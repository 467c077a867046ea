"""Case-wise expressions: each case's expression written only over the rows that take it.

A Polars ``when/then`` chain computes every branch over every row and keeps one; where the branches build
strings (names, caller-ID labels) over a shard's rows, writing each only over its own rows is several times
less work, with the same values.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl


def by_case(frame: pl.DataFrame, column: str, cases: Mapping[int, pl.Expr], name: str) -> pl.Series:
    """``cases[v]`` over the rows of ``frame`` whose ``column`` is ``v``, as one String series named ``name`` in
    the rows' order.

    Raises
    ------
    ValueError
        When ``column`` holds a value with no case.

    Examples
    --------
    >>> frame = pl.DataFrame({"kind": [1, 0, 1], "word": ["a", "b", "c"]})
    >>> by_case(frame, "kind", {0: pl.col("word"), 1: pl.col("word").str.to_uppercase()}, "out").to_list()
    ['A', 'b', 'C']
    """
    indexed = frame.with_row_index("_row")
    parts = []
    for (value,), part in indexed.partition_by(column, as_dict=True).items():
        if value not in cases:
            raise ValueError(f"{column} = {value}: no case for it (cases: {sorted(cases)})")
        parts.append(part.select("_row", cases[value].alias(name)))
    if not parts:
        return pl.Series(name, [], dtype=pl.String)
    return pl.concat(parts).sort("_row")[name]
