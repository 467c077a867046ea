"""Validate a world: every calibration target against the generated value, every rule's violations.

The result is one tidy table with a row per check: ``kind`` is ``target`` (a figure and its
tolerance), ``rule`` (a count of violations that must be zero) or ``info`` (reported, not gated,
such as targets the preset documents as unmeetable). ``ok`` is false for a target out of tolerance
or a rule with violations (see :mod:`synth.world.checks`: a share's tolerance follows its sample size).
A world learned from a user's table (its manifest has a ``learned`` section) is checked by
:func:`synth.world.learned.validate.validate_learned` instead: calibration targets do not apply to it.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from synth.core.coding import BAND_TOP, BAND_WIDTH, age_on_day
from synth.world.api import World, open_world
from synth.world.checks import Checks, count_rows, odds_tolerance, plan_checked, tvd
from synth.world.demography import N_AGES, build_demography
from synth.world.format_checks import check_name_formats
from synth.world.learned.validate import validate_learned
from synth.world.preset import PENSION_SCHEMES
from synth.world.roll_checks import check_roll_staleness
from synth.world.rule_checks import check_rules

RELATIVE_TOLERANCE = 0.01  # populations, sex ratios, 60+ shares, registry and roll sizes
AGE_SEX_TVD = 0.02
COMMUNITY_TVD = 0.03
HOUSEHOLD_SIZE_TVD = 0.05  # household sizes are calibrated to the 2026 shares (synth.world.household_sizes)
MAY_SHARE_TOLERANCE = 0.02
EDGE_STEP = 1.0  # single years step at band edges at most twice (1 + 1) as much as inside the bands
BANDS = [(lo, lo + BAND_WIDTH - 1) for lo in range(0, BAND_TOP, BAND_WIDTH)] + [(BAND_TOP, N_AGES - 1)]


def roll_whipple(world: World, qualifying: date) -> tuple[float, float]:
    """Whipple's index of the roll's printed ages of living people aged 60 to 89, and of their true ages."""
    entries = (
        world.table("roll_truth")
        .filter(pl.col("person_id").is_not_null())
        .join(world.electoral_roll.select("epic", printed="age"), on="epic")
        .join(world.people.select("person_id", "dob"), on="person_id")
        .with_columns(true=age_on_day(pl.col("dob"), qualifying))
    )

    def whipple(column: str) -> float:
        share = (
            entries.filter(pl.col(column).is_between(60, 89)).select((pl.col(column) % 5 == 0).mean()).collect().item()
        )
        return 500.0 * float(share or 0.0)

    return whipple("printed"), whipple("true")


def size_bands(sizes: np.ndarray) -> np.ndarray:
    """Household counts or shares of sizes 1..12 on the census's bands 1, 2, 3, 4, 5, 6-8 and 9+."""
    return np.array([*sizes[:5], sizes[5:8].sum(), sizes[8:].sum()])


def edge_step_ratio(counts: np.ndarray) -> float:
    """How much larger single years of age step at the 5-year band edges than inside the bands.

    The mean relative step ``|n(a) - n(a-1)| / mean(n(a), n(a-1))`` at the edges (ages 5, 10, ..., 75) over the
    mean step at the other ages from 1 to 79: about 1 where single years are smooth, far above where each band
    is flat (a step at every edge). Ages with no people are left out.

    Examples
    --------
    >>> round(edge_step_ratio(np.repeat(np.arange(16, 0, -1) * 100.0, 5)), 1)  # flat bands: steps only at edges
    inf
    >>> round(edge_step_ratio(np.linspace(2000, 400, 80)), 2)
    0.97
    """
    n = counts[:BAND_TOP].astype(float)
    ages = np.arange(1, BAND_TOP)
    pair = n[ages] + n[ages - 1]
    step = np.divide(2 * np.abs(n[ages] - n[ages - 1]), pair, out=np.zeros(len(ages)), where=pair > 0)
    at_edge = ages % BAND_WIDTH == 0
    inside = step[~at_edge & (pair > 0)].mean()
    edge = step[at_edge & (pair > 0)].mean()
    return float(edge / inside) if inside > 0 else math.inf


def validate_world(world: World | str | Path) -> pl.DataFrame:
    """Every calibration target and structural rule of a world, with its error.

    Parameters
    ----------
    world
        A world, or the path of its folder.

    Returns
    -------
    polars.DataFrame
        A row per check (see the module docstring).

    Raises
    ------
    WorldError
        The folder holds no finished world, or the installed preset or phone plan differs from the one the
        world was built with.
    """
    return validate(world if isinstance(world, World) else open_world(world))


