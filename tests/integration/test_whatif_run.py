"""A scenario with a what-if: each change runs as a policy of its own (or reuses the policy that makes it), and
the figures the report and results.json lead with are recounted here from results.parquet with plain Polars."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from synth.report import render_report
from synth.scenario import scenario_from_dict
from synth.scenario.run import run_scenario


@pytest.fixture(scope="module")
def whatif_run(small_world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = scenario_from_dict(
        {
            "spec_version": 1,
            "policies": ["as_exported", "local_body_not_ward"],
            "purposes": {"ward_planning": {"keep": 0.9}, "outreach": {"keep": 0.5}},
            "seeds": [1],
            "scenario": {"id": "whatif", "description": "what dropping or coarsening the ward costs"},
            "world": {"path": str(small_world_dir)},
            "attacker": {"sources": ["electoral_roll"]},
            "attacks": {"exact_linkage": {}, "reidentification": {}},
            "whatif": {"fields": ["ward"]},
        }
    )
    out = tmp_path_factory.mktemp("whatif") / "run"
    run_scenario(scenario, out)
    render_report(out)
    return out


def test_each_change_is_a_policy_and_its_figures_are_recounted(whatif_run: Path) -> None:
    results = pl.read_parquet(whatif_run / "results.parquet")
    assert results["policy"].unique(maintain_order=True).to_list() == [
        "as_exported",
        "local_body_not_ward",
        "whatif_ward_drop",  # the change the scenario does not already run
    ]
    recorded = json.loads((whatif_run / "results.json").read_text())
    assert [(w["field"], w["change"], w["policy"]) for w in recorded["whatif"]] == [
        ("ward", "drop", "whatif_ward_drop"),
        ("ward", "local_body", "local_body_not_ward"),  # the same steps as a policy of the scenario: reused
    ]
    recall = {
        r["policy"]: r["value"]
        for r in results.filter(
            (pl.col("attack") == "reidentification") & (pl.col("measure") == "recall") & (pl.col("group") == "all")
        ).iter_rows(named=True)
    }
    for w in recorded["whatif"]:
        assert w["exposure"]["value"] == recall[w["policy"]]
        assert w["exposure_change"] == pytest.approx(recall[w["policy"]] - recall["as_exported"])
        assert w["kept_change"]["ward_planning"] == pytest.approx(-1.0)  # no ward received: the purpose is lost
    # dropping the ward and coarsening it to the local body release the same columns: the same figures
    assert recall["whatif_ward_drop"] == recall["local_body_not_ward"] < recall["as_exported"]
    # the what-if's own policy is not ranked; the scenario's policies are
    assert [r["policy"] for r in recorded["ranking"]] == ["local_body_not_ward", "as_exported"]
    html = (whatif_run / "report.html").read_text()
    assert '<section id="whatif"><h2>What each field costs</h2>' in html
    assert '<tr data-whatif="whatif_ward_drop">' in html and '<tr data-policy="whatif_ward_drop">' not in html
    assert "With ward dropped, re-identification falls from" in html
    # the chart of marginal contributions: each change's bars in points, their tooltips the recorded changes
    assert '<figure class="chart" id="whatif-chart">' in html
    for w in recorded["whatif"]:
        assert f"<title>{w['label']}, re-identified: {w['exposure_change'] * 100:+.1f} points</title>" in html
        assert f"<title>{w['label']}, ward planning kept: -100.0 points</title>" in html
