"""The structural rules every world keeps, counted as violations: registry eligibility, households and family
links, the electoral roll, birth dates and phones."""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.core.coding import age_on_day
from synth.core.numbering import load_plan
from synth.world.api import World
from synth.world.checks import Checks, count_rows
from synth.world.demography import MARITAL
from synth.world.preset import Preset


def check_rules(c: Checks, world: World, preset: Preset, phone_plan: str) -> None:
    """Add a rule row (violations that must be zero) to ``c`` for every structural rule of a world.

    Eligibility of each registry (employees, pensions by scheme, the women's scheme, entrepreneurs),
    households and family links, the electoral roll (unique EPICs, adults on the qualifying date, no world
    ids in attacker tables), ages against birth dates, and phones (in the plan, one owner each, every
    caller-ID number owned).
    """
    params = preset.params
    people = world.people
    rules = params["registries"]["pension_rules"]
    rs = params["registries"]
    hh_card = world.households.select("household_id", "ration_card")
    p = people.select("person_id", "household_id", "sex", "age", "marital_status", "disabled", "occupation").join(
        hh_card, on="household_id", how="left"
    )
    emp = world.table("employees").select("person_id").with_columns(employee=pl.lit(True))
    pen = world.table("pensioners").select("person_id", "scheme")
    priority = pl.col("ration_card").is_in(["AAY", "PHH"])

    def violations(lf: pl.LazyFrame, bad: pl.Expr) -> int:
        return int(lf.select(bad.sum()).collect().item() or 0)

    e = world.table("employees").join(p, on="person_id", how="left")
    c.rule("employee_age_23_56", violations(e, ~pl.col("age").is_between(23, 56)))
    c.rule("employee_no_priority_ration_card", violations(e, priority))
    c.rule("employee_no_welfare_pension", count_rows(world.table("employees").join(pen, on="person_id", how="inner")))
    c.rule("employee_unique", violations(world.table("employees"), pl.col("person_id").is_duplicated()))

    pp = pen.join(p, on="person_id", how="left")
    scheme = pl.col("scheme")
    c.rule("pension_one_per_person", violations(pen, pl.col("person_id").is_duplicated()))
    c.rule(
        "pension_not_government",
        violations(pp, pl.col("occupation").is_in(["retired_government", "government_employee"])),
    )
    c.rule(
        "pension_old_age_60_plus", violations(pp, (scheme == "old_age") & (pl.col("age") < rules["old_age_min_age"]))
    )
    c.rule(
        "pension_agricultural_labourer",
        violations(
            pp,
            (scheme == "agricultural_labourer")
            & (
                (pl.col("age") < rules["agricultural_labourer_min_age"])
                | (pl.col("occupation") != "agricultural_labourer")
            ),
        ),
    )
    c.rule(
        "pension_welfare_fund_board",
        violations(
            pp,
            (scheme == "welfare_fund_board")
            & ((pl.col("age") < rules["welfare_fund_board_min_age"]) | (pl.col("occupation") != "informal_worker")),
        ),
    )
    c.rule(
        "pension_widow_is_widowed_woman",
        violations(
            pp,
            (scheme == "widow")
            & (
                (pl.col("sex") != "F")
                | ~pl.col("marital_status").is_in([MARITAL[2], MARITAL[3]])
                | (pl.col("age") < rules["widow_min_age"])
            ),
        ),
    )
    c.rule(
        "pension_unmarried_women_50_plus",
        violations(
            pp,
            (scheme == "unmarried_women")
            & (
                (pl.col("sex") != "F")
                | (pl.col("marital_status") != MARITAL[0])
                | (pl.col("age") < rules["unmarried_women_min_age"])
            ),
        ),
    )
    c.rule("pension_disability_is_disabled", violations(pp, (scheme == "disability") & ~pl.col("disabled")))

    w = world.table("womens_scheme").select("person_id").join(p, on="person_id", how="left")
    c.rule(
        "womens_scheme_woman_35_60",
        violations(
            w,
            (pl.col("sex") != "F")
            | ~pl.col("age").is_between(rs["womens_scheme_age_min"], rs["womens_scheme_age_max"]),
        ),
    )
    c.rule("womens_scheme_priority_card", violations(w, ~priority))
    c.rule("womens_scheme_no_pension", count_rows(world.table("womens_scheme").join(pen, on="person_id", how="inner")))
    c.rule("womens_scheme_no_government_job", count_rows(world.table("womens_scheme").join(emp, on="person_id")))
    c.rule("womens_scheme_no_service_pension", violations(w, pl.col("occupation") == "retired_government"))

    ent = world.table("entrepreneurs").select("person_id").join(p, on="person_id", how="left")
    c.rule("entrepreneur_age_21_65", violations(ent, ~pl.col("age").is_between(21, 65)))
    c.rule("entrepreneur_no_government_job", count_rows(world.table("entrepreneurs").join(emp, on="person_id")))

    # Households and family links.
    members = people.group_by("household_id").agg(m=pl.len(), heads=(pl.col("relation") == "head").sum())
    hh = world.households.join(members, on="household_id", how="left")
    c.rule("household_one_head", violations(hh, pl.col("heads") != 1))
    c.rule("household_size_matches_members", violations(hh, pl.col("m") != pl.col("size")))
    c.rule(
        "person_in_own_ward_household",
        violations(
            people.join(world.households.select("household_id", hw=pl.col("ward_code")), on="household_id", how="left"),
            pl.col("hw") != pl.col("ward_code"),
        ),
    )
    sp = people.select("person_id", "spouse_id", "sex", "age").join(
        people.select(spouse_id="person_id", s_sex="sex", s_spouse="spouse_id"), on="spouse_id", how="inner"
    )
    c.rule(
        "spouses_reciprocal_opposite_sex",
        violations(sp, (pl.col("s_spouse") != pl.col("person_id")) | (pl.col("s_sex") == pl.col("sex"))),
    )
    gap_min = int(params["demography"]["maternal_gap_min"])
    gap_max = int(params["demography"]["maternal_gap_max"])
    mo = people.select("mother_id", "age").join(
        people.select(mother_id="person_id", m_sex="sex", m_age="age"), on="mother_id", how="inner"
    )
    c.rule(
        "mother_is_woman_of_plausible_age",
        violations(mo, (pl.col("m_sex") != "F") | ~(pl.col("m_age") - pl.col("age")).is_between(gap_min, gap_max)),
    )

    # Electoral roll.
    truth = world.table("roll_truth")
    roll = world.electoral_roll
    living = truth.filter(pl.col("person_id").is_not_null())
    c.rule("roll_epic_unique", violations(roll, pl.col("epic").is_duplicated()))
    # A person is listed once, or twice where the second entry is a duplicate (at an old address).
    first = living.filter(pl.col("status") != "duplicate")
    c.rule("roll_person_listed_once_but_duplicates", violations(first, pl.col("person_id").is_duplicated()))
    c.rule(
        "roll_duplicate_has_an_entry_at_home",
        count_rows(living.filter(pl.col("status") == "duplicate").join(first, on="person_id", how="anti")),
    )
    adult = living.join(people.select("person_id", "dob"), on="person_id", how="left")
    eighteenth = pl.col("dob").dt.offset_by("18y")
    c.rule(
        "roll_living_entries_adult_on_qualifying_date",
        violations(adult, eighteenth > pl.lit(preset.roll_qualifying_date)),
    )
    age_from_dob = age_on_day(pl.col("dob"), preset.reference_date)
    c.rule("age_matches_date_of_birth", violations(people, pl.col("age") != age_from_dob))
    id_columns = {"person_id", "household_id", "father_id", "mother_id", "spouse_id", "head_person_id"}
    leaked = [
        f"{t}.{col}"
        for t in ("electoral_roll", "caller_id")
        for col in world.table(t).collect_schema().names()
        if col in id_columns
    ]
    c.rule("attacker_tables_carry_no_world_ids", len(leaked))

    # Phones: in the plan, never shared by two owners.
    plan = load_plan(phone_plan)
    nums = (
        people.filter(pl.col("phone").is_not_null())
        .select(pl.col("phone").str.slice(3).cast(pl.Int64))
        .collect()
        .to_series()
        .to_numpy()
    )
    c.rule(f"phone_in_{phone_plan}_plan", int((~plan.contains(nums)).sum()))
    c.rule("phone_unique_to_owner", int(len(nums) - len(np.unique(nums))))
    c.rule(
        "caller_id_number_has_owner",
        count_rows(
            world.caller_id.join(people.select("phone").filter(pl.col("phone").is_not_null()), on="phone", how="anti")
        ),
    )
