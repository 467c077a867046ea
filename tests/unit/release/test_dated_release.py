"""A release of an earlier date: ages are whole years on its date, recounted here from the birth dates with
plain Python dates, and people born after it are not in it; the same seed gives the same rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from synth import open_world
from synth.errors import SpecError
from synth.release import ReleaseSpec, make_release


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_ages_on_the_release_date_and_nobody_born_after_it(small_world_dir: Path) -> None:
    world = open_world(small_world_dir)
    spec = ReleaseSpec(registries=("employees",), fields=("name", "age", "date_of_birth"), date="2020-06-01")
    dated = make_release(world, spec)
    today = make_release(world, ReleaseSpec(registries=("employees",), fields=("name", "age", "date_of_birth")))
    on = date(2020, 6, 1)
    expected = [_age(born, on) for born in dated.data["date_of_birth"].to_list()]
    assert dated.data["age"].to_list() == expected
    assert (dated.data["date_of_birth"] <= on).all()
    assert dated.data.height == today.data.height - today.data.filter(pl.col("date_of_birth") > on).height
    assert dated.data["row_id"].to_list() == list(range(dated.data.height))  # row ids stay 0, 1, ...
    assert make_release(world, spec).data.equals(dated.data)  # the same seed, the same rows
    # on 1 January 2000 the youngest employees were not born yet
    early = make_release(
        world, ReleaseSpec(registries=("employees",), fields=("age", "date_of_birth"), date="2000-01-01")
    )
    unborn = today.data.filter(pl.col("date_of_birth") > date(2000, 1, 1)).height
    assert unborn > 0 and early.data.height == today.data.height - unborn
    assert early.truth.height == early.data.height


def test_a_date_must_be_an_iso_date() -> None:
    with pytest.raises(SpecError, match=r"release.date = '1 June 2020': must be an ISO date \(YYYY-MM-DD\)"):
        ReleaseSpec(date="1 June 2020")
