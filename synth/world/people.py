"""People of one local body: age, sex, birth date, community, marital status, disability, occupation.

Counts per ward are drawn from the district's projected age-by-sex structure, so every ward is at
full density. Communities cluster: each ward's shares are a Dirichlet draw around the district's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from synth.world.demography import N_AGES, Demography


@dataclass(frozen=True)
class People:
    """Column arrays of the people of one local body (index = position in these arrays)."""

    ward: np.ndarray  # index into the local body's wards
    sex: np.ndarray  # 0 male, 1 female
    age: np.ndarray  # completed years on the reference date
    dob: np.ndarray  # datetime64[D]
    community: np.ndarray  # index into Demography.community_names
    marital: np.ndarray  # index into demography.MARITAL
    disabled: np.ndarray  # bool
    occupation: np.ndarray  # index into Demography.occupations

    def __len__(self) -> int:
        return len(self.sex)


def from_cumulative(cum: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise inverse-CDF draw: ``cum`` is ``[n, K]``, each row the cumulative sums of probabilities that sum to 1,
    ``u`` uniform ``[n]``. Callers gather rows from a table's cumulative sums (``np.cumsum(table, axis=-1)[rows]``):
    that is the cumulative sum of the rows gathered from the table, bit for bit (the same additions in the same
    order), with the table summed once instead of once per person."""
    return np.minimum((u[:, None] >= cum).sum(axis=1), cum.shape[1] - 1)


def birth_dates(age: np.ndarray, reference: date, rng: np.random.Generator) -> np.ndarray:
    """Birth dates uniformly within the year of life that gives ``age`` on ``reference``."""
    anniversary_year = reference.year - age
    month_day = np.timedelta64(reference.month - 1, "M")
    last = ((anniversary_year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + month_day).astype(
        "datetime64[D]"
    ) + np.timedelta64(reference.day - 1, "D")
    first = ((anniversary_year - 1 - 1970).astype("datetime64[Y]").astype("datetime64[M]") + month_day).astype(
        "datetime64[D]"
    ) + np.timedelta64(reference.day - 1, "D")
    span = (last - first).astype(np.int64)  # 365 or 366
    back = (rng.random(len(age)) * span).astype(np.int64)
    return last - back.astype("timedelta64[D]")


def age_on(dob: np.ndarray, day: date) -> np.ndarray:
    """Completed years on ``day`` of people born on ``dob`` (datetime64[D])."""
    years = dob.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dob.astype("datetime64[M]").astype(np.int64) % 12
    days = (dob - dob.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    birthday_ahead = (months > day.month - 1) | ((months == day.month - 1) & (days > day.day - 1))
    return (day.year - years - birthday_ahead).astype(np.int16)


GOLDEN = (np.sqrt(5) - 1) / 2


def _balanced_community(
    ward: np.ndarray,
    sex: np.ndarray,
    marital: np.ndarray,
    age: np.ndarray,
    ward_shares: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Communities in each ward's shares, balanced across sex, marital status and age.

    People of a ward are ordered by (sex, marital status, age) and take communities from a
    low-discrepancy (golden-ratio) sequence with a random start, so every such stratum holds each
    community in the ward's proportion give or take one person. Independent draws would leave
    married men and women of a community unequal in number, and families could not form.
    """
    n = len(ward)
    order = np.lexsort((rng.random(n), age, marital, sex, ward))
    sizes = np.bincount(ward, minlength=len(ward_shares))
    starts = np.cumsum(sizes) - sizes
    rank = np.arange(n) - starts[ward[order]]
    start = rng.random(len(ward_shares))
    u = np.mod(start[ward[order]] + rank * GOLDEN, 1.0)
    community = np.empty(n, dtype=np.int8)
    community[order] = from_cumulative(np.cumsum(ward_shares, axis=1)[ward[order]], u)
    return community


def sample_people(
    ward_population: np.ndarray,
    district: int,
    demo: Demography,
    reference: date,
    community_concentration: float,
    rng: np.random.Generator,
) -> People:
    """Draw the people of one local body's wards.

    Parameters
    ----------
    ward_population
        People per ward (from the plan).
    district
        Index of the district in ``demo``.
    demo
        Demographic lookup arrays of the preset.
    reference
        Date on which ages are counted.
    community_concentration
        Dirichlet concentration of ward community shares around the district's.
    rng
        The local body's generator.
    """
    cells = demo.age_sex[district].reshape(-1)  # [2 * N_AGES], sex-major
    counts = rng.multinomial(ward_population, cells)  # [W, 2 * N_AGES]
    n_wards = len(ward_population)
    flat_cell = np.tile(np.arange(cells.size), n_wards)
    cell = np.repeat(flat_cell, counts.reshape(-1))
    ward = np.repeat(np.arange(n_wards), ward_population)
    sex = (cell // N_AGES).astype(np.int8)
    age = (cell % N_AGES).astype(np.int16)
    n = len(sex)

    marital = from_cumulative(np.cumsum(demo.marital, axis=2)[sex, age], rng.random(n)).astype(np.int8)
    alpha = np.maximum(demo.community[district] * community_concentration, 1e-3)
    ward_shares = rng.dirichlet(alpha, size=n_wards)
    community = _balanced_community(ward, sex, marital, age, ward_shares, rng)
    disabled = rng.random(n) < demo.disability[sex, age]
    occupation = from_cumulative(np.cumsum(demo.occupation, axis=2)[sex, age], rng.random(n)).astype(np.int8)
    return People(
        ward=ward.astype(np.int32),
        sex=sex,
        age=age,
        dob=birth_dates(age, reference, rng),
        community=community,
        marital=marital,
        disabled=disabled,
        occupation=occupation,
    )
