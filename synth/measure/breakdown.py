"""Results broken down by registry group, district and age band, with Wilson intervals.

Strata come from the truth (who each released row really is), so a breakdown is exact even when a
policy removed the column it is broken down by.
"""

from __future__ import annotations

import polars as pl

from synth.measure.stats import wilson
from synth.release.build import Release
from synth.world.api import World

STRATA = ("registry", "district", "age_band")


def strata(world: World, release: Release) -> pl.DataFrame:
    """``row_id`` with its true registry, district and ten-year age band (80+ together)."""
    places = world.place_names().select("ward_code", "district")
    people = world.people.select("person_id", "ward_code", "age").join(places.lazy(), on="ward_code").collect()
    band = (
        pl.when(pl.col("age") >= 80)
        .then(pl.lit("80+"))
        .otherwise(
            pl.concat_str(
                [(pl.col("age") // 10 * 10).cast(pl.String), (pl.col("age") // 10 * 10 + 9).cast(pl.String)],
                separator="-",
            )
        )
    )
    return release.truth.join(people, on="person_id").select("row_id", "registry", "district", age_band=band)


def breakdown(successes: pl.DataFrame, strata_table: pl.DataFrame, by: str) -> pl.DataFrame:
    """Per group of ``by``: rows, successes, rate and its Wilson 95% interval.

    ``successes`` holds ``row_id`` of every row an attack got right; every row of ``strata_table``
    counts in the denominator.
    """
    if by not in strata_table.columns:
        raise ValueError(f"breakdown: unknown stratum '{by}'; allowed are {', '.join(strata_table.columns[1:])}")
    marked = strata_table.with_columns(success=pl.col("row_id").is_in(successes["row_id"].implode()))
    counts = marked.group_by(by).agg(rows=pl.len(), successes=pl.col("success").sum()).sort(by)
    rates = [wilson(int(s), int(n)) for s, n in zip(counts["successes"], counts["rows"], strict=True)]
    return counts.with_columns(
        value=pl.Series([r.value for r in rates]),
        ci_low=pl.Series([r.ci_low for r in rates]),
        ci_high=pl.Series([r.ci_high for r in rates]),
    )
