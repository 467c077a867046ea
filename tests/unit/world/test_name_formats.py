"""Name formats: every template written out for one person, the preset's shares checked and drawn, and the parts
anyone reads back from each format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synth.core.name_parts import name_parts
from synth.errors import PresetError
from synth.world.name_formats import FORMAT_SOURCES, FormatDraw, format_templates, formatted_name, written_names
from synth.world.names import COMMUNITIES
from synth.world.preset import load_preset

WORDS = pl.Series("word", ["Rajan", "Nair", "Kizhakke", "thil", "Prabhakaran"])
WRITTEN = {
    "given_initial": "Rajan K Nair",
    "given_two_initials": "Rajan K P Nair",
    "initial_given": "K Rajan Nair",
    "initial_dot_given": "K. Rajan Nair",
    "two_initials_given": "K P Rajan Nair",
    "two_initials_dot_given": "K. P. Rajan Nair",
    "two_initials_dot_joined": "K.P. Rajan Nair",
    "given_title": "Rajan Nair",
    "given_only": "Rajan",
    "given_house": "Rajan Kizhakkethil Nair",
    "given_father": "Rajan Prabhakaran",
    "given_initial_father": "Rajan K. Prabhakaran",
    "given_father_house": "Rajan Prabhakaran Kizhakkethil",
}


def _person(fmt: list[int], title: int = 1, rel_given: int = 4) -> pl.DataFrame:
    n = len(fmt)
    return pl.DataFrame(
        {
            "given": [0] * n,
            "title": [title] * n,
            "house_a": [2] * n,
            "house_b": [3] * n,
            "rel_given": [rel_given] * n,
            "fmt": pl.Series(fmt, dtype=pl.Int8),
        }
    )


def test_every_format_writes_its_template() -> None:
    assert list(format_templates()) == list(WRITTEN)
    names = _person(list(range(len(WRITTEN)))).select(formatted_name(WORDS).alias("name"))["name"].to_list()
    assert dict(zip(WRITTEN, names, strict=True)) == WRITTEN


def test_a_missing_part_leaves_out_its_token() -> None:
    person = _person([5, 11, 0], title=-1, rel_given=-1)  # no title, no father's name
    assert person.select(formatted_name(WORDS).alias("name"))["name"].to_list() == ["K. Rajan", "Rajan K.", "Rajan K"]


def test_written_names_are_the_expressions_row_by_row() -> None:
    fmt = np.random.default_rng(3).integers(0, len(WRITTEN), 500).tolist()
    person = pl.concat([_person(fmt), _person(fmt[:40], title=-1, rel_given=-1)])
    expected = person.select(formatted_name(WORDS).alias("name"))["name"]
    assert written_names(person, WORDS).to_list() == expected.to_list()
    assert set(fmt) == set(range(len(WRITTEN))) and expected.n_unique() == 18  # every format; some alike without parts
    assert written_names(person.clear(), WORDS).to_list() == []


def test_every_format_reads_back_as_the_given_name_and_initials_of_house_or_father() -> None:
    parts = name_parts(pl.Series(list(WRITTEN.values()))).sort("name")
    assert set(parts["given"]) == {"rajan"}
    assert dict(zip(parts["name"], parts["initials"], strict=True)) == {
        "K P Rajan Nair": "kp",
        "K Rajan Nair": "k",
        "K. P. Rajan Nair": "kp",
        "K. Rajan Nair": "k",
        "K.P. Rajan Nair": "kp",
        "Rajan": "",
        "Rajan K Nair": "k",
        "Rajan K P Nair": "kp",
        "Rajan K. Prabhakaran": "kp",
        "Rajan Kizhakkethil Nair": "k",
        "Rajan Nair": "",
        "Rajan Prabhakaran": "p",
        "Rajan Prabhakaran Kizhakkethil": "kp",
    }


def test_draws_follow_the_presets_shares_and_repeat_with_the_seed() -> None:
    preset = load_preset("kerala-2026")
    formats = FormatDraw.from_params(preset.params)
    community = np.full(200_000, COMMUNITIES.index("hindu"))
    drawn = formats.draw("employees", community, np.random.default_rng(5))
    assert np.array_equal(drawn, formats.draw("employees", community, np.random.default_rng(5)))
    names = list(format_templates())
    shares = np.bincount(drawn, minlength=len(names)) / len(drawn)
    expected = preset.params["name_formats"]["employees"]["hindu"]
    for i, name in enumerate(names):
        assert abs(shares[i] - expected.get(name, 0.0)) < 0.005, name
    assert set(preset.params["name_formats"]) == set(FORMAT_SOURCES)


def test_bad_format_shares_are_named(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text(
        '[preset]\nextends = "kerala-2026"\n'
        "[name_formats.electoral_roll.hindu]\ngiven_only = 0.5\n"  # merged with the preset's: 1.15 in all
        "[name_formats.pensioners.muslim]\ngiven_initials = 0.1\ngiven_only = 1.5\n"
        "[name_formats.ration_shops.hindu]\ngiven_only = 1.0\n"
    )
    with pytest.raises(PresetError) as exc:
        load_preset(f)
    allowed = ", ".join(format_templates())
    assert str(exc.value).splitlines() == [
        f"{f}: name_formats.ration_shops: unknown source; allowed are electoral_roll, employees, pensioners, "
        "entrepreneurs, womens_scheme",
        f"{f}: name_formats.electoral_roll.hindu: shares add up to 1.1500; they must add up to 1",
        f"{f}: name_formats.pensioners.muslim.given_only = 1.5: must be a share from 0 to 1",
        f"{f}: name_formats.pensioners.muslim.given_initials: unknown format; allowed are {allowed} "
        "(did you mean 'given_initial'?)",
    ]
