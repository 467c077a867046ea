"""Validate a world: every calibration target against the generated value, every rule's violations.

The result is one tidy table with a row per check: ``kind`` is ``target`` (a figure and its
tolerance), ``rule`` (a count of violations that must be zero) or ``info`` (reported, not gated,
such as targets the preset documents as unmeetable). ``ok`` is false for a target out of tolerance
or a rule with violations. A world learned from a user's table (its manifest has a ``learned`` section) is
checked by :func:`validate_learned` instead: calibration targets do not apply to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from synth.errors import WorldError
from synth.world.build import spec_record
from synth.world.demography import MARITAL, N_AGES, build_demography
from synth.world.phones import load_plan
from synth.world.plan import WorldPlan, WorldSpec, plan_world
from synth.world.preset import PENSION_SCHEMES, Preset, load_preset

if TYPE_CHECKING:
    from synth.world.api import World

RELATIVE_TOLERANCE = 0.01  # populations, sex ratios, 60+ shares, registry and roll sizes
AGE_SEX_TVD = 0.02
COMMUNITY_TVD = 0.03
MAY_SHARE_TOLERANCE = 0.02
BANDS = [(lo, lo + 4) for lo in range(0, 80, 5)] + [(80, N_AGES - 1)]
SCHEMA = {
    "kind": pl.String,
    "check": pl.String,
    "scope": pl.String,
    "target": pl.Float64,
    "value": pl.Float64,
    "error": pl.Float64,
    "tolerance": pl.Float64,
    "ok": pl.Boolean,
}


class _Checks:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def target(
        self,
        check: str,
        scope: str,
        target: float,
        value: float,
        tolerance: float,
        relative: bool = True,
        gate: bool = True,
    ) -> None:
        """A figure against its target; with ``gate=False`` it is reported as ``info`` and never fails."""
        error = (value - target) / target if relative and target else value - target
        within = bool(abs(error) <= tolerance)
        self.rows.append(
            {
                "kind": "target" if gate else "info",
                "check": check,
                "scope": scope,
                "target": float(target),
                "value": float(value),
                "error": float(error),
                "tolerance": tolerance,
                "ok": within or not gate,
            }
        )

    def distance(self, check: str, scope: str, tvd: float, tolerance: float, gate: bool = True) -> None:
        """A total variation distance, which must not exceed ``tolerance``."""
        self.target(check, scope, 0.0, tvd, tolerance, relative=False, gate=gate)

    def rule(self, check: str, violations: int, scope: str = "all") -> None:
        self.rows.append(
            {
                "kind": "rule",
                "check": check,
                "scope": scope,
                "target": 0.0,
                "value": float(violations),
                "error": float(violations),
                "tolerance": 0.0,
                "ok": violations == 0,
            }
        )

    def info(self, check: str, scope: str, target: float, value: float) -> None:
        self.rows.append(
            {
                "kind": "info",
                "check": check,
                "scope": scope,
                "target": float(target),
                "value": float(value),
                "error": float(value - target),
                "tolerance": None,
                "ok": True,
            }
        )

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, schema=SCHEMA)


def _tvd(a: np.ndarray, b: np.ndarray) -> float:
    a = a / a.sum() if a.sum() else a
    b = b / b.sum() if b.sum() else b
    return float(0.5 * np.abs(a - b).sum())


def _count(lf: pl.LazyFrame) -> int:
    return int(lf.select(pl.len()).collect().item())


def _plan_checked(world: World) -> tuple[Preset, WorldPlan]:
    """The world's preset and plan, after checking the preset and phone plan are those it was built with."""
    spec = WorldSpec(
        **{**world.manifest["build"]["spec"], "districts": tuple(world.manifest["build"]["spec"]["districts"])}
    )
    preset = load_preset(spec.preset)
    plan = plan_world(spec, preset)
    built, now = world.manifest["build"], spec_record(plan)
    changed = [k for k in ("preset_sha256", "phone_plan_sha256") if built.get(k) != now[k]]
    if changed:
        raise WorldError(
            f"{world.path}: built with a different {' and '.join(k.removesuffix('_sha256') for k in changed)} "
            f"than the installed '{spec.preset}'; validate it with the files it was built with, or rebuild it"
        )
    return preset, plan


