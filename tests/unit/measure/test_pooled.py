"""Pooling a scenario's seeds by Rubin's rules, checked against the arithmetic done by hand."""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from scipy import stats  # type: ignore[import-untyped]

from synth.measure.pooled import pool_seeds
from synth.measure.results import RESULT_SCHEMA
from synth.report.html import summarize

Z = 1.959963984540054


def _rows(*rows: tuple[Any, ...]) -> pl.DataFrame:
    """Rows of (seed, policy, attack, group, measure, value, ci_low, ci_high)."""
    return pl.DataFrame(
        [("ci_smoke", *r) for r in rows],
        schema=RESULT_SCHEMA,
        orient="row",
    )


RECALL = _rows(
    (1, "as_exported", "exact_linkage", "all", "recall", 0.60, 0.55, 0.65),
    (2, "as_exported", "exact_linkage", "all", "recall", 0.70, 0.66, 0.74),
    (3, "as_exported", "exact_linkage", "all", "recall", 0.65, 0.59, 0.71),
)


def test_three_seeds_by_hand() -> None:
    m = 3
    mean = (0.60 + 0.70 + 0.65) / 3  # 0.65
    variances = [((0.65 - 0.55) / (2 * Z)) ** 2, ((0.74 - 0.66) / (2 * Z)) ** 2, ((0.71 - 0.59) / (2 * Z)) ** 2]
    w = sum(variances) / m
    b = ((0.60 - mean) ** 2 + (0.70 - mean) ** 2 + (0.65 - mean) ** 2) / (m - 1)  # 0.0025
    t_total = w + (1 + 1 / m) * b
    nu = (m - 1) * (1 + w / ((1 + 1 / m) * b)) ** 2
    t = stats.t.ppf(0.975, nu)
    low, high = mean - t * math.sqrt(t_total), mean + t * math.sqrt(t_total)
    assert 2 < nu < 3 and 0 < low < high < 1  # a share, not clipped here

    row = pool_seeds(RECALL).row(0, named=True)
    assert (row["policy"], row["attack"], row["group"], row["measure"], row["seeds"]) == (
        "as_exported",
        "exact_linkage",
        "all",
        "recall",
        3,
    )
    assert row["value"] == pytest.approx(mean)
    assert row["ci_low"] == pytest.approx(low) and row["ci_high"] == pytest.approx(high)
    assert row["ci_high"] - row["ci_low"] > 0.74 - 0.55  # wider than the widest seed: the seeds disagree


def test_seeds_that_agree_use_the_normal_quantile() -> None:
    same = _rows(*[(s, "p", "a", "all", "precision", 0.5, 0.4, 0.6) for s in (1, 2)])
    row = pool_seeds(same).row(0, named=True)
    w = ((0.6 - 0.4) / (2 * Z)) ** 2  # B = 0: T = W
    assert row["value"] == pytest.approx(0.5)
    assert row["ci_low"] == pytest.approx(0.5 - Z * math.sqrt(w)) and row["ci_high"] == pytest.approx(0.4 + 0.2)


def test_shares_are_clipped_and_counts_are_not() -> None:
    table = _rows(
        (1, "p", "a", "all", "recall", 0.01, 0.0, 0.05),
        (2, "p", "a", "all", "recall", 0.08, 0.03, 0.15),
        (1, "p", "a", "all", "seconds", 2.0, 1.5, 2.5),
        (2, "p", "a", "all", "seconds", 9.0, 8.0, 10.0),
    )
    share, seconds = pool_seeds(table).iter_rows(named=True)
    assert share["ci_low"] == 0.0 and 0 < share["ci_high"] <= 1  # without clipping the low end is negative
    assert seconds["ci_low"] < 0 and seconds["ci_high"] > 10  # nu = 1: t is 12.7, and nothing is clipped


def test_one_seed_keeps_its_own_interval() -> None:
    one = _rows((4, "k5", "singling_out", "district=Kasaragod", "risk", 0.123, 0.0987, 0.1511))
    out = pool_seeds(one)
    assert out.row(0) == ("k5", "singling_out", "district=Kasaragod", "risk", 0.123, 0.0987, 0.1511, 1)


def test_null_intervals_stay_null() -> None:
    counts = _rows(
        (1, "hash_plain", "hash_reversal", "all", "candidates", 5e6, None, None),
        (2, "hash_plain", "hash_reversal", "all", "candidates", 7e6, None, None),
        (1, "hash_plain", "hash_reversal", "all", "seconds", 3.0, None, None),
    )
    out = pool_seeds(counts)
    assert out["value"].to_list() == [6e6, 3.0]
    assert out["ci_low"].to_list() == [None, None] and out["ci_high"].to_list() == [None, None]


def test_rows_keep_their_first_order() -> None:
    keys = [("z", "b", "all", "x"), ("a", "b", "all", "x"), ("m", "a", "g=1", "y"), ("a", "a", "all", "x")]
    table = _rows(*[(s, *k, 0.5, 0.4, 0.6) for s in (1, 2) for k in keys])
    out = pool_seeds(table)
    assert out.select("policy", "attack", "group", "measure").rows() == keys
    assert out["seeds"].to_list() == [2, 2, 2, 2]
    assert out.columns == ["policy", "attack", "group", "measure", "value", "ci_low", "ci_high", "seeds"]


def test_the_report_pools() -> None:
    assert_frame_equal(summarize(RECALL), pool_seeds(RECALL))
    assert summarize(RECALL.clear()).height == 0
