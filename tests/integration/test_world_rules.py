"""The calibration targets and every structural and eligibility rule on a full-density district."""

from __future__ import annotations

import polars as pl
import pytest

from synth import World, validate_world
from synth.world.plan import REGISTRIES

RULES = [
    "employee_age_23_56",
    "employee_no_priority_ration_card",
    "employee_no_welfare_pension",
    "employee_unique",
    "pension_one_per_person",
    "pension_not_government",
    "pension_old_age_60_plus",
    "pension_agricultural_labourer",
    "pension_welfare_fund_board",
    "pension_widow_is_widowed_woman",
    "pension_unmarried_women_50_plus",
    "pension_disability_is_disabled",
    "womens_scheme_woman_35_60",
    "womens_scheme_priority_card",
    "womens_scheme_no_pension",
    "womens_scheme_no_government_job",
    "entrepreneur_age_21_65",
    "entrepreneur_no_government_job",
    "household_one_head",
    "household_size_matches_members",
    "person_in_own_ward_household",
    "spouses_reciprocal_opposite_sex",
    "mother_is_woman_of_plausible_age",
    "roll_epic_unique",
    "roll_person_listed_once_but_duplicates",
    "roll_duplicate_has_an_entry_at_home",
    "age_matches_date_of_birth",
    "attacker_tables_carry_no_world_ids",
    "womens_scheme_no_service_pension",
    "roll_living_entries_adult_on_qualifying_date",
    "phone_in_safe_plan",
    "phone_unique_to_owner",
    "caller_id_number_has_owner",
]


@pytest.fixture(scope="module")
def checks(wayanad: World) -> pl.DataFrame:
    return validate_world(wayanad)


def test_every_rule_is_checked(checks: pl.DataFrame) -> None:
    assert sorted(checks.filter(pl.col("kind") == "rule")["check"].to_list()) == sorted(RULES)


@pytest.mark.parametrize("rule", RULES)
def test_rule_has_no_violations(checks: pl.DataFrame, rule: str) -> None:
    row = checks.filter((pl.col("kind") == "rule") & (pl.col("check") == rule))
    assert row.height == 1
    assert row["value"].item() == 0


@pytest.mark.parametrize("check", ["population", "sex_ratio_f_per_1000_m", "share_60_plus"])
def test_district_figures_within_one_percent(checks: pl.DataFrame, check: str) -> None:
    row = checks.filter(pl.col("check") == check)
    assert row.height == 1
    assert abs(row["error"].item()) <= 0.01


def test_age_by_sex_distance(checks: pl.DataFrame) -> None:
    assert checks.filter(pl.col("check") == "age_by_sex_tvd")["value"].item() <= 0.02


@pytest.mark.parametrize("registry", [*REGISTRIES, "pensioners"])
def test_registry_sizes_within_one_percent(checks: pl.DataFrame, registry: str) -> None:
    row = checks.filter(pl.col("check") == f"registry_size:{registry}")
    assert abs(row["error"].item()) <= 0.01


def test_roll_size_and_may_births(checks: pl.DataFrame) -> None:
    assert abs(checks.filter(pl.col("check") == "electoral_roll_size")["error"].item()) <= 0.01
    assert checks.filter(pl.col("check") == "employee_may_birth_share")["ok"].item()


def test_the_allegations_72_lakh_is_reported_as_unmet(checks: pl.DataFrame) -> None:
    row = checks.filter(pl.col("check") == "unmet_by_design:pensioners (allegation)")
    assert row["kind"].item() == "info"
    assert row["value"].item() < row["target"].item()


def test_independent_counts(wayanad: World) -> None:
    """Recount a few figures straight from the Parquet files, without the validator."""
    people = wayanad.people.collect()
    assert people.height == int(wayanad.table("local_bodies").collect()["population"].sum())
    ws = wayanad.table("womens_scheme").join(wayanad.people, on="person_id").collect()
    assert ws.filter((pl.col("sex") != "F") | (pl.col("age") < 35) | (pl.col("age") > 60)).height == 0
    pen = wayanad.table("pensioners").collect()
    assert pen["person_id"].n_unique() == pen.height
    emp = wayanad.table("employees").join(wayanad.people, on="person_id").collect()
    assert emp["age"].min() >= 23 and emp["age"].max() <= 56
    assert (emp["dob"].dt.month() == 5).mean() > 0.35  # the 31 May retirement spike
    roll = wayanad.electoral_roll.collect()
    assert roll["epic"].str.starts_with("SYN").all()
    assert roll["age"].min() >= 18


def test_validation_fails_on_a_broken_world(small_world_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The validator is not a rubber stamp: break one rule and it reports exactly that."""
    import shutil

    from synth import open_world

    broken = tmp_path / "broken"
    shutil.copytree(small_world_dir, broken)
    files = sorted((broken / "womens_scheme").rglob("*.parquet"))
    pensioners = pl.read_parquet(sorted((broken / "pensioners").rglob("*.parquet"))[0])
    ws = pl.read_parquet(files[0])
    ws = ws.with_columns(person_id=pl.lit(pensioners["person_id"][0]).cast(pl.Int64).alias("person_id")).head(1)
    ws.write_parquet(files[0])
    checks = validate_world(open_world(broken))
    failed = checks.filter(~pl.col("ok"))["check"].to_list()
    assert "womens_scheme_no_pension" in failed


def test_roll_addresses_match_the_houses_there(wayanad: World) -> None:
    """Moved entries and ghosts carry the house name of the house at their listed number, so the
    address alone does not give them away."""
    houses = wayanad.households.select("ward_code", "house_number", hh_name="house_name")
    roll = wayanad.electoral_roll.join(houses, on=["ward_code", "house_number"], how="left").collect()
    assert roll["hh_name"].null_count() == 0
    assert (roll["house_name"] == roll["hh_name"]).all()
    status = wayanad.table("roll_truth").group_by("status").len().collect()
    counts = dict(zip(status["status"].to_list(), status["len"].to_list(), strict=True))
    assert counts["ghost"] > 0 and counts["moved"] > 0


def test_spelling_variants_are_well_formed(wayanad: World) -> None:
    """Every word of a roll name is a capitalised word or an initial ("K", "K.", "K.P."), and the given name (its
    first word of two letters or more) is a capitalised word."""
    words = wayanad.electoral_roll.select(pl.col("name").str.split(" ")).collect().to_series().explode()
    assert words.str.contains(r"^([A-Z][a-z]+|([A-Z]\.?)+)$").all()
    given = wayanad.electoral_roll.select(pl.col("name").str.extract(r"(?:^|\s)([A-Za-z]{2,})")).collect()
    assert given.to_series().str.contains(r"^[A-Z][a-z]+$").all()
