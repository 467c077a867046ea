"""Score attack guesses against the hidden truth, after the attack has run."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from synth.measure.stats import Rate, Risk, risk, wilson


@dataclass(frozen=True)
class LinkageScore:
    """How many of a linkage attack's guesses were right (``correct``), as a share of guesses
    (``precision``) and of released rows (``recall``), with Wilson intervals, against a baseline."""

    guesses: int
    correct: int
    rows: int
    precision: Rate
    recall: Rate
    baseline: Rate
    risk: Risk


def correct_rows(guesses: pl.DataFrame, release_truth: pl.DataFrame, roll_truth: pl.DataFrame) -> pl.DataFrame:
    """``row_id`` of the guesses whose roll entry is the released row's person (for breakdowns)."""
    joined = guesses.join(release_truth.select("row_id", "person_id"), on="row_id", how="inner").join(
        roll_truth.select("epic", guessed="person_id"), on="epic", how="inner"
    )
    return joined.filter(pl.col("person_id") == pl.col("guessed")).select("row_id").sort("row_id")


def correct_links(guesses: pl.DataFrame, release_truth: pl.DataFrame, roll_truth: pl.DataFrame) -> int:
    """Guesses whose roll entry is the released row's person."""
    return correct_rows(guesses, release_truth, roll_truth).height


def score_linkage(
    guesses: pl.DataFrame, baseline: pl.DataFrame, release_truth: pl.DataFrame, roll_truth: pl.DataFrame, rows: int
) -> LinkageScore:
    """Score an attack and its baseline (the same attack on a shuffled view) against the truth."""
    correct = correct_links(guesses, release_truth, roll_truth)
    base_correct = correct_links(baseline, release_truth, roll_truth)
    recall = wilson(correct, rows)
    base = wilson(base_correct, rows)
    return LinkageScore(
        guesses=guesses.height,
        correct=correct,
        rows=rows,
        precision=wilson(correct, guesses.height),
        recall=recall,
        baseline=base,
        risk=risk(recall, base),
    )
