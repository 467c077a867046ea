"""The india-2011 pack and the national generator: the pack's checks, seeded parts, shares near the census,
resuming, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from synth.errors import OutputError, SpecError
from synth.world.national import NationalSpec, build_national, generate_part, load_pack, plan_parts


def test_the_pack_holds_every_state_of_census_2011() -> None:
    pack = load_pack()
    assert pack.states.height == 35
    assert pack.states["population_2011"].sum() == 1_210_854_977
    kerala = pack.states.filter(state="Kerala").row(0, named=True)
    assert (kerala["population_2011"], kerala["females_per_1000_males"]) == (33_406_061, 1084)
    share = pack.share_60_plus().filter(state="Kerala")["share_60_plus"].item()
    assert round(share, 3) == 0.126  # the facts: 12.6-13% in 2011


def test_parts_are_seeded_by_state_and_part_whatever_else_is_built() -> None:
    pack = load_pack()
    alone = NationalSpec(seed=4, scale=0.001, states=("Kerala",), rows_per_part=10_000)
    many = NationalSpec(seed=4, scale=0.001, states=("Goa", "32", "Bihar"), rows_per_part=10_000)
    first = plan_parts(alone, pack)[1]
    same = next(p for p in plan_parts(many, pack) if p.key == first.key)
    a, b = generate_part(alone, pack, first), generate_part(many, pack, same)
    assert a.drop("person_id").equals(b.drop("person_id"))
    assert a["person_id"][0] == 10_000 and b["person_id"][0] == same.start != first.start
    other = generate_part(NationalSpec(seed=5, scale=0.001, states=("Kerala",), rows_per_part=10_000), pack, first)
    assert not other.equals(a)


def test_a_state_matches_its_census_figures() -> None:
    pack = load_pack()
    spec = NationalSpec(seed=1, scale=0.01, states=("Uttar Pradesh",), rows_per_part=2_000_000)
    people = pl.concat(generate_part(spec, pack, part) for part in plan_parts(spec, pack))
    assert people.height == 1_998_123
    females = (people["sex"] == "F").sum()
    assert abs(1000 * females / (people.height - females) - 912) < 3
    target = pack.share_60_plus().filter(state_code="09")["share_60_plus"].item()
    assert abs((people["age"] >= 60).mean() - target) < 0.002  # type: ignore[operator]
    assert people["age"].max() == 100 and people["age"].min() == 0
    assert people["person_id"].to_list() == list(range(people.height))


def test_build_resumes_and_refuses_another_population(tmp_path: Path) -> None:
    spec = NationalSpec(seed=2, scale=0.0002, states=("Sikkim", "Goa"), rows_per_part=100)
    reference = build_national(spec, tmp_path / "ref")
    assert reference["people_by_state"] == {"11": 122, "30": 292}
    out = tmp_path / "out"
    build_national(spec, out)
    (out / "manifest.json").unlink()  # as if it stopped before the end: remove one part and its record too
    first = sorted((out / "people").rglob("*.parquet"))[0]
    first.unlink()
    (out / "_build.json").write_text(json.dumps(json.loads((tmp_path / "ref" / "manifest.json").read_text())["build"]))
    assert build_national(spec, out) == reference
    with pytest.raises(OutputError, match="holds a different population; choose another --out folder"):
        build_national(NationalSpec(seed=3, scale=0.0002, states=("Goa",)), out)


def test_bad_input_is_reported_together(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as exc:
        build_national(NationalSpec(seed=-1, scale=0.0, states=("Kerela",), rows_per_part=0), tmp_path / "w")
    assert str(exc.value).splitlines() == [
        "seed = -1: must be a whole number from 0 to 2**32 - 1",
        "scale = 0.0: must be a number above 0 and at most 1 (a share of each state)",
        "rows_per_part = 0: must be a positive whole number",
        "unknown state 'Kerela': allowed are " + ", ".join(load_pack().states["state"]) + " or their codes 01-35"
        " (did you mean 'Kerala'?)",
    ]
    assert not (tmp_path / "w").exists()