def validate(world: World) -> pl.DataFrame:
    """Run every check on a world (see the module docstring)."""
    if "learned" in world.manifest:
        return validate_learned(world)
    preset, plan = _plan_checked(world)
    demo = build_demography(preset)
    c = _Checks()
    people = world.people
    lbs = plan.local_bodies

    # Population, sex ratio, 60+ share and age-by-sex structure per district.
    by_d = people.group_by("district_code", "sex", "age").agg(n=pl.len()).collect()
    # A district built only in part is a sample of its wards: its distributions are reported, not gated.
    in_state = preset.table("local_bodies").group_by("district_code").len()
    total_lbs = dict(zip(in_state["district_code"].to_list(), in_state["len"].to_list(), strict=True))
    built = lbs.group_by("district_code").len()
    built_lbs = dict(zip(built["district_code"].to_list(), built["len"].to_list(), strict=True))
    complete = {code: built_lbs[code] == total_lbs[code] for code in built_lbs}
    scopes = {
        code: code if complete[code] else f"{code} ({built_lbs[code]} of {total_lbs[code]} local bodies)"
        for code in built_lbs
    }
    for code in sorted(lbs["district_code"].unique().to_list()):
        d = demo.district_index(code)
        expected = demo.age_sex[d]
        sub = by_d.filter(pl.col("district_code") == code)
        got = np.zeros((2, N_AGES))
        for sex, age, n in sub.select("sex", "age", "n").iter_rows():
            got[("M", "F").index(sex), age] += n
        # a whole district against its projected population; a partial one against its local bodies'
        target_pop = (
            round(demo.population[d])
            if complete[code]
            else int(lbs.filter(pl.col("district_code") == code)["population"].sum())
        )
        c.target("population", scopes[code], target_pop, got.sum(), RELATIVE_TOLERANCE)
        full = complete[code]
        c.target(
            "sex_ratio_f_per_1000_m",
            scopes[code],
            1000 * expected[1].sum() / expected[0].sum(),
            1000 * got[1].sum() / max(1, got[0].sum()),
            RELATIVE_TOLERANCE,
            gate=full,
        )
        c.target(
            "share_60_plus",
            scopes[code],
            expected[:, 60:].sum(),
            got[:, 60:].sum() / max(1, got.sum()),
            RELATIVE_TOLERANCE,
            gate=full,
        )
        banded_e = np.array([[expected[s, lo : hi + 1].sum() for lo, hi in BANDS] for s in range(2)])
        banded_g = np.array([[got[s, lo : hi + 1].sum() for lo, hi in BANDS] for s in range(2)])
        c.distance("age_by_sex_tvd", scopes[code], _tvd(banded_g.ravel(), banded_e.ravel()), AGE_SEX_TVD, gate=full)

    # Household size (reported against the 2011 census) and community shares, per district.
    hh = world.households.group_by("district_code", "size").agg(n=pl.len()).collect()
    comm = world.people.group_by("district_code", "community").agg(n=pl.len()).collect()
    for code in sorted(lbs["district_code"].unique().to_list()):
        d = demo.district_index(code)
        sizes = np.zeros(12)
        for size, n in hh.filter(pl.col("district_code") == code).select("size", "n").iter_rows():
            sizes[min(int(size), 12) - 1] += n
        c.info("household_size_tvd_vs_census2011", scopes[code], 0.0, _tvd(sizes, demo.household_size[d]))
        shares = np.zeros(len(demo.community_names))
        for name, n in comm.filter(pl.col("district_code") == code).select("community", "n").iter_rows():
            shares[demo.community_names.index(name)] += n
        c.distance("community_tvd", scopes[code], _tvd(shares, demo.community[d]), COMMUNITY_TVD, gate=complete[code])

    # Registry and roll sizes against this world's share of the preset's figures.
    targets = plan.targets
    sizes_got = {
        "employees": _count(world.table("employees")),
        "entrepreneurs": _count(world.table("entrepreneurs")),
        "womens_scheme": _count(world.table("womens_scheme")),
    }
    schemes = world.table("pensioners").group_by("scheme").agg(n=pl.len()).collect()
    for scheme in PENSION_SCHEMES:
        sizes_got[scheme] = int(schemes.filter(pl.col("scheme") == scheme)["n"].sum())
    for name, got_n in sizes_got.items():
        c.target(f"registry_size:{name}", "all", targets[f"quota_{name}"], got_n, RELATIVE_TOLERANCE)
    pension_total = sum(targets[f"quota_{s}"] for s in PENSION_SCHEMES)
    c.target(
        "registry_size:pensioners", "all", pension_total, sum(sizes_got[s] for s in PENSION_SCHEMES), RELATIVE_TOLERANCE
    )
    c.target("electoral_roll_size", "all", targets["roll_size"], _count(world.electoral_roll), RELATIVE_TOLERANCE)
    share = pension_total / preset.registries.pensioners
    for unmet in preset.params.get("unmet_targets", []):
        c.info(f"unmet_by_design:{unmet['name']}", "all", unmet["target"] * share, unmet["used"] * share)
    for name, missing in sorted(world.manifest.get("shortfall", {}).items()):
        c.info(f"eligible_shortfall:{name}", "all", 0, missing)

    # Employees' recorded birth dates cluster in May.
    emp = world.table("employees").join(people.select("person_id", "dob", "age", "sex"), on="person_id")
    may = emp.select((pl.col("dob").dt.month() == 5).mean()).collect().item()
    p_may = float(preset.params["registries"]["employee_may_birth_share"])
    if may is not None:
        c.target(
            "employee_may_birth_share",
            "all",
            p_may + (1 - p_may) * 31 / 365.25,
            may,
            MAY_SHARE_TOLERANCE,
            relative=False,
        )

    _rules(c, world, preset, plan.phone_plan)
    return c.frame()


