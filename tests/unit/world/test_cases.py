"""Case-wise expressions: the values of a when/then chain, each written only over its own rows."""

from __future__ import annotations

import polars as pl
import pytest

from synth.world.cases import by_case

FRAME = pl.DataFrame({"kind": [2, 0, 2, 1, 0], "word": ["a", "b", "c", None, "e"]})
CASES = {0: pl.col("word"), 1: pl.lit("none"), 2: pl.col("word").str.to_uppercase() + "!"}


def test_each_row_takes_its_cases_value_in_the_rows_order() -> None:
    chain = pl.when(pl.col("kind") == 0).then(CASES[0]).when(pl.col("kind") == 1).then(CASES[1]).otherwise(CASES[2])
    written = by_case(FRAME, "kind", CASES, "out")
    assert written.to_list() == ["A!", "b", "C!", "none", "e"]
    assert written.equals(FRAME.select(chain.alias("out"))["out"])


def test_no_rows_and_a_value_with_no_case() -> None:
    assert by_case(FRAME.clear(), "kind", CASES, "out").to_list() == []
    with pytest.raises(ValueError, match=r"^kind = 2: no case for it \(cases: \[0, 1\]\)$"):
        by_case(FRAME, "kind", {0: CASES[0], 1: CASES[1]}, "out")
