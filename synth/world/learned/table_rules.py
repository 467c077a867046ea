"""The rules a learned population keeps, written for the table's own column names: the world's eligibility rules
(only those the table's columns can express) and the age range the table shows for each value of a categorical
role. Both are enforced by rejection when sampling (see :mod:`synth.world.learned.population`).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from synth.world.learned.columns import BOOLEAN_ROLES, GOVERNMENT_EMPLOYEE, NONE, REQUIRED
from synth.world.preset import Preset

PRIORITY = ("AAY", "PHH")  # priority ration cards


def membership(roles: Mapping[str, str]) -> dict[str, str]:
    """The rule-language test of membership of each registry the table can express."""
    out = {}
    occ = roles.get("occupation")
    reg = roles.get("registry")
    if occ is not None:
        out["employees"] = f'{occ} == "{GOVERNMENT_EMPLOYEE}"'
    if "pension_scheme" in roles:
        out["pensioners"] = f'{roles["pension_scheme"]} != "{NONE}"'
    for registry, role in (("entrepreneurs", "entrepreneur"), ("womens_scheme", "womens_scheme")):
        if role in roles:
            out[registry] = roles[role]
        elif reg is not None:
            out[registry] = f'{reg} == "{registry}"'
    return out


def world_rules(roles: Mapping[str, str], preset: Preset) -> dict[str, str]:
    """The world's eligibility rules, written for the table's column names (only those its columns can express)."""
    r = dict(roles)
    if any(k not in r for k in REQUIRED):
        return {}
    age, sex, occ, card = r["age"], r["sex"], r["occupation"], r["ration_card"]
    marital, disabled = r["marital_status"], r["disabled"]
    member = membership(r)
    emp = member["employees"]
    params = preset.params["registries"]
    rules = params["pension_rules"]
    priority = '("AAY", "PHH")'
    out = {
        "employee_age_23_56": f"{age} >= 23 and {age} <= 56 if {emp}",
        "employee_no_priority_ration_card": f"{card} not in {priority} if {emp}",
        "retired_government_no_priority_ration_card": f'{card} not in {priority} if {occ} == "retired_government"',
    }
    if "employee" in r:
        out["employee_is_government_employee"] = f"{emp} if {r['employee']}"
        out["government_employee_is_employee"] = f"{r['employee']} if {emp}"
    if "registry" in r:
        out["registry_employees_is_government_employee"] = f'{emp} if {r["registry"]} == "employees"'
        out["government_employee_in_registry_employees"] = f'{r["registry"]} == "employees" if {emp}'
    if "pension_scheme" in r:
        ps = r["pension_scheme"]
        out |= {
            "employee_no_welfare_pension": f'{ps} == "{NONE}" if {emp}',
            "pension_not_government": (
                f'{occ} not in ("retired_government", "{GOVERNMENT_EMPLOYEE}") if {member["pensioners"]}'
            ),
            "pension_old_age_60_plus": f'{age} >= {rules["old_age_min_age"]} if {ps} == "old_age"',
            "pension_agricultural_labourer": (
                f'{age} >= {rules["agricultural_labourer_min_age"]} and {occ} == "agricultural_labourer" '
                f'if {ps} == "agricultural_labourer"'
            ),
            "pension_welfare_fund_board": (
                f'{age} >= {rules["welfare_fund_board_min_age"]} and {occ} == "informal_worker" '
                f'if {ps} == "welfare_fund_board"'
            ),
            "pension_widow_is_widowed_woman": (
                f'{sex} == "F" and {marital} in ("widowed", "separated") and {age} >= {rules["widow_min_age"]} '
                f'if {ps} == "widow"'
            ),
            "pension_unmarried_women_50_plus": (
                f'{sex} == "F" and {marital} == "never_married" and {age} >= {rules["unmarried_women_min_age"]} '
                f'if {ps} == "unmarried_women"'
            ),
            "pension_disability_is_disabled": (
                f'{disabled} and {age} >= {rules["disability_min_age"]} if {ps} == "disability"'
            ),
        }
        if "registry" in r:
            out["registry_pensioners_have_a_scheme"] = f'{member["pensioners"]} if {r["registry"]} == "pensioners"'
            out["pension_scheme_in_registry_pensioners"] = f'{r["registry"]} == "pensioners" if {member["pensioners"]}'
    if "womens_scheme" in member:
        ws = member["womens_scheme"]
        lo, hi = params["womens_scheme_age_min"], params["womens_scheme_age_max"]
        out["womens_scheme_woman_35_60"] = f'{sex} == "F" and {age} >= {lo} and {age} <= {hi} if {ws}'
        out["womens_scheme_priority_card"] = f"{card} in {priority} if {ws}"
        out["womens_scheme_no_government_job"] = f'{occ} not in ("retired_government", "{GOVERNMENT_EMPLOYEE}") if {ws}'
        if "pension_scheme" in r:
            out["womens_scheme_no_pension"] = f'{r["pension_scheme"]} == "{NONE}" if {ws}'
    if "entrepreneurs" in member:
        out["entrepreneur_age_21_65"] = f"{age} >= 21 and {age} <= 65 if {member['entrepreneurs']}"
        out["entrepreneur_no_government_job"] = f"not ({emp}) if {member['entrepreneurs']}"
    return out


def observed_age_rules(table: pl.DataFrame, roles: Mapping[str, str]) -> dict[str, str]:
    """For each value of each categorical role, the age range the table shows (where narrower than all ages)."""
    age = roles.get("age")
    if age is None:
        return {}
    lo_all, hi_all = table[age].min(), table[age].max()
    out = {}
    for role in ("marital_status", "occupation", "pension_scheme", "registry", *BOOLEAN_ROLES):
        column = roles.get(role)
        if column is None:
            continue
        ranges = table.group_by(column).agg(lo=pl.col(age).min(), hi=pl.col(age).max()).drop_nulls().sort(column)
        for value, lo, hi in ranges.iter_rows():
            if lo == lo_all and hi == hi_all:
                continue
            test = column if value is True else f"not {column}" if value is False else f'{column} == "{value}"'
            out[f"age_range:{column}={value}"] = f"{age} >= {lo} and {age} <= {hi} if {test}"
    return out
