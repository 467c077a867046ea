"""Moves across districts on a world of two districts, counted with SQL (DuckDB) from the world's tables: the
share listed in another district, each at a household of it, the same people and entries as a world without such
moves, and the same bytes on two workers and after a build interrupted in its second phase."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from synth import World, build_world, learn_world
from synth.attacks.linking import shuffled_view
from synth.attacks.singling_out import quasi_identifiers
from synth.core.coding import age_band, recode_age
from synth.core.name_parts import supported_initials
from synth.errors import BuildInterrupted
from synth.release import ReleaseSpec, make_release
from synth.release.build import AttackerView
from synth.release.spec import EXPORT_FIELDS
from synth.scoring import written_names
from synth.scoring.singling_out import by_written_name
from synth.scoring.written_names import written_name_counts, written_name_keys
from synth.world import build as build_module
from synth.world.fidelity import FidelitySizes
from synth.world.people_table import people_table
from synth.world.plan import WorldSpec
from synth.world.preset import load_preset
from synth.world.validate import validate_world
from tests.integration.interrupt import interrupt_second_call

SPEC = {"districts": ["Wayanad", "Idukki"], "local_bodies": 12, "seed": 7}  # 4 local bodies of one, 8 of the other
NONE_ACROSS = {"electoral_roll.moved_district_share": 0.0}


@pytest.fixture(scope="module")
def two_districts(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("two") / "w", **SPEC)  # type: ignore[arg-type]


def _files(world: World) -> dict[str, str]:
    return dict(json.loads((world.path / "manifest.json").read_text())["files"])


def _sql(world: World) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("entries", world.table("roll_truth").collect())
    con.register("roll", world.electoral_roll.collect())
    con.register("people", world.people.select("person_id", home="ward_code").collect())
    con.register("households", world.households.collect())
    return con


def test_entries_of_the_presets_share_are_listed_in_another_district(two_districts: World) -> None:
    params = load_preset("kerala-2026").params["electoral_roll"]
    con = _sql(two_districts)
    districts = con.execute("SELECT count(DISTINCT district_code) FROM roll").fetchall()[0][0]
    assert districts == 2
    # of the living people's entries that no move within the district took from home, the share listed elsewhere
    across, status = con.execute(
        """
        WITH listed AS (SELECT e.status, substr(r.ward_code, 2, 2) <> substr(p.home, 2, 2) AS away
                        FROM entries e JOIN roll r USING (epic) JOIN people p USING (person_id))
        SELECT avg(away::INT), string_agg(DISTINCT status::VARCHAR, ',') FILTER (WHERE away)
        FROM listed WHERE status = 'living' OR (status = 'moved' AND away)
        """
    ).fetchall()[0]
    assert across == pytest.approx(params["moved_district_share"], abs=0.002)
    assert status == "moved"  # nobody is listed in another district but as moved
    # the roll's own district code is its ward's: the entry is on the other district's roll
    assert con.execute("SELECT count(*) FROM roll WHERE district_code <> substr(ward_code, 2, 2)").fetchall()[0][0] == 0


def test_an_entry_moved_across_is_listed_at_a_household_of_that_district(two_districts: World) -> None:
    con = _sql(two_districts)
    moved_across = """
        FROM entries e JOIN roll r USING (epic) JOIN people p USING (person_id)
        WHERE substr(r.ward_code, 2, 2) <> substr(p.home, 2, 2)"""
    total = con.execute(f"SELECT count(*) {moved_across}").fetchall()[0][0]
    at_a_house = con.execute(
        f"SELECT count(*) {moved_across} AND EXISTS (SELECT 1 FROM households h WHERE h.ward_code = r.ward_code "
        "AND h.house_number = r.house_number AND h.house_name = r.house_name)"
    ).fetchall()[0][0]
    assert total > 1_000
    assert at_a_house == total  # ward, house number and house name of one household there
    # parts and serials: every ward's entries numbered once, 1..n in each part, the movers among them
    gaps = con.execute(
        """
        SELECT count(*) FROM (SELECT ward_code, part_number, count(*) AS n, max(serial_number) AS top,
                                     count(DISTINCT serial_number) AS distinct_serials
                              FROM roll GROUP BY ward_code, part_number)
        WHERE n <> top OR n <> distinct_serials
        """
    ).fetchall()[0][0]
    assert gaps == 0


def test_the_same_people_and_entries_as_a_world_without_moves_across(two_districts: World, tmp_path: Path) -> None:
    still = build_world(tmp_path / "still", noise=NONE_ACROSS, **SPEC)  # type: ignore[arg-type]
    for table in ("people", "households", "employees", "pensioners", "caller_id"):
        assert still.table(table).collect().equals(two_districts.table(table).collect()), table
    con = _sql(two_districts)
    con.register("still", still.electoral_roll.collect())
    counts = con.execute(
        """
        SELECT count(*), count(s.epic),
               count(*) FILTER (WHERE s.district_code = r.district_code AND (s.ward_code, s.house_number, s.name,
                      s.relative_name, s.age) IS DISTINCT FROM (r.ward_code, r.house_number, r.name, r.relative_name,
                      r.age)),
               count(*) FILTER (WHERE s.district_code <> r.district_code AND (s.relative_name, s.age, s.sex)
                      IS DISTINCT FROM (r.relative_name, r.age, r.sex))
        FROM roll r LEFT JOIN still s USING (epic)
        """
    ).fetchall()[0]
    entries, matched, changed_at_home, changed_movers = counts
    assert entries == matched == still.electoral_roll.select(pl.len()).collect().item()  # the same entries
    assert changed_at_home == 0  # an entry that did not move across is as it was
    assert changed_movers == 0  # one that did keeps its relative, age and sex


@pytest.mark.slow
def test_two_workers_and_a_build_resumed_in_its_second_phase_give_the_same_bytes(
    two_districts: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _files(build_world(tmp_path / "two_workers", workers=2, **SPEC)) == _files(two_districts)  # type: ignore[arg-type]
    spec = WorldSpec(districts=tuple(SPEC["districts"]), local_bodies=12, seed=7)  # type: ignore[arg-type]
    shards = len(build_module._plan_for(spec).shards)
    interrupt_second_call(monkeypatch, build_module, "_write_roll")
    out = tmp_path / "resumed"
    with pytest.raises(BuildInterrupted) as exc:
        build_module.build_world(spec, out)
    assert str(exc.value) == (
        f"{out}: build interrupted; {shards + 1} of {2 * shards} shard steps (each shard's tables, then its roll) "
        "are complete and verified. Run the same command again to resume, or delete the folder."
    )
    monkeypatch.undo()
    build_module.build_world(spec, out)
    assert json.loads((out / "manifest.json").read_text())["files"] == _files(two_districts)
    assert not (out / "_stage").exists() and not (out / "_shards").exists()


def test_a_learned_world_of_two_districts_moves_entries_across_and_keeps_the_tables_names_out(
    two_districts: World, tmp_path: Path
) -> None:
    people = people_table(two_districts, identifiers=True).collect()
    table = people[np.sort(np.random.default_rng(3).choice(people.height, 4_000, replace=False))]
    small = FidelitySizes(quality=1_000, new_rows=10, dcr_reference=200, dcr_queries=50)
    learned = learn_world(table, tmp_path / "learned", rows=20_000, seed=3, fidelity=small)
    con = _sql(learned)
    across, at_home = con.execute(
        """
        WITH listed AS (SELECT e.status, substr(r.ward_code, 2, 2) <> substr(p.home, 2, 2) AS away
                        FROM entries e JOIN roll r USING (epic) JOIN people p USING (person_id))
        SELECT count(*) FILTER (WHERE away), count(*) FROM listed WHERE status = 'living' OR (status = 'moved' AND away)
        """
    ).fetchall()[0]
    assert across / at_home == pytest.approx(0.01, abs=0.004)  # about 14,000 entries: 140 +- 12 expected
    names = table["name"].str.to_lowercase().unique().implode()
    printed = learned.electoral_roll.select(pl.col("name").str.to_lowercase().is_in(names).sum()).collect().item()
    assert printed == 0
    assert learned.manifest["rows"]["electoral_roll"] == learned.electoral_roll.select(pl.len()).collect().item()
    assert not (learned.path / "_stage").exists()


def test_validation_reports_the_rolls_staleness_beside_its_assumptions(two_districts: World) -> None:
    rows = validate_world(two_districts).filter(pl.col("check").str.starts_with("roll_") & (pl.col("kind") == "info"))
    got = {
        r["check"]: (r["target"], r["value"]) for r in rows.iter_rows(named=True) if r["check"] != "roll_whipple_60_89"
    }
    con = _sql(two_districts)
    recount = con.execute(
        """
        WITH l AS (SELECT e.status, left(r.ward_code, 6) = left(p.home, 6) AS same_body,
                          substr(r.ward_code, 2, 2) = substr(p.home, 2, 2) AS same_district
                   FROM entries e JOIN roll r USING (epic) LEFT JOIN people p USING (person_id))
        SELECT avg((status = 'moved' AND same_body)::INT) FILTER (WHERE at_home_or_moved),
               avg((status = 'moved' AND NOT same_body AND same_district)::INT) FILTER (WHERE at_home_or_moved),
               avg((status = 'moved' AND NOT same_district)::INT) FILTER (WHERE at_home_or_moved),
               avg((status = 'duplicate')::INT)
        FROM (SELECT *, status IN ('living', 'moved') AS at_home_or_moved FROM l)
        """
    ).fetchall()[0]
    names = [
        "roll_moved_within_local_body",
        "roll_moved_across_local_bodies",
        "roll_moved_across_districts",
        "roll_duplicate_share",
    ]
    assert sorted(got) == sorted(names)
    for name, value in zip(names, recount, strict=True):
        target, reported = got[name]
        assert reported == pytest.approx(value, abs=1e-12), name
        assert reported == pytest.approx(target, abs=0.002), name  # about 180,000 entries
    params = load_preset("kerala-2026").params["electoral_roll"]
    assert got["roll_moved_within_local_body"][0] == params["moved_share"]
    assert 0 < got["roll_moved_across_districts"][0] < params["moved_district_share"]


@pytest.mark.parametrize(
    "recoded",
    [
        pytest.param(lambda data: data, id="as_exported"),
        pytest.param(lambda data: data.drop("ward"), id="no_ward"),
        pytest.param(lambda data: data.drop("ward", "local_body", "gender"), id="taluk_no_gender"),
        pytest.param(lambda data: data.with_columns(age=age_band(pl.col("age"), 5)), id="age_bands"),
    ],
)
def test_written_name_counts_are_those_of_everyone_counted_once_per_subset_of_their_initials(
    two_districts: World, monkeypatch: pytest.MonkeyPatch, recoded: Callable[[pl.DataFrame], pl.DataFrame]
) -> None:
    """Singling out counts the people each written name of the release and its shuffled baseline fits, from those
    keys, a run of local bodies at a time: the same counts as every person counted once per subset of the initials
    they support (each such subset is a way a name may write them), recounted here for the whole world at once."""
    runs: list[tuple[str, str]] = []
    cut = written_names.local_body_runs

    def spied(world: World) -> list[tuple[str, str]]:
        cuts = cut(world)
        runs.extend(cuts)
        return cuts

    monkeypatch.setattr(written_names, "PEOPLE_AT_ONCE", 100_000)
    monkeypatch.setattr(written_names, "local_body_runs", spied)
    view = make_release(two_districts, ReleaseSpec(fields=EXPORT_FIELDS)).attacker_view()
    data = recoded(view.data)
    baseline = shuffled_view(AttackerView(data, view.metadata), np.random.default_rng(5)).data
    columns = quasi_identifiers(data, names=True)
    counted = written_name_counts(two_districts, data, columns, [data, baseline])

    keys = written_name_keys(columns)
    recount = _everyone_once_per_subset(two_districts, data, columns)
    wanted = pl.concat([by_written_name(f.select(columns)) for f in (data, baseline)]).drop_nulls().unique()
    expected = wanted.join(recount, on=keys, how="inner")
    assert_frame_equal(counted.sort(keys), expected.select(counted.columns).sort(keys), check_dtypes=False)
    assert counted.height > 0.9 * data.height  # the release's own keys fit their people at least
    assert (counted["n_pop"] > 1).any()  # namesakes
    # 12 local bodies of about 31,000 people: runs of about 100,000 people, several local bodies each
    bounds = [bound for run in runs for bound in run]
    assert bounds == sorted(bounds) and len(set(bounds)) > len(runs) >= 3


def _everyone_once_per_subset(world: World, release: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Every person of the world once per subset of the initials of their name, house name and relative's name,
    with the other columns coded as ``release`` codes them, counted by key."""
    places = world.place_names()
    houses = world.table("households").select("household_id", house_name=pl.col("house_name").str.slice(0, 1))
    people = (
        world.people.select("ward_code", "age", "sex", "name", "household_id", pl.col("relative_name").str.slice(0, 1))
        .join(houses, on="household_id", how="left")
        .collect()
    )
    people = pl.concat([people, supported_initials(people)], how="horizontal").join(places, on="ward_code")
    people = people.with_columns(gender=pl.col("sex").cast(pl.String), age=recode_age(pl.col("age"), release["age"]))
    held = people["initials"].unique().to_list()  # a few hundred sets: each written out once, then joined
    subsets = [("".join(s), h) for h in held for k in range(len(h) + 1) for s in itertools.combinations(h, k)]
    ways = pl.DataFrame(subsets, schema={"subset": pl.String, "initials": pl.String}, orient="row")
    expanded = people.join(ways, on="initials").drop("initials").rename({"subset": "initials"})
    keys = written_name_keys(columns)
    return expanded.group_by(keys).agg(n_pop=pl.len())
