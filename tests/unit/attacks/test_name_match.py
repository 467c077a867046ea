"""The attacker's reading of names across formats: compatibility made an equality join, proved equal to the set
rule on random sets, and an exact link across formats worked by hand."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.exact_linkage import exact_linkage
from synth.core.coding import as_enum
from synth.core.name_parts import initial_subsets, supported_initials, supported_initials_as_enums
from synth.release.build import AttackerView

LETTERS = "abcdefgh"


def _random_sets(rng: np.random.Generator, n: int, most: int) -> list[str]:
    return ["".join(sorted(rng.choice(list(LETTERS), size=rng.integers(0, most + 1), replace=False))) for _ in range(n)]


def test_joining_on_subsets_counts_exactly_the_compatible_entries() -> None:
    """For every released set, the entries met on the subset join are those whose set contains it, once each."""
    rng = np.random.default_rng(3)
    roll = pl.DataFrame({"epic": [f"E{i}" for i in range(300)], "initials": _random_sets(rng, 300, 5)})
    released = sorted(set(_random_sets(rng, 200, 3)))
    sizes = {len(s) for s in released}
    copies = initial_subsets(roll, sizes)
    met = copies.join(pl.DataFrame({"initials": released}), on="initials").group_by("initials").agg(pl.col("epic"))
    by_join = {r["initials"]: sorted(r["epic"]) for r in met.to_dicts()}
    by_rule = {
        s: sorted(e for e, held in roll.select("epic", "initials").iter_rows() if set(s) <= set(held)) for s in released
    }
    assert by_join == {s: es for s, es in by_rule.items() if es}
    assert not copies.select("epic", "initials").is_duplicated().any()  # no entry twice for one set
    widest = max(len(s) for s in roll["initials"])
    assert copies.height == sum(
        sum(1 for k in sizes for _ in itertools.combinations(s, k)) for s in roll["initials"] if len(s) <= widest
    )


def test_a_roll_entry_supports_the_initials_of_its_house_and_relative() -> None:
    roll = pl.DataFrame(
        {
            "name": ["Rajan", "Mary Varghese", "K. Abdul Rahman"],
            "house_name": ["Kizhakkethil", "Parayil", None],
            "relative_name": ["Prabhakaran", "Varghese", "Moideen"],
        }
    )
    assert supported_initials(roll).rows() == [("rajan", "kp"), ("mary", "pv"), ("abdul", "kmr")]


def test_each_entry_supports_its_own_letters_where_names_repeat_and_where_a_name_is_missing() -> None:
    # names and sets of letters are read once each, then handed back to every entry in the roll's order
    roll = pl.DataFrame(
        {
            "name": ["Rajan", "Rajan", None, "K. Rajan", "Rajan"],
            "house_name": ["Kizhakkethil", "Mangalath", "Puthiya", None, "Kizhakkethil"],
            "relative_name": ["Prabhakaran", "Prabhakaran", "Kumar", "Prabhakaran", None],
        }
    )
    assert supported_initials(roll).rows() == [
        ("rajan", "kp"),
        ("rajan", "mp"),
        (None, "kp"),
        ("rajan", "kp"),
        ("rajan", "k"),
    ]
    assert supported_initials(roll.drop("house_name")).rows() == [
        ("rajan", "p"),
        ("rajan", "p"),
        (None, "k"),
        ("rajan", "kp"),
        ("rajan", ""),
    ]


def test_initials_read_a_part_at_a_time_are_those_read_whole_as_enums() -> None:
    # a name and a set of letters first met in a later part, a part of one row, a missing name and house
    roll = pl.DataFrame(
        {
            "name": ["Rajan", "Mary Varghese", None, "Rajan", "K. Abdul Rahman", "Sreedevi"],
            "house_name": ["Kizhakkethil", "Parayil", "Puthiya", None, None, "Mangalath"],
            "relative_name": ["Prabhakaran", "Varghese", "Kumar", "Prabhakaran", "Moideen", "Zainaba"],
        }
    )
    whole = supported_initials(roll)
    expected = whole.with_columns(as_enum(whole[c]) for c in whole.columns)
    for rows in (1, 2, 4, 6, 100):
        got = supported_initials_as_enums(roll, rows=rows)
        assert got.schema == expected.schema
        assert got.equals(expected)
    assert expected["initials"].to_list() == ["kp", "pv", "kp", "p", "kmr", "mz"]
    assert expected.schema["initials"] == pl.Enum(["kmr", "kp", "mz", "p", "pv"])
    empty = supported_initials_as_enums(roll.clear())
    assert empty.height == 0
    assert empty.schema == pl.Schema({"given": pl.Enum([]), "initials": pl.Enum([])})


def test_reading_initials_a_part_at_a_time_needs_a_part_of_at_least_one_row() -> None:
    roll = pl.DataFrame({"name": ["Rajan"], "house_name": ["Kizhakkethil"], "relative_name": ["Prabhakaran"]})
    with pytest.raises(ValueError, match=r"^supported_initials_as_enums: rows = 0; allowed is at least 1$"):
        supported_initials_as_enums(roll, rows=0)


def test_a_name_links_across_formats_and_a_wrong_initial_does_not() -> None:
    """The release writes "K. P. Rajan" (house Kizhakkethil, father Prabhakaran); the roll prints "Rajan" with
    the house and father apart. Another Rajan of the ward, same age, of house Mangalath, is not compatible, so the
    link is unique; "Rajan M" fits only him; "Rajan" alone fits both (a tie)."""
    roll = pl.DataFrame(
        {
            "epic": ["SYN1", "SYN2"],
            "name": ["Rajan", "Rajan V"],
            "house_name": ["Kizhakkethil", "Mangalath"],
            "relative_type": ["F", "F"],
            "relative_name": ["Prabhakaran", "Velu"],
            "sex": ["M", "M"],
            "age": [52, 52],
            "ward": pl.Series([4, 4], dtype=pl.Int16),
        }
    )
    release = pl.DataFrame(
        {
            "row_id": [0, 1, 2, 3],
            "name": ["K. P. Rajan", "Rajan M", "Rajan", "Rajan Kizhakkethil Nair"],
            "gender": ["M"] * 4,
            "age": [52] * 4,
            "ward": pl.Series([4] * 4, dtype=pl.Int16),
        }
    )
    links = exact_linkage(AttackerView(release), AuxiliaryData(electoral_roll=roll), np.random.default_rng(0))
    assert links.rows() == [(0, "SYN1"), (1, "SYN2"), (3, "SYN1")]


def test_a_name_in_malayalam_script_keeps_its_vowel_signs_in_its_words() -> None:
    from synth.core.name_parts import name_parts

    # "K. Rajan" and "Rajan Kizhakkethil" in Malayalam script: the vowel signs (ാ, ി, േ) and the virama (്) are
    # marks, not separators; read as separators, രാജൻ split into ര and ജൻ, and the given name was ജൻ
    parts = name_parts(pl.Series(["ക. രാജൻ", "രാജൻ കിഴക്കേതിൽ"]))
    assert parts.sort("name").rows() == [("ക. രാജൻ", "രാജൻ", "ക"), ("രാജൻ കിഴക്കേതിൽ", "രാജൻ", "ക")]


def test_initials_of_another_script_are_bits_of_the_mask_too() -> None:
    from synth.attacks.linkage_inputs import initial_mask

    sets = pl.DataFrame({"initials": ["kp", "k", "p", "ക", "കര", "ര", ""]})
    mask = dict(sets.with_columns(m=initial_mask(pl.col("initials"))).iter_rows())
    assert (mask["kp"], mask["k"], mask["p"], mask[""]) == (1 << 10 | 1 << 15, 1 << 10, 1 << 15, 0)  # a is 1, b 2

    def fits(written: str, held: str) -> bool:
        return mask[written] & mask[held] == mask[written]

    # before, every set of Malayalam letters was 0 and fitted every entry; now ക fits കര and not ര
    assert fits("ക", "കര") and fits("ര", "കര") and not fits("ക", "ര") and not fits("കര", "ക")
    assert not fits("ക", "kp") and not fits("k", "ക")