EXACT_MATCH_MARGIN = 0.01  # learned rows may equal a table row at most this much above the chance rate


def validate_learned(world: World) -> pl.DataFrame:
    """Checks of a world learned from a user's table (see :mod:`synth.world.learned`).

    Calibration targets do not apply (the world follows the table). Checked: the population and every
    registry size against what was sampled, every rule of a world (eligibility, families, roll, phones),
    the place hierarchy against the preset, every rule the learner enforced (the world's eligibility
    rules written for the table, the observed age ranges, the declared rules) on the world seen as the
    table, no phone number or full name of the table in the world, and no more learned rows equal to a row of the
    table than chance gives (``exact_match_share`` at most the table's own duplicate share plus
    ``EXACT_MATCH_MARGIN``). The quality scores and distances to the closest record are reported.
    """
    from synth.world.learned_build import people_table
    from synth.world.learned_columns import place_table
    from synth.world.rules import parse_rule, schema_kinds

    preset, plan = _plan_checked(world)
    learned = world.manifest["learned"]
    c = _Checks()
    c.target("population", "all", learned["rows"], _count(world.people), 0.0)
    targets = world.manifest["targets"]
    sizes = {r: _count(world.table(r)) for r in ("employees", "entrepreneurs", "womens_scheme")}
    schemes = world.table("pensioners").group_by("scheme").agg(n=pl.len()).collect()
    for scheme in PENSION_SCHEMES:
        sizes[scheme] = int(schemes.filter(pl.col("scheme") == scheme)["n"].sum())
    for name, got in sizes.items():
        c.target(f"registry_size:{name}", "all", targets[f"quota_{name}"], got, 0.0, relative=False)

    _rules(c, world, preset, plan.phone_plan)
    places = place_table(preset).select("ward_code", "local_body_code", "taluk_code", "district_code")
    c.rule(
        "ward_in_local_body_in_taluk_in_district",
        _count(
            world.people.select("ward_code", "local_body_code", "taluk_code", "district_code").join(
                places.lazy(), on=["ward_code", "local_body_code", "taluk_code", "district_code"], how="anti"
            )
        ),
    )
    view = people_table(world).collect()
    kinds = schema_kinds(view.schema)
    for entry in learned["rules"]:
        rule = parse_rule(entry["name"], entry["text"], kinds)
        c.rule(f"{entry['source']}:{entry['name'].split(':', 1)[-1]}", int(view.select(rule.broken().sum()).item()))

    privacy = learned["privacy"]
    c.rule("input_phones_in_output", int(privacy["identifiers"]["input_phones_in_output"]))
    c.rule("input_names_in_output", int(privacy["identifiers"]["input_names_in_output"]))
    share, chance = privacy["exact_match_share"], privacy["exact_match_share_by_chance"]
    c.rows.append(
        {
            "kind": "target",
            "check": "exact_match_share_at_most_chance",
            "scope": "all",
            "target": float(chance),
            "value": float(share),
            "error": float(share - chance),
            "tolerance": EXACT_MATCH_MARGIN,
            "ok": share <= chance + EXACT_MATCH_MARGIN,
        }
    )
    quality = learned["quality"]
    for key in ("score", "column_shapes", "column_pair_trends"):
        c.info(f"quality:{key}", "all", 1.0, float(quality[key]))
    c.info("rejected_share", "all", 0.0, float(learned["sampling"]["rejected_share"]))
    c.info("new_row_synthesis_sdmetrics", "all", 1.0, float(privacy["new_row_synthesis_sdmetrics"]["score"]))
    dcr = privacy["dcr"]
    for key in ("median_synthetic", "median_real", "median_random", "baseline_protection"):
        if dcr.get(key) is not None:
            c.info(
                f"dcr:{key}", "all", float(dcr["median_real"] if key == "median_synthetic" else 0.0), float(dcr[key])
            )
    return c.frame()


