"""Score hashed-phone reversal against the numbers the controller really exported, with its cost
(:mod:`synth.core.hash_costs` holds the cost model)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from synth.scoring.stats import Rate, Risk, risk, wilson


@dataclass(frozen=True)
class HashReversalScore:
    """Numbers recovered and what recovering them costs.

    ``rows`` are released rows with a digest; ``guesses`` rows given a number, ``correct`` those whose
    number is the exported one. ``baseline`` is the recall of one number drawn at random per row.
    ``full_plan`` is 1 when the enumeration covered the world's whole numbering plan (budget ``"full"``,
    or a numeric budget of at least its size), 0 for a slice. ``hashes_per_second`` is the measured rate of the
    policy's primitive on one core; the ``plan_*`` figures extrapolate it (and a published GPU rate,
    ``gpu_hashes_per_second``) to recovering every digest of the release from the world's plan, the
    ``real_space_*`` figures from the whole Indian mobile space: ``enumerations`` of the space (one per salt
    released beside a record, else one) times ``birth_dates`` tried with each number (1 unless the birth date is
    hashed with the phone). ``per_record_gpu_seconds`` is one record's cost on one GPU. ``reversible`` is 0 when
    the digests need a secret the release does not hold (a pepper, a kept HMAC key): the cost figures are then
    NaN (no row), as reversal by enumeration is infeasible.
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
    reversible: int = 1
    enumerations: int = 1
    birth_dates: int = 1
    gpu_hashes_per_second: float = math.nan
    per_record_gpu_seconds: float = math.nan


class Reversal(Protocol):
    """What a reversal reports to its scorer (:class:`synth.attacks.hash_reversal.HashReversal` is one)."""

    @property
    def guesses(self) -> pl.DataFrame: ...
    @property
    def candidates(self) -> int: ...
    @property
    def plan_size(self) -> int: ...
    @property
    def full(self) -> bool: ...
    @property
    def rate(self) -> float: ...
    @property
    def reversible(self) -> bool: ...
    @property
    def enumerations(self) -> int: ...
    @property
    def birth_dates_all(self) -> int: ...
    def cost(self) -> dict[str, float | str]: ...


def recovered_rows(guesses: pl.DataFrame, exported: pl.DataFrame) -> pl.DataFrame:
    """``row_id`` of the rows whose recovered number is the exported one (for breakdowns)."""
    joined = guesses.join(exported.select("row_id", true_phone="phone"), on="row_id", how="inner")
    return joined.filter(pl.col("phone") == pl.col("true_phone")).select("row_id").sort("row_id")


def _correct(guesses: pl.DataFrame, exported: pl.DataFrame) -> int:
    return recovered_rows(guesses, exported).height


def score_hash_reversal(result: Reversal, baseline: pl.DataFrame, exported: pl.DataFrame) -> HashReversalScore:
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
        reversible=int(result.reversible),
        enumerations=result.enumerations,
        birth_dates=result.birth_dates_all,
        gpu_hashes_per_second=float(cost["gpu_rate"]),
        per_record_gpu_seconds=float(cost["per_record_gpu_seconds"]),
    )
