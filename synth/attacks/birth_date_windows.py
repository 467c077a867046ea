"""The birth dates hash reversal (:mod:`synth.attacks.hash_reversal`) tries with each number where the birth date
is hashed with the phone: the window of dates a released age leaves, per row."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from synth.core.coding import age_bounds
from synth.core.hash_costs import DOB_YEARS
from synth.release.build import AttackerView

# The ages of a release are as of its reference date; the attacker takes it from the metadata where it is
# published and otherwise assumes the default scenario's (ages on 1 February 2026, the date of the export).
DEFAULT_REFERENCE_DATE = date(2026, 2, 1)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def birth_date_window(ages: tuple[int, int] | None, reference: date = DEFAULT_REFERENCE_DATE) -> tuple[date, date]:
    """The first and last birth date (inclusive) the attacker tries for a record whose age on ``reference`` is
    between ``ages[0]`` and ``ages[1]`` whole years (None: no age released, every date of the
    :data:`~synth.core.hash_costs.DOB_YEARS` years before ``reference``).

    Examples
    --------
    >>> birth_date_window((40, 40))  # one year of life: 365 or 366 dates
    (datetime.date(1985, 2, 2), datetime.date(1986, 2, 1))
    """
    low, high = ages if ages is not None else (0, DOB_YEARS - 1)
    return _years_before(reference, high + 1) + timedelta(days=1), _years_before(reference, low)


def _age_range(value: object) -> tuple[int, int] | None:
    """Whole-year ages a released age stands for (:func:`~synth.core.coding.age_bounds`), an open label up to the
    oldest age tried."""
    bounds = age_bounds(value)
    if bounds is None:
        return None
    return bounds[0], DOB_YEARS - 1 if bounds[1] is None else bounds[1]


def row_windows(data: pl.DataFrame, reference: date | None) -> pl.DataFrame:
    """``first`` and ``last`` birth date tried for each row, by its released ``age`` where it has one (null for
    both where ``reference`` is None: the birth date is not hashed)."""
    if reference is None:
        return data.with_columns(first=pl.lit(None, dtype=pl.Date), last=pl.lit(None, dtype=pl.Date))
    if "age" not in data.columns:
        first, last = birth_date_window(None, reference)
        return data.with_columns(first=pl.lit(first), last=pl.lit(last))
    ages = data["age"].unique().to_list()  # one window per distinct released age
    spans = [birth_date_window(_age_range(a), reference) for a in ages]
    table = pl.DataFrame(
        {
            "age": pl.Series(ages, dtype=data.schema["age"]),
            "first": pl.Series([s[0] for s in spans], dtype=pl.Date),
            "last": pl.Series([s[1] for s in spans], dtype=pl.Date),
        }
    )
    return data.join(table, on="age", how="left", nulls_equal=True, maintain_order="left")


def union_dates(windows: pl.DataFrame) -> list[date]:
    """Every date of the union of the rows' windows, in order."""
    days: set[date] = set()
    for first, last in windows.select("first", "last").unique().iter_rows():
        days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return sorted(days)


def reference_date(view: AttackerView) -> date:
    value = view.metadata.get("reference_date")
    return date.fromisoformat(str(value)) if value else DEFAULT_REFERENCE_DATE
