"""Registries built by eligibility rules: employees, ration cards, pensions, women's scheme, entrepreneurs.

Each local body fills the quota the plan gave it (its share of the state's registry size) by a
weighted draw without replacement among the people who meet the rules. Rules are never bent to
reach a count: where a local body has too few eligible people, it takes them all and the shortfall
is reported by validation. The order matters and follows the rules: government employees first
(they may hold no welfare pension and no priority ration card), then ration cards, one welfare
pension per person, the women's scheme (no pension, no government job, priority card), and
entrepreneurs (no government job).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from synth.world.households import NEVER, SEPARATED, WIDOWED, Households
from synth.world.people import People, age_on, from_cumulative
from synth.world.preset import PENSION_SCHEMES, RATION_CARDS

PRIORITY_CARDS = (RATION_CARDS.index("AAY"), RATION_CARDS.index("PHH"))
NO_PENSION = -1


@dataclass(frozen=True)
class RegistryDraw:
    """Registry membership of one local body's people (indices into its people arrays)."""

    employees: np.ndarray
    department: np.ndarray  # index into the preset's departments, per employee
    posting_district: np.ndarray  # district index, per employee
    ration_card: np.ndarray  # per household, index into RATION_CARDS
    pension: np.ndarray  # per person, index into PENSION_SCHEMES or NO_PENSION
    womens_scheme: np.ndarray
    entrepreneurs: np.ndarray
    enterprise: np.ndarray  # index into the preset's enterprise categories, per entrepreneur
    dob: np.ndarray  # birth dates after the employees' recorded dates (May cluster)
    shortfall: dict[str, int]


