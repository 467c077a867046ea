"""A searched frontier end to end on a small world: the frontier recounted from the screen's results with plain
Polars, and a frontier policy file run back through `synth run`, giving the same figures."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from synth.cli import app

SCENARIO = """spec_version = 1
policies = ["as_exported"]
purposes = ["outreach", "ward_planning"]
seeds = [1]

[scenario]
id = "{id}"
description = "a small search"

[world]
path = "{world}"

[release]
fields = ["phone", "name", "age", "gender", "district", "taluk", "ward", "local_body", "registry"]

[recipient]
name = "a messaging vendor"
onward_leak = 1.0

[attacker]
sources = ["electoral_roll", "caller_id"]

[attacks.caller_id_lookup]
[attacks.exact_linkage]
[attacks.probabilistic_linkage]
max_pairs = 100_000
[attacks.reidentification]
[attacks.reach]
"""
GRID = """
[search]
drop = [[], ["name"]]
phone = ["plain", "hmac"]
place = ["ward", "local_body"]
"""


@pytest.fixture(scope="module")
def search_run(small_world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search")
    scenario = folder / "search.toml"
    scenario.write_text(SCENARIO.format(id="search", world=small_world_dir) + GRID, encoding="utf-8")
    out = folder / "run"
    result = CliRunner(env={"SYNTH_HMAC_KEY": "a key for the search test"}).invoke(
        app, ["run", str(scenario), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _pareto(points: list[tuple[str, float, float]]) -> set[str]:
    return {
        p for p, e, k in points if not any(e2 <= e and k2 >= k and (e2 < e or k2 > k) for q, e2, k2 in points if q != p)
    }


def test_the_frontier_is_recounted_from_the_screen(search_run: Path) -> None:
    search = json.loads((search_run / "search" / "search.json").read_text())
    assert len(search["candidates"]) == 8
    assert json.loads((search_run / "results.json").read_text())["search"] == search  # for a program or a gate
    screen = pl.read_parquet(search_run / "search" / "screen" / "results.parquet").filter(pl.col("group") == "all")
    screened = {"caller_id_lookup", "exact_linkage", "reidentification", "reach", "utility", "release"}
    assert set(screen["attack"].unique()) == screened

    def measure(attack: str, name: str) -> dict[str, float]:
        rows = screen.filter((pl.col("attack") == attack) & (pl.col("measure") == name))
        return dict(zip(rows["policy"], rows["value"], strict=True))

    exposure = measure("reidentification", "recall")
    kept = {
        "outreach": measure("utility", "outreach_reach"),
        "ward_planning": measure("utility", "ward_planning_within_tolerance"),
    }
    for purpose, values in kept.items():
        # a candidate with no ward column keeps nothing of ward planning (no figure in the results)
        points = [(p, exposure[p], values.get(p, 0.0)) for p in exposure]
        expected = _pareto(points)
        assert {c["policy"] for c in search["candidates"] if purpose in c["frontier_for"]} == expected, purpose
    front = {c["policy"] for c in search["candidates"] if c["frontier_for"]}
    written = {p.stem for p in (search_run / "search" / "frontier").glob("*.toml")}
    assert written == front and "search_noname_hmac" in front
    full = pl.read_parquet(search_run / "search" / "frontier" / "run" / "results.parquet")
    assert set(full["policy"].unique()) == front
    assert "probabilistic_linkage" in set(full["attack"].unique())  # the frontier meets every attack
    html = (search_run / "report.html").read_text()
    assert '<section id="search"><h2>The searched frontier</h2><p>8 candidate policies' in html
    numbered = [c["policy"] for c in search["candidates"] if c["frontier_for"]]  # the table's order
    for purpose in kept:
        assert f'<figure class="chart" id="search-{purpose}">' in html
    for i, policy in enumerate(numbered, start=1):  # each dot's tooltip carries its number in the table
        assert f"<title>{i}. {policy}: exposure" in html


def test_a_frontier_policy_file_runs_back_through_synth_run_with_the_same_figures(
    search_run: Path, small_world_dir: Path, tmp_path: Path
) -> None:
    policy_file = search_run / "search" / "frontier" / "search_noname_hmac.toml"
    scenario = tmp_path / "again.toml"
    text = SCENARIO.format(id="search_frontier", world=small_world_dir).replace(
        'policies = ["as_exported"]', f'policies = ["{policy_file}"]'
    )
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "again"
    result = CliRunner(env={"SYNTH_HMAC_KEY": "a key for the search test"}).invoke(
        app, ["run", str(scenario), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    again = pl.read_parquet(out / "results.parquet").drop("scenario")
    before = (
        pl.read_parquet(search_run / "search" / "frontier" / "run" / "results.parquet")
        .filter(pl.col("policy") == "search_noname_hmac")
        .drop("scenario")
    )
    assert again.height > 50
    assert again.equals(before)
