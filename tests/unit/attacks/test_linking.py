"""Duplicate roll entries merge into one candidate, whole or a district at a time."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.linking import one_per_printed_person, printed_twice

# Two districts. SYN2/SYN5 print the same person in one district (a duplicate), SYN1/SYN4 the same person in two
# (not a duplicate for a key holding the district), SYN3 is alone.
ROLL = pl.DataFrame(
    {
        "epic": ["SYN5", "SYN1", "SYN4", "SYN3", "SYN2"],
        "name": ["Anu", "Biju", "Biju", "Ravi", "Anu"],
        "relative_type": ["F", "F", "F", "F", "F"],
        "relative_name": ["Mani", "Joy", "Joy", "Jose", "Mani"],
        "sex": ["F", "M", "M", "M", "F"],
        "age": [30, 40, 40, 50, 30],
        "district": ["A", "A", "B", "B", "A"],
    }
)
KEYS = ["name", "sex", "age", "district"]


def test_duplicates_merge_to_the_lowest_epic_and_namesakes_elsewhere_stay() -> None:
    assert printed_twice(ROLL).to_list() == [True, True, True, False, True]
    merged = one_per_printed_person(ROLL, ROLL, KEYS)
    # unshared entries first, in the roll's order; then one of each shared group, by EPIC
    assert merged["epic"].to_list() == ["SYN3", "SYN1", "SYN2", "SYN4"]
    # without relative names a duplicate cannot be told from a namesake: nothing merges
    unnamed = ROLL.drop("relative_name")
    assert printed_twice(unnamed).to_list() == [False] * 5
    assert one_per_printed_person(unnamed, unnamed, KEYS).equals(unnamed)


def test_a_district_merged_alone_with_the_whole_rolls_mask_is_that_district_of_the_whole() -> None:
    whole = one_per_printed_person(ROLL, ROLL, KEYS)
    shared = printed_twice(ROLL)
    for district in ["A", "B"]:
        here = ROLL["district"] == district
        part = ROLL.filter(here)
        alone = one_per_printed_person(part, part, KEYS, shared.filter(here))
        assert_frame_equal(alone, whole.filter(pl.col("district") == district))
    # without the whole roll's mask, SYN4 (shared only across districts) moves: the order is the part's own
    part = ROLL.filter(ROLL["district"] == "B")
    assert one_per_printed_person(part, part, KEYS)["epic"].to_list() == ["SYN4", "SYN3"]
    assert whole.filter(pl.col("district") == "B")["epic"].to_list() == ["SYN3", "SYN4"]


def test_a_sources_entries_printed_twice_are_read_once() -> None:
    aux = AuxiliaryData(electoral_roll=ROLL)
    assert aux.roll_printed_twice is aux.roll_printed_twice
    assert aux.roll_printed_twice.to_list() == [True, True, True, False, True]
    # within each district: SYN5 and SYN2 (A) print one person; SYN1 (A) and SYN4 (B) are in two districts
    assert aux.roll_printed_twice_in_district is aux.roll_printed_twice_in_district
    assert aux.roll_printed_twice_in_district.to_list() == [True, False, False, False, True]
    assert AuxiliaryData(electoral_roll=ROLL.drop("relative_name")).roll_printed_twice.to_list() == [False] * 5
