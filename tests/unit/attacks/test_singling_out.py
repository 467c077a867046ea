"""Singling out on a hand-built release and population."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import NotApplicable
from synth.attacks.singling_out import singling_out
from synth.errors import SpecError
from synth.measure.relational import key_counts
from synth.measure.uniqueness import score_singling_out
from synth.release.build import AttackerView

RELEASE = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3],
        "age": [40, 40, 67, 80],
        "gender": ["F", "F", "M", "M"],
        "local_body": ["Kalpetta"] * 4,
    }
)
POPULATION = pl.DataFrame(
    {  # the whole population, coded like the release
        "age": [40, 40, 40, 67, 80, 80],
        "gender": ["F", "F", "F", "M", "M", "M"],
        "local_body": ["Kalpetta"] * 6,
    }
)


def test_unique_rows_and_their_truth() -> None:
    guesses = singling_out(AttackerView(RELEASE), AuxiliaryData(), np.random.default_rng(0))
    assert guesses["row_id"].to_list() == [2, 3]  # rows 0 and 1 share (40, F)
    # the baseline's predicates (from a shuffled release): (40, M) describes nobody, (80, F) nobody,
    # (67, F) nobody, (40, F) three people: none singles anybody out
    baseline = pl.DataFrame(
        {
            "row_id": [0, 1, 2, 3],
            "age": [40, 80, 67, 40],
            "gender": ["M", "F", "F", "F"],
            "local_body": ["Kalpetta"] * 4,
        }
    )
    counts = key_counts(POPULATION, ["age", "gender", "local_body"], "n_pop")
    s = score_singling_out(guesses, baseline, RELEASE, counts)
    # (67, M) is unique in the population; (80, M) is not (two such people, one released)
    assert (s.unique_in_release.value, s.correct, s.precision.value) == (0.5, 1, 0.5)
    assert s.unique_in_population.value == 0.25
    assert (s.baseline.value, s.risk.value) == (0.0, 0.5)
    lucky = baseline.with_columns(age=pl.Series([67, 80, 67, 40]), gender=pl.Series(["M", "F", "F", "F"]))
    assert score_singling_out(guesses, lucky, RELEASE, counts).baseline.value == 0.25  # (67, M) once


def test_not_applicable_names_the_attack() -> None:
    cases = [
        (RELEASE.select("row_id"), "attack 'singling_out': the release has no quasi-identifier (it has row_id)"),
        (RELEASE.clear(), "attack 'singling_out': the release is empty; nothing to single out"),
    ]
    for data, message in cases:
        with pytest.raises(NotApplicable) as err:
            singling_out(AttackerView(data), AuxiliaryData(), np.random.default_rng(0))
        assert err.type is NotApplicable and str(err.value) == message
        assert not isinstance(err.value, SpecError)  # "does not apply" is a note, not a bad scenario
