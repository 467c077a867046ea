"""Reconstruction on Wayanad's small wards, checked by brute force: for every ward of at most ``SMALL`` released
rows, every three-way table (age band x gender x registry) consistent with the published ``ward_tables`` is counted
here by exhaustive enumeration, without a solver. The attack calls a ward unique exactly when that count is one,
a unique ward is rebuilt exactly, and the share of wards rebuilt exactly (and of rows in them) is recounted with
plain Polars from the release as exported."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
import polars as pl

from synth import World
from synth.attacks.reconstruction import reconstruction, score_reconstruction, true_records
from synth.policies.apply import minimize
from synth.policies.library import load_policy
from synth.release import make_release
from synth.scenario.auxiliary import auxiliary_from_world

SMALL = 200  # released rows: 28 of Wayanad's 553 wards, enumerated in about a second
WARD = ["local_body", "ward"]
CELL = ["age", "gender", "registry"]


def _splits(total: int, caps: list[int]) -> Iterator[tuple[int, ...]]:
    """Every way to put ``total`` records into boxes holding at most ``caps`` each."""
    if not caps:
        if total == 0:
            yield ()
        return
    room = sum(caps[1:])
    for first in range(max(0, total - room), min(caps[0], total) + 1):
        for rest in _splits(total - first, caps[1:]):
            yield (first, *rest)


def _count_tables(published: pl.DataFrame) -> int:
    """How many tables x[age, gender, registry] of whole numbers have the ward's three published two-way tables.

    Age band by age band, every split of the band's women over the registries within the band's registry x age
    counts is tried (the band's men are then the rest, and age x gender holds for them when the band's counts
    agree); the running number of women per registry is the state, and ways reaching the same state are added
    (an enumeration of every table, grouped). Registry x gender holds at the end: the women's totals are equal,
    and the men's follow."""

    def cells(table: str, keys: list[str]) -> dict[tuple[str, ...], int]:
        rows = published.filter(pl.col("table") == table).iter_rows(named=True)
        return {tuple(r[k] for k in keys): r["count"] for r in rows}

    age_gender = cells("age x gender", ["age", "gender"])
    registry_gender = cells("registry x gender", ["registry", "gender"])
    registry_age = cells("registry x age", ["registry", "age"])
    assert {g for _, g in age_gender} == {"F", "M"}
    bands, registries = sorted({a for a, _ in age_gender}), sorted({r for r, _ in registry_gender})
    women = [registry_gender.get((r, "F"), 0) for r in registries]
    ways: dict[tuple[int, ...], int] = {(0,) * len(registries): 1}
    for band in bands:
        caps = [registry_age.get((r, band), 0) for r in registries]
        if sum(caps) != age_gender.get((band, "F"), 0) + age_gender.get((band, "M"), 0):
            return 0
        after: dict[tuple[int, ...], int] = {}
        for sums, n in ways.items():
            for split in _splits(age_gender.get((band, "F"), 0), caps):
                reached = tuple(s + x for s, x in zip(sums, split, strict=True))
                if all(r <= w for r, w in zip(reached, women, strict=True)):
                    after[reached] = after.get(reached, 0) + n
        ways = after
    return ways.get(tuple(women), 0)


def test_uniqueness_and_exactness_agree_with_brute_force_on_the_small_wards(wayanad: World) -> None:
    release = make_release(wayanad)
    published = minimize(release, load_policy("ward_tables"))
    tables = published.view.data
    sizes = tables.filter(pl.col("table") == "age x gender").group_by(WARD).agg(rows=pl.col("count").sum())
    small = sizes.filter(pl.col("rows") <= SMALL).select(WARD)
    view = dataclasses.replace(published.view, data=tables.join(small, on=WARD, how="semi"))
    aux = auxiliary_from_world(wayanad, ["electoral_roll"])
    found = reconstruction(view, aux, np.random.default_rng(1))

    # the truth, recounted from the rows as exported: 5-year bands, 80 and over in one
    exported = release.data.join(small, on=WARD, how="semi")
    low = pl.col("age") // 5 * 5
    band = pl.when(pl.col("age") >= 80).then(pl.lit("80+")).otherwise(pl.format("{}-{}", low, low + 4))
    truth = exported.with_columns(age=band).group_by(*WARD, *CELL).len("true").with_columns(pl.col("true").cast(int))
    both = found.join(truth, on=[*WARD, *CELL], how="full", coalesce=True).with_columns(
        pl.col("count", "true").fill_null(0)
    )
    per_ward = (
        both.group_by(WARD)
        .agg(exact=(pl.col("count") == pl.col("true")).all(), unique=pl.col("unique").drop_nulls().first())
        .join(sizes, on=WARD)
        .sort(WARD)
    )
    counted = {tuple(key): _count_tables(part) for key, part in view.data.partition_by(WARD, as_dict=True).items()}
    brute = per_ward.with_columns(tables=pl.Series([counted[(lb, w)] for lb, w in per_ward.select(WARD).iter_rows()]))

    assert brute.height == small.height == 28
    assert (brute["tables"] >= 1).all()  # the true records always fit exact tables
    assert (brute["unique"] == (brute["tables"] == 1)).all()  # unique exactly when the tables admit one
    assert brute.filter("unique")["exact"].all()  # and then the attack rebuilt the truth
    assert (brute["unique"].sum(), brute["exact"].sum()) == (3, 5)  # two more by the solver's luck
    assert brute["tables"].max() == 1250  # "not unique" is no near miss: up to 1,250 tables fit

    # the attack's own figures are these counts
    places = ["local_body", "ward"]
    scored = score_reconstruction(found, true_records(exported, places, CELL, view.data), places, CELL)
    assert scored.places == 28
    assert scored.unique_places is not None and scored.unique_places.successes == brute["unique"].sum()
    assert scored.exact_places.successes == brute["exact"].sum()
    assert scored.rows_in_exact_places.successes == brute.filter("exact")["rows"].sum()
    assert scored.rows_in_exact_places.trials == brute["rows"].sum()