def weighted_sample(candidates: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` of ``candidates`` without replacement, with probability rising with weight (Efraimidis-Spirakis).

    Returns them sorted; all of them when there are not more than ``k``.
    """
    u = rng.random(len(candidates))
    if k >= len(candidates):
        return np.sort(candidates)
    keys = np.log(np.maximum(u, 1e-300)) / np.maximum(weights, 1e-12)
    top = np.argpartition(-keys, k - 1)[:k]
    return np.sort(candidates[top])


def may_birth_dates(age: np.ndarray, reference: date, rng: np.random.Generator) -> np.ndarray:
    """Birth dates in May of the year that keeps each person's age on ``reference``."""
    day = rng.integers(1, 32, len(age)).astype("timedelta64[D]") - np.timedelta64(1, "D")

    def in_may(year: np.ndarray, day: np.ndarray) -> np.ndarray:
        months = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(4, "M")
        return months.astype("datetime64[D]") + day

    year = reference.year - age.astype(np.int64)
    out = in_may(year, day)
    not_yet = age_on(out, reference) != age
    out[not_yet] = in_may(year[not_yet] - 1, day[not_yet])
    return out


def draw_shares(shares: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` independent draws of an index with probabilities ``shares``."""
    return from_cumulative(np.broadcast_to(np.cumsum(shares), (n, len(shares))), rng.random(n))


def employee_records(
    people: People,
    employees: np.ndarray,
    district: int,
    params: dict[str, Any],
    department_shares: np.ndarray,
    district_population: np.ndarray,
    reference: date,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the employee registry records: birth dates (a share moved to May of the same age), departments
    and posting districts (at home with the preset's share, else anywhere by population).

    Returns ``(dob of everybody, department per employee, posting district per employee)``.
    """
    dob = people.dob.copy()
    may = employees[rng.random(len(employees)) < params["employee_may_birth_share"]]
    dob[may] = may_birth_dates(people.age[may], reference, rng)
    department = draw_shares(department_shares, len(employees), rng)
    elsewhere = draw_shares(district_population, len(employees), rng)
    home = rng.random(len(employees)) < params["employee_home_posting"]
    return dob, department, np.where(home, district, elsewhere)


def draw_registries(
    people: People,
    households: Households,
    district: int,
    quotas: dict[str, int],
    occupations: tuple[str, ...],
    params: dict[str, Any],
    ration_card_shares: np.ndarray,
    department_shares: np.ndarray,
    enterprise_shares: np.ndarray,
    district_population: np.ndarray,
    reference: date,
    rng: np.random.Generator,
) -> RegistryDraw:
    """Fill one local body's registry quotas by the eligibility rules (see the module docstring)."""
    n = len(people)
    idx = np.arange(n)
    age, sex = people.age.astype(np.int64), people.sex
    occ = people.occupation
    shortfall: dict[str, int] = {}

    def take(name: str, eligible: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
        chosen = weighted_sample(idx[eligible], weights[eligible], k, rng)
        if len(chosen) < k:
            shortfall[name] = shortfall.get(name, 0) + k - len(chosen)
        return chosen

    # Government employees, 23-56, by sex quota.
    k = quotas["employees"]
    k_women = round(k * params["employee_women_share"])
    ramp = np.clip((age - 22) / 11.0, 0, 1)
    emp_age = (age >= 23) & (age <= 56)
    employees = np.sort(
        np.concatenate(
            [
                take("employees", emp_age & (sex == 1), ramp, k_women),
                take("employees", emp_age & (sex == 0), ramp, k - k_women),
            ]
        )
    )
    is_emp = np.zeros(n, dtype=bool)
    is_emp[employees] = True
    dob, department, posting = employee_records(
        people, employees, district, params, department_shares, district_population, reference, rng
    )

    # Ration cards per household: none of priority for a household with a serving or retired
    # government servant (both are excluded from the priority categories).
    retired_gov = occ == occupations.index("retired_government")
    emp_household = np.zeros(households.count, dtype=bool)
    emp_household[households.household[employees]] = True
    emp_household[households.household[retired_gov]] = True
    e = emp_household.mean() if households.count else 0.0
    priority_share = ration_card_shares[list(PRIORITY_CARDS)].sum()
    scale_up = min(1 / max(1e-9, 1 - e), 1 / priority_share)
    others = ration_card_shares.copy()
    others[list(PRIORITY_CARDS)] *= scale_up
    rest = [i for i in range(len(RATION_CARDS)) if i not in PRIORITY_CARDS]
    others[rest] *= (1 - others[list(PRIORITY_CARDS)].sum()) / ration_card_shares[rest].sum()
    non_priority = ration_card_shares.copy()
    non_priority[list(PRIORITY_CARDS)] = 0
    non_priority /= non_priority.sum()
    cum = np.where(emp_household[:, None], np.cumsum(non_priority)[None, :], np.cumsum(others)[None, :])
    ration_card = from_cumulative(cum, rng.random(households.count)).astype(np.int8)

    # Welfare pensions: one per person, none for serving or retired government servants.
    pension = np.full(n, NO_PENSION, dtype=np.int8)
    rules = params["pension_rules"]
    free = ~is_emp & ~retired_gov
    female = sex == 1
    ones = np.ones(n)
    conditions = {
        "disability": people.disabled & (age >= rules["disability_min_age"]),
        "widow": female & np.isin(people.marital, (WIDOWED, SEPARATED)) & (age >= rules["widow_min_age"]),
        "unmarried_women": female & (people.marital == NEVER) & (age >= rules["unmarried_women_min_age"]),
        "agricultural_labourer": (age >= rules["agricultural_labourer_min_age"])
        & (occ == occupations.index("agricultural_labourer")),
        "welfare_fund_board": (age >= rules["welfare_fund_board_min_age"])
        & (occ == occupations.index("informal_worker")),
        "old_age": age >= rules["old_age_min_age"],
    }
    weights = {"old_age": 1 + np.clip(age - 60, 0, None) / 10.0}
    for s, scheme in enumerate(PENSION_SCHEMES):
        chosen = take(
            scheme, free & (pension == NO_PENSION) & conditions[scheme], weights.get(scheme, ones), quotas[scheme]
        )
        pension[chosen] = s

    # Women's security scheme.
    card = ration_card[households.household]
    womens = take(
        "womens_scheme",
        female
        & (age >= params["womens_scheme_age_min"])
        & (age <= params["womens_scheme_age_max"])
        & np.isin(card, PRIORITY_CARDS)
        & (pension == NO_PENSION)
        & ~is_emp
        & ~retired_gov,
        ones,
        quotas["womens_scheme"],
    )

    # Small entrepreneurs, 21-65, no government job; self-employed people are likelier.
    k = quotas["entrepreneurs"]
    k_women = round(k * params["entrepreneur_women_share"])
    w_ent = np.where(occ == occupations.index("self_employed"), 3.0, 1.0)
    ent_ok = (age >= 21) & (age <= 65) & ~is_emp
    entrepreneurs = np.sort(
        np.concatenate(
            [
                take("entrepreneurs", ent_ok & female, w_ent, k_women),
                take("entrepreneurs", ent_ok & ~female, w_ent, k - k_women),
            ]
        )
    )
    enterprise = draw_shares(enterprise_shares, len(entrepreneurs), rng)
    return RegistryDraw(
        employees=employees,
        department=department,
        posting_district=posting,
        ration_card=ration_card,
        pension=pension,
        womens_scheme=womens,
        entrepreneurs=entrepreneurs,
        enterprise=enterprise,
        dob=dob,
        shortfall=shortfall,
    )
