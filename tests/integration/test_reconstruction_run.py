"""Published tables attacked end to end on a small world: `synth run` with the ward tables and the
reconstruction attack. The published counts and the attack's denominators are recounted with plain Polars from
the release as exported; the attack beats its null baseline; a release of rows is not attacked this way."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from synth.cli import app

SCENARIO = """spec_version = 1
policies = ["as_exported", "ward_tables", "ward_tables_suppressed", "dp_counts_eps1"]
purposes = ["ward_planning"]
seeds = [1]

[scenario]
id = "tables"
description = "published ward tables"

[world]
path = "{world}"

[release]
fields = ["phone", "name", "age", "gender", "district", "taluk", "ward", "local_body", "registry"]

[recipient]
name = "a statistics portal"
onward_leak = 1.0

[attacker]
sources = ["electoral_roll"]

[attacks.exact_linkage]
[attacks.reconstruction]

[curve]
epsilons = [10, 0.1]
"""


@pytest.fixture(scope="module")
def tables_run(small_world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tables")
    scenario = folder / "tables.toml"
    scenario.write_text(SCENARIO.format(world=small_world_dir), encoding="utf-8")
    out = folder / "run"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _figures(run: Path, policy: str) -> dict[str, float]:
    results = pl.read_parquet(run / "results.parquet").filter(
        (pl.col("policy") == policy) & (pl.col("attack") == "reconstruction") & (pl.col("group") == "all")
    )
    return dict(zip(results["measure"], results["value"], strict=True))


def test_the_published_counts_are_the_release_counted_by_ward(tables_run: Path) -> None:
    exported = pl.read_parquet(tables_run / "releases" / "as_exported.parquet")
    published = pl.read_parquet(tables_run / "releases" / "ward_tables.parquet")
    band = pl.concat_str(
        [(pl.col("age") // 5 * 5).cast(pl.String), (pl.col("age") // 5 * 5 + 4).cast(pl.String)], separator="-"
    )
    recount = (
        exported.with_columns(age=pl.when(pl.col("age") >= 80).then(pl.lit("80+")).otherwise(band))
        .group_by("local_body", "ward", "age", "gender")
        .len("count")
        .with_columns(pl.col("count").cast(pl.Int64))
    )
    table = published.filter((pl.col("table") == "age x gender") & (pl.col("count") > 0))
    key = ["local_body", "ward", "age", "gender"]
    assert table.select(*key, "count").sort(key).equals(recount.sort(key))
    suppressed = pl.read_parquet(tables_run / "releases" / "ward_tables_suppressed.parquet")
    assert suppressed.filter(pl.col("count").is_not_null())["count"].is_in([0, *range(5, 10_000)]).all()


def test_reconstruction_is_scored_against_the_truth_and_beats_its_baseline(tables_run: Path) -> None:
    exported = pl.read_parquet(tables_run / "releases" / "as_exported.parquet")
    places = exported.select("local_body", "ward").n_unique()
    for policy in ("ward_tables", "ward_tables_suppressed"):
        f = _figures(tables_run, policy)
        assert f["places"] == places
        assert f["infeasible_places"] == 0  # exact tables always fit the truth
        assert 0 <= f["unique_places"] <= f["exact_places"] <= 1  # a determined place is rebuilt exactly
        assert f["records_matched"] > f["baseline"] + 0.3  # the tables' joint structure, not chance
    # suppression hides the small cells that pin a ward down: no ward is rebuilt exactly on this world
    assert _figures(tables_run, "ward_tables_suppressed")["exact_places"] == 0.0
    notes = json.loads((tables_run / "notes.json").read_text())
    assert (
        "as_exported / reconstruction: attack 'reconstruction': the release holds rows, not published tables" in notes
    )


def test_registries_attached_to_named_voters_recounted_and_ranked(tables_run: Path, small_world_dir: Path) -> None:
    """The claims' denominators recounted with plain Polars: the release's true (person, registry) memberships;
    the decision ranks the tables by the share attached to the right voter, naming the attack."""
    truth = pl.read_parquet(tables_run / "truth" / "as_exported.parquet")
    members = truth.select("person_id", "registry").unique().height
    f = _figures(tables_run, "ward_tables")
    recalled = f["attached_recall"] * members  # a whole number of memberships: the denominator is theirs
    assert abs(recalled - round(recalled)) < 1e-6 and recalled > 0
    assert f["attached_correct"] <= f["attached_claims"]
    assert f["attached_precision"] == pytest.approx(f["attached_correct"] / f["attached_claims"])
    assert f["attached_precision"] > f["attached_baseline"]  # the rebuilt records beat records drawn from margins
    decision = json.loads((tables_run / "results.json").read_text())
    by = {r["policy"]: r for r in decision["ranking"]}
    assert by["ward_tables"]["exposure"]["value"] == f["attached_recall"]
    assert by["ward_tables"]["exposure"]["source"] == (
        "reconstruction: registries attached to named voters from the records rebuilt from the tables "
        f"({f['attached_precision']:.1%} of the claims right)"
    )
    html = (tables_run / "report.html").read_text()
    assert "the release holds no rows of people, but reconstruction from the published tables rebuilt" in html
    assert "they attach the right registry to a named voter for" in html


def test_the_protection_curve_runs_from_no_noise_to_the_smallest_epsilon(tables_run: Path) -> None:
    """Each point is a policy of its own, attacked like one and not ranked; its figures are the pooled results'
    (recounted here); the report draws it on the exposure-utility chart of ward planning."""
    decision = json.loads((tables_run / "results.json").read_text())
    curve = decision["curve"]
    assert [(p["epsilon"], p["policy"]) for p in curve] == [
        (None, "ward_tables"),
        (10.0, "curve_eps10"),
        (0.1, "curve_eps0.1"),
    ]
    results = pl.read_parquet(tables_run / "results.parquet").filter(pl.col("group") == "all")
    for p in curve:
        mine = results.filter(pl.col("policy") == p["policy"])
        matched = mine.filter((pl.col("attack") == "reconstruction") & (pl.col("measure") == "records_matched"))
        kept = mine.filter(pl.col("measure") == "ward_planning_within_tolerance")
        assert p["records_matched"]["value"] == matched["value"].item()
        assert p["ward_planning"]["value"] == kept["value"].item()
    # more noise, less given away and less kept
    assert (
        curve[0]["records_matched"]["value"]
        > curve[1]["records_matched"]["value"]
        > curve[2]["records_matched"]["value"]
    )
    assert curve[0]["ward_planning"]["value"] >= curve[1]["ward_planning"]["value"] > curve[2]["ward_planning"]["value"]
    assert not {"curve_eps10", "curve_eps0.1"} & {r["policy"] for r in decision["ranking"]}
    html = (tables_run / "report.html").read_text()
    assert '<section id="curve"><h2>The protection curve</h2>' in html
    # drawn on the exposure-utility chart of ward planning, beside the scenario's own policies
    chart = html[html.index('<figure class="chart" id="frontier-ward_planning">') :]
    chart = chart[: chart.index("</figure>")]
    for i, p in enumerate(curve):
        label = "no noise" if p["epsilon"] is None else f"ε = {p['epsilon']:g}"
        exposure, kept = p["attached"]["value"], p["ward_planning"]["value"]
        assert f'<g id="frontier-ward_planning-curve-{i}">' in chart
        assert f"<title>{label}: exposure {exposure:.1%}, utility {kept:.1%}</title>" in chart
    assert "<title>ward_tables: exposure" in chart


def test_a_noisy_grid_without_registries_is_rebuilt_but_not_ranked(tables_run: Path) -> None:
    """dp_counts_eps1 publishes one noisy grid (place x age band x gender): reconstruction finds the closest
    records (uniqueness not decided: no unique_places figure), and with no registry in it nothing is attached, so
    the decision says what was rebuilt and leaves the policy unranked."""
    f = _figures(tables_run, "dp_counts_eps1")
    assert "unique_places" not in f and "attached_recall" not in f
    assert f["records_matched"] > f["baseline"]
    decision = json.loads((tables_run / "results.json").read_text())
    ranked = {r["policy"]: r for r in decision["ranking"]}["dp_counts_eps1"]
    assert ranked["rank"] is None
    assert ranked["exposure"]["reason"].endswith(
        "the tables publish no registry to attach to a named voter, so its re-identification is unknown, not 0"
    )