def validate(world: World) -> pl.DataFrame:
    """Run every check on a world (see the module docstring)."""
    if "learned" in world.manifest:
        return validate_learned(world)
    preset, plan = plan_checked(world)
    demo = build_demography(preset)
    c = Checks()
    people = world.people
    lbs = plan.local_bodies

    # Population, sex ratio, 60+ share and age-by-sex structure per district.
    by_d = people.group_by("district_code", "sex", "age").agg(n=pl.len()).collect()
    # A district built only in part is a sample of its wards. People are drawn in every ward from the district's
    # age and sex structure, so its sex ratio, 60+ share and ages are samples of the district's: gated within
    # the tolerance their size allows. Its communities cluster by ward: reported, not gated.
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
        c.target(
            "sex_ratio_f_per_1000_m",
            scopes[code],
            1000 * expected[1].sum() / expected[0].sum(),
            1000 * got[1].sum() / max(1, got[0].sum()),
            odds_tolerance(float(expected[1].sum()), int(got.sum()), RELATIVE_TOLERANCE),
        )
        c.share(
            "share_60_plus",
            scopes[code],
            expected[:, 60:].sum(),
            got[:, 60:].sum() / max(1, got.sum()),
            int(got.sum()),
            RELATIVE_TOLERANCE,
            relative=True,
        )
        banded_e = np.array([[expected[s, lo : hi + 1].sum() for lo, hi in BANDS] for s in range(2)])
        banded_g = np.array([[got[s, lo : hi + 1].sum() for lo, hi in BANDS] for s in range(2)])
        c.distance("age_by_sex_tvd", scopes[code], banded_g.ravel(), banded_e.ravel(), AGE_SEX_TVD)
        c.target("single_year_step_at_band_edges", scopes[code], 1.0, edge_step_ratio(got.sum(axis=0)), EDGE_STEP)

    # Household size: gated against the 2011 census moved to 2026 (what households are calibrated to), reported
    # against the 2011 census itself; and community shares.
    hh = world.households.group_by("district_code", "size").agg(n=pl.len()).collect()
    comm = world.people.group_by("district_code", "community").agg(n=pl.len()).collect()
    for code in sorted(lbs["district_code"].unique().to_list()):
        d = demo.district_index(code)
        sizes = np.zeros(12)
        for size, n in hh.filter(pl.col("district_code") == code).select("size", "n").iter_rows():
            sizes[min(int(size), 12) - 1] += n
        # on the census's bands (1, 2, 3, 4, 5, 6-8, 9+), as the issue and the census give them
        banded = size_bands(sizes)
        c.info("household_size_tvd_vs_census2011", scopes[code], 0.0, tvd(banded, size_bands(demo.household_size[d])))
        c.distance(
            "household_size_tvd_vs_2026",
            scopes[code],
            banded,
            size_bands(demo.household_size_2026[d]),
            HOUSEHOLD_SIZE_TVD,
        )
        shares = np.zeros(len(demo.community_names))
        for name, n in comm.filter(pl.col("district_code") == code).select("community", "n").iter_rows():
            shares[demo.community_names.index(name)] += n
        # Communities cluster by ward (not a sample of the district): a part of a district is reported, not gated.
        c.distance("community_tvd", scopes[code], shares, demo.community[d], COMMUNITY_TVD, gate=complete[code])

    # Registry and roll sizes against this world's share of the preset's figures.
    targets = plan.targets
    sizes_got = {
        "employees": count_rows(world.table("employees")),
        "entrepreneurs": count_rows(world.table("entrepreneurs")),
        "womens_scheme": count_rows(world.table("womens_scheme")),
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
    c.target("electoral_roll_size", "all", targets["roll_size"], count_rows(world.electoral_roll), RELATIVE_TOLERANCE)
    share = pension_total / preset.registries.pensioners
    for unmet in preset.params.get("unmet_targets", []):
        c.info(f"unmet_by_design:{unmet['name']}", "all", unmet["target"] * share, unmet["used"] * share)
    for name, missing in sorted(world.manifest.get("shortfall", {}).items()):
        c.info(f"eligible_shortfall:{name}", "all", 0, missing)

    # Employees' recorded birth dates cluster in May.
    emp = world.table("employees").join(people.select("person_id", "dob", "age", "sex"), on="person_id")
    may, employees = emp.select((pl.col("dob").dt.month() == 5).mean(), pl.len()).collect().row(0)
    p_may = float(preset.params["registries"]["employee_may_birth_share"])
    if may is not None:
        c.share(
            "employee_may_birth_share", "all", p_may + (1 - p_may) * 31 / 365.25, may, employees, MAY_SHARE_TOLERANCE
        )

    # The roll's age heaping among the elderly: Whipple's index (100 x 5 x the share of ages ending in 0 or 5;
    # 100 is none, 500 all) of printed ages against the true ages of the same entries, ages 60 to 89.
    printed, true = roll_whipple(world, preset.roll_qualifying_date)
    c.info("roll_whipple_60_89", "all", true, printed)

    check_roll_staleness(c, world, plan)
    check_name_formats(c, world, preset)
    check_rules(c, world, preset, plan.phone_plan)
    return c.frame()
