"""Exact linkage on hand-built tables, every figure computed by hand."""

from __future__ import annotations

import inspect

import numpy as np
import polars as pl
import pytest

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.exact_linkage import exact_linkage
from synth.errors import SpecError, TruthLeakError
from synth.measure.scoring import correct_links, score_linkage
from synth.release.build import AttackerView

ROLL = pl.DataFrame(
    {
        "epic": ["SYN1", "SYN2", "SYN3", "SYN4", "SYN5"],
        "name": ["Sreedevi K", "Sreedevi K", "Rajan P Nair", "Mary Varghese", "Abdul Rahman P"],
        "sex": ["F", "F", "M", "F", "M"],
        "age": [41, 41, 67, 52, 80],
        "district": ["Wayanad"] * 5,
        "taluk": ["Vythiri"] * 5,
        "local_body": ["Kalpetta", "Kalpetta", "Kalpetta", "Meppadi", "Meppadi"],
        "ward": pl.Series([3, 3, 5, 2, 7], dtype=pl.Int16),
    }
)
RELEASE = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3],
        "name": ["Sreedevi K", "Rajan P Nair", "Mary Varghese", "Abdul Rahman P"],
        "age": [41, 67, 53, 80],
        "gender": ["F", "M", "F", "M"],
        "district": ["Wayanad"] * 4,
        "taluk": ["Vythiri"] * 4,
        "local_body": ["Kalpetta", "Kalpetta", "Meppadi", "Meppadi"],
        "ward": pl.Series([3, 5, 2, 7], dtype=pl.Int16),
    }
)
RNG = np.random.default_rng(0)


def test_ties_and_misses_get_no_guess() -> None:
    guesses = exact_linkage(AttackerView(RELEASE), AuxiliaryData(electoral_roll=ROLL), RNG)
    # row 0 ties (two Sreedevi K, 41, ward 3); row 2's age differs (53 vs 52); rows 1 and 3 are unique
    assert guesses.rows() == [(1, "SYN3"), (3, "SYN5")]


def test_banded_ages_are_matched_in_the_release_coding() -> None:
    banded = RELEASE.with_columns(age=pl.Series(["40-44", "65-69", "50-54", "80+"]))
    guesses = exact_linkage(AttackerView(banded), AuxiliaryData(electoral_roll=ROLL), RNG)
    assert guesses.rows() == [(1, "SYN3"), (2, "SYN4"), (3, "SYN5")]  # Mary now matches on 50-54


def test_scoring_by_hand() -> None:
    guesses = pl.DataFrame({"row_id": [1, 3], "epic": ["SYN3", "SYN5"]})
    release_truth = pl.DataFrame({"row_id": [0, 1, 2, 3], "person_id": [10, 11, 12, 13]})
    roll_truth = pl.DataFrame(
        {"epic": ["SYN1", "SYN2", "SYN3", "SYN4", "SYN5"], "person_id": [10, 99, 11, 12, 77]}
    )  # SYN5 is somebody else
    assert correct_links(guesses, release_truth, roll_truth) == 1
    s = score_linkage(guesses, guesses.clear(), release_truth, roll_truth, rows=4)
    assert (s.guesses, s.correct, s.precision.value, s.recall.value, s.risk.value) == (2, 1, 0.5, 0.25, 0.25)


def test_attacks_cannot_receive_the_truth() -> None:
    with pytest.raises(TruthLeakError, match="must not hold the truth: column\\(s\\) person_id"):
        AttackerView(RELEASE.with_columns(person_id=pl.lit(1)))
    with pytest.raises(TruthLeakError, match="auxiliary source 'electoral_roll' must not hold the truth"):
        AuxiliaryData(electoral_roll=ROLL.with_columns(person_id=pl.lit(1)))
    params = inspect.signature(exact_linkage).parameters
    assert [p.annotation for p in params.values()] == ["AttackerView", "AuxiliaryData", "np.random.Generator"]


def test_bad_input_names_the_attack() -> None:
    with pytest.raises(
        SpecError,
        match="attack 'exact_linkage': needs the auxiliary source 'electoral_roll', which the scenario did not grant",
    ):
        exact_linkage(AttackerView(RELEASE), AuxiliaryData(), RNG)
    with pytest.raises(SpecError, match="attack 'exact_linkage': the release is empty"):
        exact_linkage(AttackerView(RELEASE.clear()), AuxiliaryData(electoral_roll=ROLL), RNG)
    with pytest.raises(SpecError, match="shares no quasi-identifier with the roll"):
        exact_linkage(AttackerView(RELEASE.select("row_id")), AuxiliaryData(electoral_roll=ROLL), RNG)


def test_top_coded_whole_years() -> None:
    coded = RELEASE.with_columns(age=pl.Series(["41", "67", "53", "75+"]))
    guesses = exact_linkage(AttackerView(coded), AuxiliaryData(electoral_roll=ROLL), RNG)
    assert guesses.rows() == [(1, "SYN3"), (3, "SYN5")]  # 80 is coded "75+" on the roll side too
