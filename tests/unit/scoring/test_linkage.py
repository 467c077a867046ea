"""The recall a probabilistic linkage reaches at each precision, hand-computed."""

from __future__ import annotations

import polars as pl
import pytest

from synth.scoring.linkage import precision_curve, recall_at_precision

# Release rows 1..5 are persons 11..15; roll entry "eN" is person N.
RELEASE = pl.DataFrame({"row_id": [1, 2, 3, 4, 5], "person_id": [11, 12, 13, 14, 15]})
ROLL = pl.DataFrame({"epic": ["e11", "e12", "e13", "e14", "e15", "e99"], "person_id": [11, 12, 13, 14, 15, 99]})
# Highest first: right, right, (wrong, right tied at 0.7), wrong.
SCORED = pl.DataFrame(
    {
        "row_id": [1, 2, 3, 4, 5],
        "epic": ["e11", "e12", "e99", "e14", "e99"],
        "match_probability": [0.99, 0.95, 0.7, 0.7, 0.2],
    }
)


def test_the_curve_counts_guesses_and_right_ones_at_each_distinct_probability() -> None:
    curve = precision_curve(SCORED, RELEASE, ROLL)
    assert curve.to_dict(as_series=False) == {
        "threshold": [0.99, 0.95, 0.7, 0.2],
        "guesses": [1, 2, 4, 5],
        "correct": [1, 2, 3, 3],
    }


@pytest.mark.parametrize(
    ("precision", "correct", "threshold"),
    [
        (0.99, 2, 0.95),  # 2 of 2 right at 0.95; 3 of 4 at 0.7 falls short
        (0.75, 3, 0.7),  # 3 of 4 at 0.7 reaches it exactly
        (0.6, 3, 0.7),  # 3 of 5 at 0.2 also reaches it, with no more right: the higher threshold
    ],
)
def test_recall_at_precision_is_the_best_threshold_that_reaches_it(
    precision: float, correct: int, threshold: float
) -> None:
    recall, chosen = recall_at_precision(precision_curve(SCORED, RELEASE, ROLL), precision, rows=10)
    assert (recall.successes, recall.trials, chosen) == (correct, 10, threshold)


def test_no_threshold_reaches_the_precision() -> None:
    wrong_first = SCORED.with_columns(epic=pl.lit("e99"))
    recall, chosen = recall_at_precision(precision_curve(wrong_first, RELEASE, ROLL), 0.9, rows=10)
    assert (recall.successes, recall.value, chosen) == (0, 0.0, None)
