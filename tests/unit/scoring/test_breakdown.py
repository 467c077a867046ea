import polars as pl
import pytest

from synth.scoring.breakdown import breakdown, breakdown_rows

STRATA = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3, 4],
        "registry": ["pensioners", "pensioners", "employees", "womens_scheme", "pensioners"],
        "district": ["Wayanad"] * 5,
        "age_band": ["70-79", "80+", "40-49", "40-49", "70-79"],
    }
)


def test_breakdown_by_hand() -> None:
    out = breakdown(pl.DataFrame({"row_id": [0, 1, 3]}), STRATA, "registry")
    assert out.select("registry", "rows", "successes", "value").rows() == [
        ("employees", 1, 0, 0.0),
        ("pensioners", 3, 2, 2 / 3),
        ("womens_scheme", 1, 1, 1.0),
    ]
    assert (out["ci_low"] <= out["value"]).all() and (out["value"] <= out["ci_high"]).all()


def test_unknown_stratum() -> None:
    with pytest.raises(ValueError, match="unknown stratum 'taluk'; allowed are registry, district, age_band"):
        breakdown(pl.DataFrame({"row_id": [0]}), STRATA, "taluk")


def test_breakdown_rows_are_tidy_and_keyed_by_the_first_column() -> None:
    out = breakdown_rows(pl.DataFrame({"row_id": [0, 1, 3]}), STRATA, "recall")
    assert out.select("group", "measure", "rows", "successes").rows() == [
        ("registry=employees", "recall", 1, 0),
        ("registry=pensioners", "recall", 3, 2),
        ("registry=womens_scheme", "recall", 1, 1),
        ("district=Wayanad", "recall", 5, 3),
        ("age_band=40-49", "recall", 2, 1),
        ("age_band=70-79", "recall", 2, 1),
        ("age_band=80+", "recall", 1, 1),
    ]
    voters = pl.DataFrame({"epic": ["SYN1", "SYN2"], "district": ["Wayanad", "Idukki"], "age_band": ["80+", "80+"]})
    by_epic = breakdown_rows(pl.DataFrame({"epic": ["SYN2"]}), voters, "accuracy")
    assert by_epic.select("group", "value").rows() == [
        ("district=Idukki", 1.0),
        ("district=Wayanad", 0.0),
        ("age_band=80+", 0.5),
    ]


def test_marks_in_the_strata_order_count_as_the_keys_they_mark() -> None:
    keys = pl.DataFrame({"row_id": [0, 1, 3]})
    expected = breakdown_rows(keys, STRATA, "recall")
    aligned = STRATA.select("row_id", success=pl.Series([True, True, False, True, None]))  # null: not a success
    assert breakdown_rows(aligned, STRATA, "recall").equals(expected)
    reordered = aligned.reverse()  # another order: the keys marked true are looked up
    assert breakdown_rows(reordered, STRATA, "recall").equals(expected)
    wrong = aligned.with_columns(success=~pl.col("success"))
    assert not breakdown_rows(wrong, STRATA, "recall").equals(expected)
