import polars as pl
import pytest

from synth.measure.breakdown import breakdown

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
