"""The one coding of ages, places and genders that policies, attacks, scoring and measures share."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synth.core.coding import (
    AGE_BANDS,
    GEO_COLUMNS,
    GEO_LEVELS,
    OPEN,
    age_band,
    age_bounds,
    age_intervals,
    as_enum,
    census_band,
    decade_band,
    recode_age,
    roll_in_release_coding,
    youngest_possible_age,
)
from synth.engine.io import content_key


def test_bands_of_every_width() -> None:
    ages = pl.DataFrame({"age": [0, 4, 5, 37, 79, 80, 101]})
    out = ages.select(
        five=census_band(pl.col("age")),
        ten=decade_band(pl.col("age")),
        open_ended=age_band(pl.col("age"), 3),
    )
    assert out["five"].to_list() == ["0-4", "0-4", "5-9", "35-39", "75-79", "80+", "80+"]
    assert out["ten"].to_list() == ["0-9", "0-9", "0-9", "30-39", "70-79", "80+", "80+"]
    assert out["open_ended"].to_list() == ["0-2", "3-5", "3-5", "36-38", "78-80", "78-80", "99-101"]
    assert AGE_BANDS[0] == "0-4" and AGE_BANDS[-1] == "80+" and len(AGE_BANDS) == 17
    assert GEO_LEVELS[:-1] == GEO_COLUMNS  # the state level has no column


@pytest.mark.parametrize(
    ("label", "bounds"),
    [
        (37, (37, 37)),
        (np.int64(37), (37, 37)),
        ("37", (37, 37)),
        ("35-39", (35, 39)),
        ("80+", (80, None)),
        ("*", (0, None)),
        ("old", None),
        (None, None),
        (True, None),
        (37.0, None),
    ],
)
def test_a_label_reads_back_to_the_ages_it_stands_for(label: object, bounds: tuple[int, int | None] | None) -> None:
    assert age_bounds(label) == bounds


def test_a_column_of_labels_reads_back_to_intervals() -> None:
    out = age_intervals(pl.Series(["80+", "35-39", "37", "*", "old", None, "37"]))
    assert out.rows() == [
        ("*", 0, OPEN),
        ("35-39", 35, 39),
        ("37", 37, 37),
        ("80+", 80, OPEN),
        ("old", None, None),
    ]


def test_the_roll_is_recoded_as_the_release_codes_ages() -> None:
    ages = pl.DataFrame({"age": [37, 82]})
    banded = pl.Series(["35-39", "80+"])
    top_coded = pl.Series(["37", "75+"])
    assert ages.select(recode_age(pl.col("age"), banded).alias("age"))["age"].to_list() == ["35-39", "80+"]
    assert ages.select(recode_age(pl.col("age"), top_coded).alias("age"))["age"].to_list() == ["37", "75+"]
    assert ages.select(recode_age(pl.col("age"), pl.Series([1, 2])).alias("age"))["age"].to_list() == [37, 82]
    assert youngest_possible_age(pl.Series(["70-74", "80+"])).to_list() == [70, 80]


def test_the_roll_in_the_release_coding_as_strings_or_in_its_own_enums() -> None:
    """A granted roll's sexes and places are enums (in no sorted order: ``M`` before ``F``), its wards 16-bit: as
    strings they take the release's dtypes; left in the roll's dtypes they hold the same values, and banded ages are an
    enum of their sorted bands."""
    roll = pl.DataFrame(
        {
            "epic": ["SYN1", "SYN2", "SYN3"],
            "sex": pl.Series(["F", "M", "F"], dtype=pl.Enum(["M", "F"])),
            "age": pl.Series([37, 82, 41], dtype=pl.Int16),
            "local_body": pl.Series(["Kalpetta", "Meppadi", "Kalpetta"], dtype=pl.Enum(["Kalpetta", "Meppadi"])),
            "ward": pl.Series([3, 12, 3], dtype=pl.Int16),
        }
    )
    release = pl.DataFrame(
        {"gender": ["M"], "age": ["35-39"], "local_body": ["Meppadi"], "ward": pl.Series([12], dtype=pl.Int32)}
    )
    columns = ["gender", "age", "local_body", "ward"]
    strings = roll_in_release_coding(roll, release, columns)
    own = roll_in_release_coding(roll, release, columns, strings=False)
    assert dict(strings.schema) == {
        "gender": pl.String,
        "age": pl.String,
        "local_body": pl.String,
        "ward": pl.Int32,
        "epic": pl.String,
    }
    assert dict(own.schema) == {
        "gender": pl.Enum(["M", "F"]),
        "age": pl.Enum(["35-39", "40-44", "80-84"]),
        "local_body": pl.Enum(["Kalpetta", "Meppadi"]),
        "ward": pl.Int32,
        "epic": pl.String,
    }
    assert own.with_columns(pl.col(pl.Enum).cast(pl.String)).equals(strings)
    assert strings.row(1) == ("M", "80-84", "Meppadi", 12, "SYN2")
    whole_years = roll_in_release_coding(roll, release.with_columns(age=pl.lit(50, pl.Int16)), ["age"], strings=False)
    assert whole_years["age"].dtype == pl.Int16


def test_a_column_as_an_enum_of_its_sorted_values_whatever_their_order() -> None:
    first = as_enum(pl.Series("house", ["Puthenveedu", None, "Kizhakkethil", "Puthenveedu"]))
    again = as_enum(pl.Series("house", ["Kizhakkethil", "Puthenveedu", "Puthenveedu", None]))
    assert first.dtype == again.dtype == pl.Enum(["Kizhakkethil", "Puthenveedu"])
    assert first.to_list() == ["Puthenveedu", None, "Kizhakkethil", "Puthenveedu"]
    assert first.sort(nulls_last=True).to_list() == ["Kizhakkethil", "Puthenveedu", "Puthenveedu", None]
    assert content_key(first.sort().to_frame()) == content_key(again.sort().to_frame())
