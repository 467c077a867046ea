"""Ward-planning utility: counts by local body, ward, five-year age band and gender, against the true counts.

True counts are rows of the original release (one per registry membership, the unit every policy counts); the
holder's counts are its rows, the released noisy counts of an aggregate release, or its synthetic rows scaled
by original rows / synthetic rows. Reported: total absolute error / true total (relative L1), absolute error
per cell of the public grid (every ward of the world x 17 age bands x 2 genders, plus any cell outside it that
either side holds), and the share of true non-empty cells counted within tolerance:
``|received - true| <= max(1, 10% of true)`` (so cells of up to 10 people must be within one). Data that
cannot give ward-level counts is reported as not served.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from synth.core.coding import AGE_BANDS, GENDERS, census_band
from synth.errors import SpecError
from synth.measure.utility.inputs import check_pair, checked_age_intervals, is_aggregate, quoted
from synth.policies.apply import MinimizedRelease
from synth.policies.tables import TABLE, table_name
from synth.release.build import Release
from synth.scoring.stats import Rate, wilson

WARD_KEYS = ("local_body", "ward", "age", "gender")
TOLERANCE_SHARE = 0.10
TOLERANCE_FLOOR = 1

Source = Literal["rows", "noisy_counts", "published_counts", "synthetic_rows"]
AGE_BY_GENDER = table_name(("age", "gender"))


@dataclass(frozen=True)
class WardPlanningUtility:
    """Counts by local body, ward, five-year age band and gender, against the true counts.

    Attributes
    ----------
    available
        False when the received data cannot give ward-level counts; the figures are then None.
    reason
        Why not (empty when available).
    source
        What was counted: ``"rows"``, ``"noisy_counts"``, ``"published_counts"`` (exact tables) or ``"synthetic_rows"``.
    scale
        Factor applied to the received counts (original rows / synthetic rows; 1 otherwise).
    true_total, received_total
        Sum of the true and of the received counts.
    abs_error
        Sum over cells of ``|received - true|``.
    relative_l1
        ``abs_error / true_total``.
    cells
        Cells of the public grid (plus any cell outside it that either side holds).
    mae
        ``abs_error / cells``: mean absolute error per cell.
    within_tolerance
        True non-empty cells whose received count is within ``max(1, 10% of true)``, of all true
        non-empty cells.
    """

    available: bool
    reason: str = ""
    source: Source | None = None
    scale: float | None = None
    true_total: int | None = None
    received_total: float | None = None
    abs_error: float | None = None
    relative_l1: float | None = None
    cells: int | None = None
    mae: float | None = None
    within_tolerance: Rate | None = None


def _received_bands(age: pl.Series) -> tuple[pl.DataFrame | None, str]:
    """For a string age column: each label with its five-year band; or why the labels give none."""
    intervals = checked_age_intervals(age)
    invalid = intervals.filter(~pl.col("valid"))
    if invalid.height:
        return None, f"the age column holds values that are not ages or age bands (e.g. '{invalid['label'][0]}')"
    mapped = intervals.with_columns(
        band=census_band(pl.col("lo")), fits=census_band(pl.col("lo")) == census_band(pl.col("hi"))
    )
    coarse = mapped.filter(~pl.col("fits"))
    if coarse.height:
        return None, f"ages are banded coarser than five years (e.g. '{coarse['label'][0]}')"
    return mapped.select("label", "band"), ""


def _keyed(frame: pl.DataFrame, age: pl.Expr, weight: pl.Expr) -> pl.DataFrame:
    """Counts per cell (local body, ward, age band, gender), as strings."""
    return (
        frame.select(
            local_body=pl.col("local_body").cast(pl.String),
            ward=pl.col("ward").cast(pl.String),
            age=age,
            gender=pl.col("gender").cast(pl.String),
            _w=weight,
        )
        .group_by(WARD_KEYS)
        .agg(pl.col("_w").sum())
    )


def ward_planning_utility(original: Release, minimized: MinimizedRelease, places: pl.DataFrame) -> WardPlanningUtility:
    """Counts by local body, ward, five-year age band and gender from what the holder received, against the truth.

    Parameters
    ----------
    original
        The release before minimization; its rows give the true counts.
    minimized
        ``minimize(original, policy)``.
    places
        The public list of wards (columns ``local_body`` and ``ward``; ``World.place_names()``), which
        with the 17 age bands and 2 genders makes the grid of cells.

    Returns
    -------
    WardPlanningUtility
        ``available=False`` with a reason when the received data cannot give ward-level counts.

    Raises
    ------
    SpecError
        The minimized release does not come from the original, or ``places`` lacks its columns.
    """
    check_pair(original, minimized)
    if not {"local_body", "ward"} <= set(places.columns):
        raise SpecError(f"places: must hold local_body and ward (it has {', '.join(places.columns)})")
    absent = [c for c in WARD_KEYS if c not in original.data.columns]
    if absent:
        return WardPlanningUtility(
            False, f"the original release has no {quoted(absent)} column, so there are no true counts"
        )
    data = minimized.view.data
    if TABLE in data.columns:  # published tables: ward planning reads the age band x gender table
        if AGE_BY_GENDER not in data[TABLE].unique().to_list():
            return WardPlanningUtility(
                False, f"the published tables have no '{AGE_BY_GENDER}' table (ward counts need age band and gender)"
            )
        data = data.filter(pl.col(TABLE) == AGE_BY_GENDER)
    if data.height == 0:
        return WardPlanningUtility(False, "no rows were received")
    absent = [c for c in WARD_KEYS if c not in data.columns]
    if absent:
        return WardPlanningUtility(
            False, f"the received data has no {quoted(absent)} column (ward counts need local_body, ward, age, gender)"
        )
    genders = data["gender"].cast(pl.String).drop_nulls().unique().sort()
    foreign = genders.filter(~genders.is_in(list(GENDERS)))
    if foreign.len():
        return WardPlanningUtility(
            False, f"the gender column holds values other than {', '.join(GENDERS)} (e.g. '{foreign[0]}')"
        )
    if data.schema["age"].is_numeric():
        received_age = data.with_columns(_band=census_band(pl.col("age").round(0).cast(pl.Int64)))
    else:
        bands, reason = _received_bands(data["age"])
        if bands is None:
            return WardPlanningUtility(False, reason)
        received_age = data.with_columns(pl.col("age").cast(pl.String).alias("_label")).join(
            bands.rename({"label": "_label", "band": "_band"}), on="_label", how="left"
        )
    source: Source
    if TABLE in data.columns:  # a suppressed cell (missing) counts as 0, as a planner without it would
        source, scale, weight = "published_counts", 1.0, pl.col("count").cast(pl.Float64).fill_null(0.0)
    elif is_aggregate(minimized):
        source, scale, weight = "noisy_counts", 1.0, pl.col("count").cast(pl.Float64)
    elif minimized.rows_are_people:
        source, scale, weight = "rows", 1.0, pl.lit(1.0)
    else:
        source, scale = "synthetic_rows", original.data.height / data.height
        weight = pl.lit(scale)
    true = _keyed(original.data, census_band(pl.col("age").cast(pl.Int64)), pl.lit(1)).rename({"_w": "true"})
    received = _keyed(received_age, pl.col("_band"), weight).rename({"_w": "received"})
    cells = (
        true.join(received, on=WARD_KEYS, how="full", coalesce=True, nulls_equal=True)
        .with_columns(pl.col("true").fill_null(0), pl.col("received").fill_null(0.0))
        .with_columns(error=(pl.col("received") - pl.col("true")).abs())
    )
    grid = (
        places.select(pl.col("local_body").cast(pl.String), pl.col("ward").cast(pl.String))
        .unique()
        .join(pl.DataFrame({"age": AGE_BANDS}), how="cross")
        .join(pl.DataFrame({"gender": GENDERS}), how="cross")
    )
    outside = cells.join(grid, on=WARD_KEYS, how="anti", nulls_equal=True).height
    true_total = int(cells["true"].sum())
    abs_error = float(cells["error"].sum())
    occupied = cells.filter(pl.col("true") > 0)
    tolerance = pl.max_horizontal(pl.lit(float(TOLERANCE_FLOOR)), TOLERANCE_SHARE * pl.col("true"))
    within = int(occupied.select((pl.col("error") <= tolerance).sum()).item())
    n_cells = grid.height + outside
    return WardPlanningUtility(
        available=True,
        source=source,
        scale=scale,
        true_total=true_total,
        received_total=float(cells["received"].sum()),
        abs_error=abs_error,
        relative_l1=abs_error / true_total if true_total else None,
        cells=n_cells,
        mae=abs_error / n_cells,
        within_tolerance=wilson(within, occupied.height),
    )
