"""Reach on a hand-built release: contactable, addressable, vulnerable, fraud-ready; people counted once."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.reach import reach
from synth.errors import SpecError
from synth.measure.reach import score_reach
from synth.release.build import AttackerView

RELEASE = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3],
        "phone": ["+919847012345", "4bcf5d" + "0" * 58, "+91XXXXXX2345", "+910055501234"],
        "name": ["Pathumma K", "Mary Varghese", None, "Rajan P Nair"],
        "age": [74, 44, 81, 74],
        "ward": pl.Series([3, 5, 2, 3], dtype=pl.Int16),
        "registry": ["pensioners", "womens_scheme", "pensioners", "entrepreneurs"],
    }
)


def test_marks_by_hand() -> None:
    marks = reach(
        AttackerView(RELEASE),
        AuxiliaryData(),
        np.random.default_rng(0),
        recovered_phones=pl.DataFrame({"row_id": [1], "phone": ["+910055509999"]}),
    )
    assert marks.rows() == [
        (0, True, True, True, True),  # plain phone, named, pensioner 74: fraud-ready
        (1, True, True, True, True),  # hash reversed, women's scheme
        (2, False, False, True, False),  # masked phone, no name
        (3, True, True, False, False),  # entrepreneur: reachable, not in a vulnerable group
    ]


def test_people_counted_once() -> None:
    marks = reach(AttackerView(RELEASE), AuxiliaryData(), np.random.default_rng(0))
    truth = pl.DataFrame({"row_id": [0, 1, 2, 3], "person_id": [7, 8, 9, 7]})  # rows 0 and 3: one person
    s = score_reach(marks, truth)
    assert (s.people_released, s.contactable, s.addressable, s.fraud_ready) == (3, 1, 2, 1)


def test_bad_input_names_the_attack() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(SpecError, match=r"^attack 'reach': the release is empty$"):
        reach(AttackerView(RELEASE.clear()), AuxiliaryData(), rng)
    with pytest.raises(
        SpecError,
        match=r"^attack 'reach': needs the auxiliary source 'electoral_roll', which the scenario did not grant "
        r"\(granted: none\)$",
    ):
        reach(AttackerView(RELEASE), AuxiliaryData(), rng, links=pl.DataFrame({"row_id": [0], "epic": ["SYN1"]}))


def test_banded_ages_still_mark_old_pensioners() -> None:
    banded = RELEASE.with_columns(age=pl.Series(["70-74", "40-44", "80+", "65-69"]))
    marks = reach(AttackerView(banded), AuxiliaryData(), np.random.default_rng(0))
    # row 0 is a pensioner of at least 70; row 2 one of at least 80; row 3 is not a pensioner
    assert marks["vulnerable"].to_list() == [True, True, True, False]
