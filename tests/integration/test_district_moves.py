"""Moves across districts on a world of two districts, counted with SQL (DuckDB) from the world's tables: the
share listed in another district, each at a household of it, the same people and entries as a world without such
moves, and the same bytes on two workers and after a build interrupted in its second phase."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from synth import World, build_world, learn_world
from synth.errors import BuildInterrupted
from synth.scoring import singling_out as singling_out_scoring
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


def test_people_counted_by_written_name_a_run_of_local_bodies_at_a_time_are_the_counts_of_all_at_once(
    two_districts: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Singling out's population counts with names expand each person's name once per subset of its initials, for
    a run of local bodies at a time: the same counts as everyone at once."""
    runs: list[tuple[str, str] | None] = []
    counted_in = singling_out_scoring._counted_in

    def spied(world: World, sizes: list[int], bodies: tuple[str, str] | None) -> pl.DataFrame:
        runs.append(bodies)
        return counted_in(world, sizes, bodies)

    monkeypatch.setattr(singling_out_scoring, "PEOPLE_AT_ONCE", 100_000)
    monkeypatch.setattr(singling_out_scoring, "_counted_in", spied)
    sizes = [0, 1, 2, 3]
    by_runs = singling_out_scoring.counted_by_written_name(two_districts, sizes)
    at_once = counted_in(two_districts, sizes, None)
    keys = ["ward_code", "age", "sex", "given", "initials"]
    assert_frame_equal(by_runs.sort(keys), at_once.sort(keys))
    people = two_districts.people.select(pl.len()).collect().item()
    # 12 local bodies of about 31,000 people: runs of about 100,000 people, several local bodies each
    bounds = [bound for run in runs if run is not None for bound in run]
    assert len(bounds) == 2 * len(runs) and bounds == sorted(bounds) and len(set(bounds)) > len(runs)
    assert 3 <= len(runs) <= people // 100_000 + 1
    assert by_runs["n"].sum() > people  # a person counts once for each size of initials they can write
