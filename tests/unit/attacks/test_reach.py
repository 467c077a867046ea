"""Reach on a hand-built release: contactable, addressable, vulnerable, fraud-ready; people counted once."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import NotApplicable
from synth.attacks.knowledge import Knowledge
from synth.attacks.reach import reach
from synth.release.build import AttackerView
from synth.scoring.reach import score_reach

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
    view = AttackerView(RELEASE)
    recovered = pl.DataFrame({"row_id": [1], "phone": ["+910055509999"], "by": ["hash_reversal"]})
    knowledge = Knowledge.from_view(view).learn("phone", recovered)
    assert knowledge.known("phone").rows() == [
        (0, "+919847012345", "released"),
        (1, "+910055509999", "hash_reversal"),  # the digest's number, as hash reversal found it
        (3, "+910055501234", "released"),
    ]  # row 2's masked number is of no use
    marks = reach(view, AuxiliaryData(), np.random.default_rng(0), knowledge)
    assert marks.rows() == [
        (0, True, True, True, True),  # plain phone, named, pensioner 74: fraud-ready
        (1, True, True, True, True),  # hash reversed, women's scheme
        (2, False, False, True, False),  # masked phone, no name
        (3, True, True, False, False),  # entrepreneur: reachable, not in a vulnerable group
    ]
    alone = reach(view, AuxiliaryData(), np.random.default_rng(0))  # by default, what the release says
    assert alone.equals(reach(view, AuxiliaryData(), np.random.default_rng(0), Knowledge.from_view(view)))
    assert alone.rows()[1] == (1, False, True, True, False)  # a digest alone reaches nobody


def test_a_linked_row_is_addressable() -> None:
    """Row 2 has no released name; linked to a roll entry, the roll prints its house: it can be found.
    Reach reads the link from the knowledge, not the roll: no source need be granted to it."""
    view = AttackerView(RELEASE)
    roll = pl.DataFrame({"epic": ["SYN7"], "relative_name": ["Kunjali K"], "house_name": ["Puthenpurayil"]})
    links = pl.DataFrame({"row_id": [2], "epic": ["SYN7"], "chain": ["exact_linkage"]})
    knowledge = Knowledge.from_view(view).link(links, roll)
    linked = knowledge.facts.filter(pl.col("row_id") == 2).select("name", "epic", "epic_by", "relative_name", "house")
    assert linked.rows() == [(None, "SYN7", "exact_linkage", "Kunjali K", "Puthenpurayil")]
    marks = reach(view, AuxiliaryData(), np.random.default_rng(0), knowledge)
    assert marks.rows() == [
        (0, True, True, True, True),
        (1, False, True, True, False),  # the digest is not reversed here
        (2, False, True, True, False),  # linked: addressable, but its masked number still reaches nobody
        (3, True, True, False, False),
    ]
    # had its number been found too, a pensioner of 81 who can be phoned and found is fraud-ready
    found = pl.DataFrame({"row_id": [2], "phone": ["+919400012345"], "by": ["hash_reversal"]})
    marks = reach(view, AuxiliaryData(), np.random.default_rng(0), knowledge.learn("phone", found))
    assert marks.row(2) == (2, True, True, True, True)


def test_people_counted_once() -> None:
    marks = reach(AttackerView(RELEASE), AuxiliaryData(), np.random.default_rng(0))
    truth = pl.DataFrame({"row_id": [0, 1, 2, 3], "person_id": [7, 8, 9, 7]})  # rows 0 and 3: one person
    s = score_reach(marks, truth)
    assert (s.people_released, s.contactable, s.addressable, s.fraud_ready) == (3, 1, 2, 1)


def test_an_empty_release_is_not_applicable() -> None:
    with pytest.raises(NotApplicable) as err:
        reach(AttackerView(RELEASE.clear()), AuxiliaryData(), np.random.default_rng(0))
    assert err.type is NotApplicable and str(err.value) == "attack 'reach': the release is empty"


def test_banded_ages_still_mark_old_pensioners() -> None:
    banded = RELEASE.with_columns(age=pl.Series(["70-74", "40-44", "80+", "65-69"]))
    marks = reach(AttackerView(banded), AuxiliaryData(), np.random.default_rng(0))
    # row 0 is a pensioner of at least 70; row 2 one of at least 80; row 3 is not a pensioner
    assert marks["vulnerable"].to_list() == [True, True, True, False]
