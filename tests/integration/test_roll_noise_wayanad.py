"""The electoral roll's noise on Wayanad, counted with SQL (DuckDB) from the world's tables and held to the preset's
assumptions: the shares of entries at an old address in the same local body and in another, duplicate entries,
age errors growing by age group with heaping on multiples of 5 from 60, and enrolment by age (in the preset's
proportions, thinned alike where the roll's published size leaves no room for more). These are the settings
``[world.noise]`` overrides and ``[sensitivity]`` varies."""

from __future__ import annotations

import duckdb
import pytest

from synth import World
from synth.world.preset import load_preset


def test_the_rolls_noise_is_the_presets(wayanad: World) -> None:
    params = load_preset("kerala-2026").params["electoral_roll"]
    qualifying = wayanad.manifest["roll_qualifying_date"]
    con = duckdb.connect()
    con.register("entries", wayanad.table("roll_truth").collect())
    con.register("roll", wayanad.table("electoral_roll").select("epic", "age", "ward_code").collect())
    con.register("people", wayanad.people.select("person_id", "dob", "ward_code").collect())
    con.execute(
        f"""
        CREATE VIEW living AS
        SELECT e.status, e.person_id, r.age AS printed, r.ward_code AS listed, p.ward_code AS home,
               year(DATE '{qualifying}') - year(p.dob)
                 - CASE WHEN strftime(p.dob, '%m%d') > strftime(DATE '{qualifying}', '%m%d') THEN 1 ELSE 0 END AS age
        FROM entries e JOIN roll r USING (epic) JOIN people p USING (person_id)
        WHERE e.status <> 'ghost'
        """
    )
    # Old addresses: in another ward of the local body, or in another local body (a move in, here, is a move out
    # of another local body of the district: the share is of entries not already moved within their own).
    within, across, listed_away = con.execute(
        """
        SELECT avg((status = 'moved' AND left(listed, 6) = left(home, 6))::INT),
               avg((status = 'moved' AND left(listed, 6) <> left(home, 6))::INT),
               avg((listed <> home)::INT)
        FROM living WHERE status <> 'duplicate'
        """
    ).fetchall()[0]
    assert within == pytest.approx(params["moved_share"], abs=0.002)
    assert across == pytest.approx((1 - params["moved_share"]) * params["moved_body_share"], abs=0.002)
    assert listed_away == pytest.approx(within + across, abs=1e-9)  # an entry of status living is at home
    # Duplicates: their share of the roll; each a second entry of a person listed at home or moved, elsewhere
    dup_share = con.execute("SELECT avg((status = 'duplicate')::INT) FROM entries").fetchall()[0][0]
    assert dup_share == pytest.approx(params["duplicate_share"], abs=0.0005)
    listings = dict(
        con.execute(
            """
            SELECT n, count(*) FROM (SELECT person_id, count(*) AS n, sum((status = 'duplicate')::INT) AS d
                   FROM living GROUP BY person_id HAVING n = 1 OR (n = 2 AND d = 1))
            GROUP BY n
            """
        ).fetchall()
    )
    people_listed = con.execute("SELECT count(DISTINCT person_id) FROM living").fetchall()[0][0]
    assert listings[1] + listings[2] == people_listed  # listed once, or twice: once as a duplicate
    at_home = "SELECT count(*) FROM living WHERE status = 'duplicate' AND listed = home"
    assert con.execute(at_home).fetchall()[0][0] == 0  # a duplicate is at an old address
    assert listings[2] == con.execute("SELECT count(*) FROM living WHERE status = 'duplicate'").fetchall()[0][0]
    # Age errors by age group, growing with age; from 60, heaping: ages rounded to a multiple of 5
    errors = dict(
        con.execute(
            """
            SELECT CASE WHEN age < 40 THEN '18-39' WHEN age < 60 THEN '40-59' ELSE '60+' END AS band,
                   avg((printed <> age)::INT)
            FROM living WHERE age >= 21 AND age % 5 <> 0 GROUP BY band ORDER BY band
            """
        ).fetchall()
    )
    heap = params["age_heaping_60_plus"]
    assert errors["18-39"] == pytest.approx(params["age_error_18_39"], abs=0.003)
    assert errors["40-59"] == pytest.approx(params["age_error_40_59"], abs=0.003)
    assert errors["60+"] == pytest.approx(heap + (1 - heap) * params["age_error_60_plus"], abs=0.006)
    fives = dict(
        con.execute(
            """
            SELECT age >= 60, avg((printed % 5 = 0)::INT) FROM living
            WHERE age >= 45 AND age < 75 AND age % 5 <> 0 GROUP BY ALL
            """
        ).fetchall()
    )
    assert fives[False] < 0.02  # under 60, only a misprint lands on a multiple of 5
    assert fives[True] > heap
    con.register("adults", wayanad.people.select("person_id", "dob").collect())
    enrolled = dict(
        con.execute(
            f"""
            WITH aged AS (
                SELECT person_id, year(DATE '{qualifying}') - year(dob)
                  - CASE WHEN strftime(dob, '%m%d') > strftime(DATE '{qualifying}', '%m%d') THEN 1 ELSE 0 END AS age
                FROM adults)
            SELECT CASE WHEN age < 20 THEN '18-19' WHEN age < 25 THEN '20-24' ELSE '25+' END AS band,
                   avg((person_id IN (SELECT person_id FROM entries WHERE status <> 'ghost'))::INT)
            FROM aged WHERE age >= 18 GROUP BY band ORDER BY band
            """
        ).fetchall()
    )
    # The roll is drawn to its published size: where the preset's enrolment would list more living people than
    # that leaves room for, all are thinned alike, so enrolment by age keeps the preset's proportions at a common
    # factor below it (about 0.955 on Wayanad: 93% of adults of 25 and over listed, not the 97.5% assumed).
    factors = {band: enrolled[band] / params[key] for band, key in BANDS.items()}
    common = factors["25+"]
    assert 0.9 < common <= 1.0
    for band, factor in factors.items():
        assert factor == pytest.approx(common, abs=0.02), band


BANDS = {"18-19": "enrolment_18_19", "20-24": "enrolment_20_24", "25+": "enrolment_25_plus"}
