"""Quick mode of the peer benchmarks (issue 6): each benchmark function at a tiny size, with real figures.

Runs with the normal suite (``make test``), which installs the ``bench`` extra; skipped only where that extra is
missing. anonymeter's part runs where its environment is built (``make anonymeter-venv``; ``make bench`` builds
it) and is skipped otherwise.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

pytest.importorskip("faker")
pytest.importorskip("mimesis")
if importlib.util.find_spec("indian_fakedata") is None:
    pytest.skip("the bench extra is not installed (pip install -e '.[bench]')", allow_module_level=True)

from benchmarks.agreement import ATTACKS, Prepared, attack_function, prepare, score
from benchmarks.common import (
    ANONYMETER_PYTHON,
    REPO,
    run_json,
    scale_districts,
    scenario_with_districts,
)
from benchmarks.generators import run_generator, sdv_sample
from benchmarks.report import render
from synth import open_world
from synth.world.plan import WorldSpec, plan_world

SPEC = WorldSpec(districts=("Kasaragod",), local_bodies=3, seed=5)  # the small world of tests/conftest.py
PEER_ROWS = 400
LABELS = ("ours", "faker", "mimesis", "indian_fakedata", "sdv")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, small_world_dir: Path) -> dict[str, dict[str, Any]]:
    """Every generator once, each in its own process: ours builds the small world, peers make 400 records."""
    folder = tmp_path_factory.mktemp("generated")
    sample = sdv_sample(open_world(small_world_dir), folder / "sample.parquet", rows=2_000, seed=5)
    return {
        label: run_generator(label, SPEC, PEER_ROWS, folder, sample if label == "sdv" else None, timeout=300)
        for label in LABELS
    }


def test_ours_builds_every_person_and_breaks_no_rule(generated: dict[str, dict[str, Any]]) -> None:
    ours = generated["ours"]
    assert ours["rows"] == plan_world(SPEC).targets["population"]
    assert ours["persons_per_second"] == pytest.approx(ours["rows"] / ours["seconds"])
    assert ours["peak_rss_mb"] >= ours["rss_before_mb"] > 0
    real = ours["realism"]
    assert real["geography"] == "3 local bodies of Kasaragod (seed 5)"
    assert real["district_share_tvd"] == pytest.approx(0.0, abs=1e-12)  # populations are fixed by the plan
    assert abs(real["sex_ratio_error"]) < 0.05
    assert abs(real["share_60_plus_error"]) < 0.1
    assert real["womens_scheme_men"] == 0.0
    assert real["old_age_pension_under_60"] == 0.0
    assert real["ward_outside_district"] == 0.0
    assert real["violations"] == 0


@pytest.mark.parametrize("peer", ["faker", "mimesis", "indian_fakedata"])
def test_peers_make_the_same_fields_and_break_rules(generated: dict[str, dict[str, Any]], peer: str) -> None:
    result = generated[peer]
    assert result["rows"] == PEER_ROWS
    assert result["persons_per_second"] > 0
    real = result["realism"]
    assert real["geography"] == "Kerala (14 districts)"
    assert real["ward_outside_district"] == 0.0  # wards are drawn from the drawn district's wards
    assert 0.2 < real["womens_scheme_men"] < 0.8  # groups drawn without regard to sex
    assert real["violations"] > 0
    assert real["district_share_tvd"] > 0.05  # uniform over districts, unlike the state


def test_sdv_is_fitted_on_our_world_and_sampled(generated: dict[str, dict[str, Any]]) -> None:
    sdv = generated["sdv"]
    assert sdv["rows"] == PEER_ROWS
    assert sdv["notes"]["fit_rows"] == 2_000
    assert sdv["notes"]["sdtypes"]["age"] == "numerical"
    assert sdv["realism"]["geography"] == "3 local bodies of Kasaragod (seed 5)"
    assert sdv["realism"]["violations"] > 0  # a copula does not keep the registries' rules


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory, small_world_dir: Path) -> tuple[Prepared, dict[str, Any]]:
    """A release of 1,500 rows of the small world, anonymeter's files, and our three attacks scored on it."""
    prepared = prepare(open_world(small_world_dir), 1_500, tmp_path_factory.mktemp("attacks"), seed=5)
    figures = {}
    with threadpool_limits(limits=1):  # tiny data: OpenMP threads only cost here (much more on a busy machine)
        for attack in ATTACKS:
            guesses = attack_function(attack)(prepared, np.random.default_rng(5))
            figures[attack] = score(attack, prepared, guesses, seed=5)
    return prepared, figures


def test_our_attacks_scored_both_ways(attacked: tuple[Prepared, dict[str, Any]]) -> None:
    prepared, figures = attacked
    assert prepared.rows == 1_500
    so = figures["singling_out"]
    assert so["rows_covered"] == 1_500
    assert 0.0 < so["ours_as_anonymeter"]["attack_rate"][0] < 1.0
    assert so["ours_as_anonymeter"]["combinations"] >= so["ours"]["predicates"]
    link = figures["exact_linkage"]
    assert 0.3 < link["ours"]["recall"][0] < 1.0
    assert link["ours"]["precision"][0] > 0.95
    assert link["ours_as_anonymeter"]["control_rate"][0] == 0.0  # a phone no released row carries
    assert link["ours_as_anonymeter"]["targets"] == prepared.released_voters.height
    inference = figures["attribute_inference"]
    assert inference["rows_covered"] == prepared.world.manifest["rows"]["electoral_roll"]
    assert 0.5 < inference["ours_as_anonymeter"]["control_rate"][0] <= 1.0
    for name in ("release_qi", "population_qi", "link_syn", "link_ori", "link_control", "infer_ori"):
        assert (prepared.folder / f"{name}.parquet").is_file()


