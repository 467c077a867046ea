"""Results broken down by registry group, district and age band, with Wilson intervals.

Strata come from the truth (who each released row really is), so a breakdown is exact even when a
policy removed the column it is broken down by.
"""

from __future__ import annotations

import polars as pl

from synth.core.coding import decade_band
from synth.release.build import Release
from synth.scoring.stats import wilson
from synth.world.api import World

STRATA = ("registry", "district", "age_band")


def strata(world: World, release: Release) -> pl.DataFrame:
    """``row_id`` with its true registry, district and ten-year age band (80+ together)."""
    places = world.place_names().select("ward_code", "district")
    people = world.people.select("person_id", "ward_code", "age").join(places.lazy(), on="ward_code").collect()
    return release.truth.join(people, on="person_id").select(
        "row_id", "registry", "district", age_band=decade_band(pl.col("age"))
    )


def roll_strata(world: World) -> pl.DataFrame:
    """``epic`` of every roll entry of a living or moved person, with the person's true district and age band.

    Inference labels voters rather than released rows; this is their breakdown (registries do not apply:
    a voter may be in none or several).
    """
    places = world.place_names().select("ward_code", "district")
    people = world.people.select("person_id", "ward_code", "age").join(places.lazy(), on="ward_code")
    roll = world.table("roll_truth").filter(pl.col("person_id") >= 0).select("epic", "person_id")
    return (
        roll.join(people, on="person_id")
        .select("epic", "district", age_band=decade_band(pl.col("age")))
        .collect()
        .sort("epic")
    )


def breakdown(successes: pl.DataFrame, strata_table: pl.DataFrame, by: str) -> pl.DataFrame:
    """Per group of ``by``: rows, successes, rate and its Wilson 95% interval.

    The first column of ``strata_table`` is the key (``row_id`` of released rows, ``epic`` of voters);
    ``successes`` holds the key of every row an attack got right (or marks keys with a boolean ``success``: those
    marked true), and every row of ``strata_table`` counts in the denominator.
    """
    columns = strata_table.columns[1:]
    if by not in columns:
        raise ValueError(f"breakdown: unknown stratum '{by}'; allowed are {', '.join(columns)}")
    return _rates(_marked(successes, strata_table), by)


def _marked(successes: pl.DataFrame, strata_table: pl.DataFrame) -> pl.DataFrame:
    """``strata_table`` with ``success``: whether its key is among those of ``successes``. Where ``successes`` marks
    keys with ``success`` (the rows with ``success`` true count), and lists ``strata_table``'s keys in their order,
    the marks are taken as they are: over the whole state, looking up 2.6 crore voters' epics took 7 to 9.5 s."""
    key = strata_table.columns[0]
    if "success" in successes.columns:
        if successes[key].equals(strata_table[key]):
            return strata_table.with_columns(success=successes["success"].fill_null(False))
        successes = successes.filter(pl.col("success"))
    return strata_table.with_columns(success=pl.col(key).is_in(successes[key].implode()))


def _rates(marked: pl.DataFrame, by: str) -> pl.DataFrame:
    counts = marked.group_by(by).agg(rows=pl.len(), successes=pl.col("success").sum()).sort(by)
    rates = [wilson(int(s), int(n)) for s, n in zip(counts["successes"], counts["rows"], strict=True)]
    return counts.with_columns(
        value=pl.Series([r.value for r in rates], dtype=pl.Float64),
        ci_low=pl.Series([r.ci_low for r in rates], dtype=pl.Float64),
        ci_high=pl.Series([r.ci_high for r in rates], dtype=pl.Float64),
    )


def breakdown_rows(successes: pl.DataFrame, strata_table: pl.DataFrame, measure: str) -> pl.DataFrame:
    """Every stratum's breakdown in one tidy table: ``group`` (``"district=Wayanad"``), ``measure``, ``value``,
    ``ci_low``, ``ci_high``, ``rows`` and ``successes``, groups in a stable order."""
    columns = strata_table.columns[1:]
    marked = _marked(successes, strata_table)  # once for every stratum
    parts = [
        _rates(marked, by).select(
            group=pl.lit(f"{by}=") + pl.col(by).cast(pl.String),
            measure=pl.lit(measure),
            value="value",
            ci_low="ci_low",
            ci_high="ci_high",
            rows="rows",
            successes="successes",
        )
        for by in columns
    ]
    return pl.concat(parts)
