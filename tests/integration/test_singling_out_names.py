"""Singling out with names on a whole district's export, against an independent count in plain Polars."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synth import World
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Cell, Truth
from synth.attacks.knowledge import Knowledge
from synth.attacks.registry import ATTACKS
from synth.measure.names import measure_rows
from synth.release import make_release
from synth.release.spec import ReleaseSpec
from tests.integration.name_recount import compatible, with_read_names, with_supported

PLACE = ["district", "taluk", "local_body", "ward"]

pytestmark = pytest.mark.slow


def test_with_names_unique_in_population_equals_an_independent_count(wayanad: World) -> None:
    spec = ReleaseSpec(
        registries=("employees", "pensioners", "entrepreneurs", "womens_scheme"),
        fields=("phone", "name", "age", "gender", "district", "taluk", "ward", "local_body", "registry"),
    )
    release = make_release(wayanad, spec)
    view = release.attacker_view()
    cell = Cell(view, AuxiliaryData(), Knowledge.from_view(view), np.random.default_rng(0))
    truth = Truth(
        release=release.truth.select("row_id", "person_id"),
        roll=pl.DataFrame(schema={"epic": pl.String, "person_id": pl.Int64}),
        strata=release.truth.select("row_id", "registry"),
        exported=None,
        world=wayanad,
    )
    attack = ATTACKS["singling_out"]
    params = attack.parameters({})
    outcome = attack.run(cell, params)
    scored = attack.score(outcome, truth, params)
    figures = {r.measure: r.value for s in scored.scores for r in measure_rows(s)}

    # Independent count: every person with the place names of their ward, the sex as the release's gender.
    places = wayanad.place_names().select("ward_code", *PLACE)
    people = (
        wayanad.people.select("name", "age", "sex", "ward_code")
        .collect()
        .join(places, on="ward_code")
        .select("name", "age", pl.col("sex").cast(pl.String).alias("gender"), *PLACE)
    )
    data = release.data
    rows = data.height

    def share_unique(keys: list[str]) -> float:
        once = people.group_by(keys).agg(pl.len()).filter(pl.col("len") == 1).drop("len")
        return data.join(once, on=keys, how="semi").height / rows

    # With names: a released name, in whatever format, describes the people it could be written for (the given
    # name, initials among those of their name, house and father or husband: name_recount).
    houses = wayanad.table("households").select("household_id", "house_name").collect()
    written_for = with_supported(
        wayanad.people.select("name", "age", "sex", "ward_code", "relative_name", "household_id")
        .collect()
        .join(houses, on="household_id")
        .join(places, on="ward_code")
        .select("name", "house_name", "relative_name", "age", pl.col("sex").cast(pl.String).alias("gender"), *PLACE)
    ).select("given", "mask", "age", "gender", *PLACE)
    by = ["given", "age", "gender", *PLACE]
    described = compatible(
        with_read_names(data.select("row_id", "name", "age", "gender", *PLACE)).join(written_for, on=by)
    )
    once_in_population = described.group_by("row_id").len().filter(pl.col("len") == 1).select("row_id")

    with_names = ["name", "age", "gender", *PLACE]
    expected = once_in_population.height / rows
    assert figures["with_names_unique_in_population"] == pytest.approx(expected, abs=1e-12)
    assert figures["unique_in_population"] == pytest.approx(share_unique(["age", "gender", *PLACE]), abs=1e-12)
    assert figures["with_names_rows"] == figures["rows"] == rows
    # rows unique in the release with names, and how many of those the population confirms
    in_release = data.filter(pl.len().over(with_names) == 1)
    assert figures["with_names_unique_in_release"] == pytest.approx(in_release.height / rows, abs=1e-12)
    assert figures["with_names_correct"] == in_release.join(once_in_population, on="row_id", how="semi").height
    # names single out far more people than age, sex and place alone
    assert expected > 0.9 > figures["unique_in_population"]
    assert figures["with_names_baseline"] < 0.05
