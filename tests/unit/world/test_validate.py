"""Validation of a world: a small world passes its own checks (a share's tolerance follows its sample size),
a broken rule and a wrong share are caught, and a world built from other files is refused by name."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synth import World, WorldError, open_world, validate_world
from synth.world.build import build_world
from synth.world.checks import SHARE_Z, Checks, share_tolerance
from synth.world.plan import WorldSpec
from synth.world.validate import MAY_SHARE_TOLERANCE


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Three local bodies of Wayanad, seed 41: 1,624 employees, 38.2% of them born in May (target 40.5%)."""
    out = tmp_path_factory.mktemp("worlds") / "wayanad-3"
    build_world(WorldSpec(districts=("Wayanad",), local_bodies=3, seed=42), out)
    return open_world(out)


def test_a_small_world_passes_its_own_validation(small: World) -> None:
    checks = validate_world(small)
    assert checks.filter(~pl.col("ok")).select("check", "value", "tolerance").rows() == []
    may = checks.filter(pl.col("check") == "employee_may_birth_share").row(0, named=True)
    employees = small.table("employees").select(pl.len()).collect().item()
    assert employees == 2_311
    assert abs(may["error"]) > MAY_SHARE_TOLERANCE  # outside the configured tolerance, within the sampling error
    p = may["target"]
    assert may["tolerance"] == pytest.approx(SHARE_Z * math.sqrt(p * (1 - p) / employees))
    assert may["ok"]


def test_a_part_of_a_district_is_gated_within_its_sample_size(small: World) -> None:
    """Three of Wayanad's local bodies are a sample of its people: sex ratio, 60+ share and ages are gated
    (kind ``target``) within tolerances widened for the sample; communities, clustered by ward, are reported."""
    checks = validate_world(small)
    people = small.people.select(pl.len()).collect().item()
    rows = {r["check"]: r for r in checks.filter(pl.col("scope").str.starts_with("12 (")).to_dicts()}
    for check in ("sex_ratio_f_per_1000_m", "share_60_plus", "age_by_sex_tvd", "single_year_step_at_band_edges"):
        assert (rows[check]["kind"], rows[check]["ok"]) == ("target", True), check
    assert rows["community_tvd"]["kind"] == "info"
    women = 1 / (1 + 1000 / rows["sex_ratio_f_per_1000_m"]["target"])
    assert rows["sex_ratio_f_per_1000_m"]["tolerance"] == pytest.approx(
        max(0.01, SHARE_Z / math.sqrt(people * women * (1 - women)))
    )
    assert rows["sex_ratio_f_per_1000_m"]["tolerance"] > 0.01  # a few thousand people: wider than 1%


def test_a_distance_on_a_large_sample_is_held_to_its_tolerance() -> None:
    checks = Checks()
    expected = np.array([0.5, 0.3, 0.2])
    checks.distance("community_tvd", "a", np.array([430.0, 330, 240]), expected, 0.03)  # 1,000 people, 0.07 off
    checks.distance("community_tvd", "b", np.array([430.0, 330, 240]) * 1000, expected, 0.03)
    rows = checks.frame().select("value", "tolerance", "ok").rows()
    assert rows[0][0] == pytest.approx(0.07) and rows[0][1] == pytest.approx(
        SHARE_Z / 2 * sum(math.sqrt(q * (1 - q) / 1_000) for q in expected)
    )
    assert rows[0][2]  # within what 1,000 draws allow
    assert rows[1] == (pytest.approx(0.07), 0.03, False)  # a million: held to 0.03


def test_a_wrong_share_on_a_large_sample_is_still_caught() -> None:
    checks = Checks()
    checks.share("employee_may_birth_share", "all", 0.405, 0.377, 1_624, MAY_SHARE_TOLERANCE)
    checks.share("employee_may_birth_share", "all", 0.405, 0.377, 1_000_000, MAY_SHARE_TOLERANCE)
    checks.share("share_60_plus", "12", 0.2, 0.19, 850_000, 0.01, relative=True)
    rows = checks.frame().select("tolerance", "ok").rows()
    assert rows[0][1] and rows[0][0] == pytest.approx(0.0400, abs=1e-4)  # a small sample: within its interval
    assert rows[1] == (MAY_SHARE_TOLERANCE, False)  # a large one: held to the configured tolerance
    assert rows[2] == (0.01, False)  # a whole district's 60+ share: 5% off is caught
    assert share_tolerance(0.405, 0, 0.02) == math.inf


def test_a_broken_rule_fails_its_check_and_nothing_else(small: World, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(small.path, broken)
    # a man whose mother is not in the world, so that no mother-child age gap changes with his age
    men = small.people.filter((pl.col("sex") == "M") & pl.col("mother_id").is_null()).select("person_id")
    employees = small.table("employees").join(men, on="person_id").select("person_id")
    employee = employees.sort("person_id").head(1).collect().item()
    for rel in small.manifest["files"]:
        if rel.startswith("people/"):
            people = pl.read_parquet(broken / rel)
            aged = pl.when(pl.col("person_id") == employee).then(pl.lit(70, dtype=pl.Int16)).otherwise("age")
            people.with_columns(age=aged).write_parquet(broken / rel)
    checks = validate_world(broken)
    failed = checks.filter(~pl.col("ok")).select("kind", "check", "scope", "target", "value", "tolerance")
    assert failed.rows() == [
        ("rule", "employee_age_23_56", "all", 0.0, 1.0, 0.0),
        ("rule", "age_matches_date_of_birth", "all", 0.0, 1.0, 0.0),
    ]
    passed = checks.filter(pl.col("check") == "employee_no_priority_ration_card").row(0, named=True)
    assert (passed["kind"], passed["value"], passed["ok"]) == ("rule", 0.0, True)


def test_a_world_built_with_other_files_is_refused_by_name(small: World, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(small.path, other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["build"]["preset_sha256"] = "0" * 64
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(WorldError) as exc:
        validate_world(other)
    assert str(exc.value) == (
        f"{other}: built with a different preset than the installed 'kerala-2026'; "
        "validate it with the files it was built with, or rebuild it"
    )
