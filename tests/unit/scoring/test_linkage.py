"""The recall a probabilistic linkage reaches at each precision, hand-computed."""

from __future__ import annotations

import polars as pl
import pytest

from synth.scoring.linkage import RightEntries, precision_curve, recall_at_precision

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


def test_a_row_is_reachable_where_its_persons_entry_shares_the_keys() -> None:
    """Row 1's person has entry e11 in ward 3 (reachable); row 2's entry e12 is in ward 4, not the row's 3; row 3's
    ward is null (agrees with nothing); row 4's person has no entry among those given; row 5's person has two
    entries (e15, in ward 8, and e15b, in the row's ward 9)."""
    truth = RightEntries(RELEASE, pl.concat([ROLL, pl.DataFrame({"epic": ["e15b"], "person_id": [15]})]), "world")
    rows = pl.DataFrame({"row_id": [1, 2, 3, 4, 5], "ward": [3, 3, None, 3, 9]})
    entries = pl.DataFrame(
        {"epic": ["e11", "e12", "e13", "e15", "e15b", "e99"], "ward": [3, 4, 3, 8, 9, 3]},
        schema={"epic": pl.String, "ward": pl.Int64},
    )
    assert truth.reachable(rows, entries, ["ward"]).to_list() == [True, False, False, False, True]
    # the entries' keys are cast to the rows' (the roll may code a column in a wider type)
    assert truth.reachable(rows.cast({"ward": pl.Int32}), entries, ["ward"]).to_list() == [
        True,
        False,
        False,
        False,
        True,
    ]
    # no key narrows nothing: every row, even one whose person has no entry at all
    assert truth.reachable(rows, entries, []).to_list() == [True] * 5


def test_the_key_of_right_entries_follows_the_release_truth_and_the_world() -> None:
    key = RightEntries(RELEASE, ROLL, "world").key
    assert RightEntries(RELEASE, ROLL, "world").key == key
    assert RightEntries(RELEASE.head(4), ROLL, "world").key != key
    assert RightEntries(RELEASE, ROLL, "another world").key != key
