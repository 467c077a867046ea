"""Score hashed-phone reversal against the numbers the controller really exported, with its cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from synth.measure.stats import Rate, Risk, risk, wilson

if TYPE_CHECKING:
    from synth.attacks.hash_reversal import HashReversal


@dataclass(frozen=True)
class HashReversalScore:
    """Numbers recovered and what enumerating the space costs.

    ``rows`` are released rows with a digest; ``guesses`` rows given a number, ``correct`` those whose
    number is the exported one. ``baseline`` is the recall of one number drawn at random per row.
    ``full_plan`` is 1 when the enumeration covered the world's whole numbering plan (budget ``"full"``,
    or a numeric budget of at least its size), 0 for a slice. ``hashes_per_second`` is the measured rate
    on one core; the ``plan_*`` figures extrapolate it (and a published GPU rate) to the world's plan,
    the ``real_space_*`` figures to the whole Indian mobile space.
    """

    rows: int
    guesses: int
    correct: int
    precision: Rate
    recall: Rate
    baseline: Rate
    risk: Risk
    candidates: int
    plan_size: int
    full_plan: int
    hashes_per_second: float
    plan_cpu_core_seconds: float
    plan_gpu_seconds: float
    real_space_cpu_core_seconds: float
    real_space_gpu_seconds: float


def recovered_rows(guesses: pl.DataFrame, exported: pl.DataFrame) -> pl.DataFrame:
    """``row_id`` of the rows whose recovered number is the exported one (for breakdowns)."""
    joined = guesses.join(exported.select("row_id", true_phone="phone"), on="row_id", how="inner")
    return joined.filter(pl.col("phone") == pl.col("true_phone")).select("row_id").sort("row_id")


def _correct(guesses: pl.DataFrame, exported: pl.DataFrame) -> int:
    return recovered_rows(guesses, exported).height


def score_hash_reversal(result: HashReversal, baseline: pl.DataFrame, exported: pl.DataFrame) -> HashReversalScore:
    """Score a reversal and its random baseline against ``exported`` (``row_id`` and the plain ``phone``).

    Parameters
    ----------
    result
        What :func:`synth.attacks.hash_reversal.hash_reversal` recovered.
    baseline
        :func:`synth.attacks.hash_reversal.random_guesses` on the same view.
    exported
        The rows as exported before the policy hashed them (the truth side; never given to the attack),
        limited to the rows that carry a digest.
    """
    exported = exported.drop_nulls("phone")
    correct = _correct(result.guesses, exported)
    recall = wilson(correct, exported.height)
    base = wilson(_correct(baseline, exported), exported.height)
    cost = result.cost()
    return HashReversalScore(
        rows=exported.height,
        guesses=result.guesses.height,
        correct=correct,
        precision=wilson(correct, result.guesses.height),
        recall=recall,
        baseline=base,
        risk=risk(recall, base),
        candidates=result.candidates,
        plan_size=result.plan_size,
        full_plan=int(result.full or result.candidates >= result.plan_size),
        hashes_per_second=result.rate,
        plan_cpu_core_seconds=float(cost["plan_cpu_core_seconds"]),
        plan_gpu_seconds=float(cost["plan_gpu_seconds"]),
        real_space_cpu_core_seconds=float(cost["cpu_core_seconds"]),
        real_space_gpu_seconds=float(cost["gpu_seconds"]),
    )