def test_anonymeter_on_the_same_files(attacked: tuple[Prepared, dict[str, Any]]) -> None:
    if not ANONYMETER_PYTHON.is_file():
        pytest.skip("anonymeter's environment is not built (make anonymeter-venv; make bench builds it)")
    prepared, figures = attacked
    runner = [str(ANONYMETER_PYTHON), str(REPO / "benchmarks" / "anonymeter_runner.py")]
    options = ["--data", str(prepared.folder), "--seed", "5", "--n-attacks", "100"]
    matched = run_json([*runner, "singling_out_matched", *options], timeout=300)
    assert matched["n_attacks"] == 100
    low, high = matched["attack_rate"][0] - matched["attack_rate"][1], sum(matched["attack_rate"])
    ours = figures["singling_out"]["ours_as_anonymeter"]["attack_rate"]
    assert ours[1] <= high and low <= ours[2]  # the same question, estimated from 100 predicates
    linkability = run_json([*runner, "linkability", *options], timeout=300)
    assert linkability["n_control"] == 0.0
    assert linkability["attack_rate"][0] > 0.5


def _run(ratio_faker: float, agree: bool) -> dict[str, Any]:
    """A run's JSON as pytest-benchmark writes it, with made-up figures to render."""
    real = {
        "geography": "Kasaragod",
        "district_share_tvd": 0.0,
        "sex_ratio": 1080.0,
        "sex_ratio_target": 1081.0,
        "sex_ratio_error": -0.001,
        "share_60_plus": 0.186,
        "share_60_plus_target": 0.186,
        "share_60_plus_error": 0.0,
        "womens_scheme_men": 0.0,
        "old_age_pension_under_60": 0.0,
        "ward_outside_district": 0.0,
        "any_rule": 0.0,
        "violations": 0,
    }
    peer = {**real, "womens_scheme_men": 0.5, "any_rule": 0.1, "violations": 40}

    def gen(label: str, rate: float, realism: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": "generation",
            "label": label,
            "world": "tiny",
            "world_people": 1000,
            "version": "1",
            "rows": 1000,
            "seconds": 1000 / rate,
            "persons_per_second": rate,
            "peak_rss_mb": 200.0,
            "rss_before_mb": 150.0,
            "setup_seconds": 0.1,
            "realism": realism,
        }

    ours_rate = [0.10, 0.09, 0.11]
    theirs = [0.10, 0.02] if agree else [0.50, 0.02]
    attacks = [
        {
            "kind": "attack",
            "side": "ours",
            "attack": "singling_out",
            "rows": 1000,
            "seconds": 0.5,
            "rows_covered": 1000,
            "ours": {"precision": ours_rate},
            "ours_as_anonymeter": {"attack_rate": ours_rate},
        },
        {
            "kind": "attack",
            "side": "anonymeter",
            "evaluator": "singling_out_matched",
            "rows": 1000,
            "seconds": 5.0,
            "n_attacks": 500,
            "sizes": {"syn": 1000},
            "peak_rss_mb": 300.0,
            "attack_rate": theirs,
        },
    ]
    profile = {
        "kind": "profile",
        "world": "tiny",
        "people": 1000,
        "total_seconds": 2.0,
        "phases": [["render", 1.5, 0.75], ["  nested", 1.9, 0.95]],
    }
    scale = {"kind": "scale", "step": "generation", "districts": 1, "people": 1000, "seconds": 2.0, "peak_rss_mb": 9.0}
    extra = [gen("ours", 1000.0 * ratio_faker, real), gen("faker", 1000.0, peer), profile, *attacks, scale]
    return {
        "datetime": "2026-02-01T00:00:00",
        "commit_info": {"id": "abc", "dirty": False},
        "synth_bench": {"machine": {"cpu": "CPU", "cores": 2}, "versions": {"faker": "1"}, "command": "pytest"},
        "benchmarks": [{"name": str(i), "extra_info": e} for i, e in enumerate(extra)],
    }


def test_report_is_generated_from_the_run() -> None:
    text = render(_run(ratio_faker=2.0, agree=True), "run.json")
    assert "| ours ÷ Faker (en_IN), persons/s (tiny) | >= 50 | 2.0 | no |" in text
    assert "short by a factor of 25.0" in text
    assert "The largest part is **render** (75% of the time)." in text
    assert "| 1,000 | singling out: predicates describing one person | ours, as anonymeter: 0.100" in text
    assert "Why they disagree" not in text
    assert "| 1 | 1,000 | 2.0 | 500 | 9 | not run | n/a |" in text
    met = render(_run(ratio_faker=60.0, agree=False), "run.json")
    assert "| >= 50 | 60.0 | yes |" in met
    assert "short by a factor" not in met
    assert "- **so_matched** (1,000 rows): Same question" in met
    assert json.dumps(_run(2.0, True))  # the made-up run is plain JSON, as pytest-benchmark writes it


def test_scale_points_and_scenario_override() -> None:
    assert scale_districts(2) == ("Wayanad", "Idukki")
    assert scale_districts(14) == ()
    with pytest.raises(ValueError, match="scale point 5"):
        scale_districts(5)
    two = scenario_with_districts(("Wayanad", "Idukki"))
    assert 'districts = ["Wayanad", "Idukki"]\n' in two
    assert "districts =" not in scenario_with_districts(())
