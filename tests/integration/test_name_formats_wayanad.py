"""The name formats of each registry and of the roll on Wayanad, counted with SQL (DuckDB) from the written names
and held to the preset's shares: how many names open with initials, with two, carry dots, write the father's or
the house name out, or are the bare given name. Each count is a property of the format alone, so the preset
predicts it from each source's mix of communities, which the test counts too."""

from __future__ import annotations

import math

import duckdb
import polars as pl
import pytest

from synth import World
from synth.release import make_release
from synth.world.name_formats import FORMAT_SOURCES
from synth.world.preset import load_preset
from tests.integration.name_recount import with_read_names, with_supported

FEATURES = {  # SQL over a written name (n), the person's given name (g), father or husband (f), house name (h)
    "initial_first": r"regexp_matches(n, '^[A-Z](\. ?| )')",
    "two_initials_first": r"regexp_matches(n, '^[A-Z](\. ?| )[A-Z](\. ?| )')",
    "dotted": "contains(n, '.')",
    "father_written": "f IS NOT NULL AND contains(' ' || n || ' ', ' ' || f || ' ') AND f <> g",
    "house_written": "contains(n, h)",
}
FORMATS = {  # the formats each feature holds of (vocab/name_formats.csv)
    "initial_first": {
        "initial_given",
        "initial_dot_given",
        "two_initials_given",
        "two_initials_dot_given",
        "two_initials_dot_joined",
    },
    "two_initials_first": {"two_initials_given", "two_initials_dot_given", "two_initials_dot_joined"},
    "dotted": {"initial_dot_given", "two_initials_dot_given", "two_initials_dot_joined", "given_initial_father"},
    "father_written": {"given_father", "given_initial_father", "given_father_house"},
    "house_written": {"given_house", "given_father_house"},
}


def _written(con: duckdb.DuckDBPyConnection, world: World, source: str) -> None:
    """View ``w`` of (n, g, f, h, community) for each written name of ``source``."""
    if source == "electoral_roll":
        con.register(
            "roll", world.table("electoral_roll").select("epic", "name", "relative_name", "house_name").collect()
        )
        con.register("truth", world.table("roll_truth").select("epic", "person_id").collect())
        con.execute(
            """CREATE OR REPLACE VIEW w AS
               SELECT r.name AS n, p.given_name AS g, r.relative_name AS f, r.house_name AS h,
                      p.community::VARCHAR AS community
               FROM roll r JOIN truth USING (epic) JOIN people p USING (person_id)"""
        )  # the living entries, whose community is the person's (a ghost's is not published)
        return
    con.register("reg", world.table(source).select("person_id", "name").collect())
    con.execute(
        """CREATE OR REPLACE VIEW w AS
           SELECT reg.name AS n, p.given_name AS g, p.relative_name AS f, hh.house_name AS h,
                  p.community::VARCHAR AS community
           FROM reg JOIN people p USING (person_id) JOIN households hh USING (household_id)"""
    )


@pytest.mark.parametrize("source", FORMAT_SOURCES)
def test_each_sources_formats_are_the_presets(wayanad: World, source: str) -> None:
    shares = load_preset("kerala-2026").params["name_formats"][source]
    con = duckdb.connect()
    con.register(
        "people",
        wayanad.people.select("person_id", "household_id", "given_name", "relative_name", "community").collect(),
    )
    con.register("households", wayanad.table("households").select("household_id", "house_name").collect())
    _written(con, wayanad, source)
    counts = dict(con.execute("SELECT community, count(*) FROM w GROUP BY community").fetchall())
    total = sum(counts.values())
    for feature, sql in FEATURES.items():
        counted = con.execute(f"SELECT avg(({sql})::INT) FROM w").fetchall()[0][0]
        expected = (
            sum(counts[c] * sum(share for f, share in shares[c].items() if f in FORMATS[feature]) for c in counts)
            / total
        )
        tolerance = 4 * math.sqrt(max(expected * (1 - expected), 1e-4) / total) + 0.002
        assert counted == pytest.approx(expected, abs=tolerance), (source, feature)


def test_what_reading_names_across_formats_removes(wayanad: World) -> None:
    """Of the export's rows and their people's roll entries, the names that differ, and how many of those an attacker
    who reads a given name and initials (name_recount) finds the same: nearly all at home; at an old address the
    house name's initial no longer fits about half the time."""
    release = make_release(wayanad)
    roll = with_supported(
        wayanad.table("electoral_roll").select("epic", "name", "house_name", "relative_name").collect()
    )
    entries = wayanad.table("roll_truth").collect().join(roll.rename({"name": "roll_name"}), on="epic")
    rows = with_read_names(release.data.select("row_id", "name")).join(release.truth, on="row_id")
    pairs = rows.join(entries, on="person_id", suffix="_roll")
    differ = pairs.filter(pl.col("name") != pl.col("roll_name"))
    same_given = pl.col("given") == pl.col("given_roll")
    fits = (pl.col("mask") & pl.col("mask_roll")) == pl.col("mask")
    shares = differ.group_by(at_home=pl.col("status").cast(pl.String) == "living").agg(
        n=pl.len(), read_alike=(same_given & fits).mean(), fits=fits.mean()
    )
    by = {r["at_home"]: r for r in shares.to_dicts()}
    assert differ.height / pairs.height > 0.6  # formats differ between registry and roll most of the time
    assert by[True]["fits"] > 0.99 and by[True]["read_alike"] > 0.75  # the rest: spelling variants
    assert by[False]["fits"] < 0.6  # moved or listed twice: another house's initial