def _rules(c: _Checks, world: World, preset: Preset, phone_plan: str) -> None:
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
    c.rule("employee_no_welfare_pension", _count(world.table("employees").join(pen, on="person_id", how="inner")))
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
    c.rule("womens_scheme_no_pension", _count(world.table("womens_scheme").join(pen, on="person_id", how="inner")))
    c.rule("womens_scheme_no_government_job", _count(world.table("womens_scheme").join(emp, on="person_id")))
    c.rule("womens_scheme_no_service_pension", violations(w, pl.col("occupation") == "retired_government"))

    ent = world.table("entrepreneurs").select("person_id").join(p, on="person_id", how="left")
    c.rule("entrepreneur_age_21_65", violations(ent, ~pl.col("age").is_between(21, 65)))
    c.rule("entrepreneur_no_government_job", _count(world.table("entrepreneurs").join(emp, on="person_id")))

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
    c.rule("roll_person_listed_once", violations(living, pl.col("person_id").is_duplicated()))
    adult = living.join(people.select("person_id", "dob"), on="person_id", how="left")
    eighteenth = pl.col("dob").dt.offset_by("18y")
    c.rule(
        "roll_living_entries_adult_on_qualifying_date",
        violations(adult, eighteenth > pl.lit(preset.roll_qualifying_date)),
    )
    ref = pl.lit(preset.reference_date)
    age_from_dob = (
        ref.dt.year()
        - pl.col("dob").dt.year()
        - (
            (ref.dt.month() < pl.col("dob").dt.month())
            | ((ref.dt.month() == pl.col("dob").dt.month()) & (ref.dt.day() < pl.col("dob").dt.day()))
        ).cast(pl.Int32)
    )
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
        _count(
            world.caller_id.join(people.select("phone").filter(pl.col("phone").is_not_null()), on="phone", how="anti")
        ),
    )
