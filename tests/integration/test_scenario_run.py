"""`synth run` on the shipped CI scenario: outputs, the gate, identical results across workers, resuming,
and bad input rejected before anything is written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

import synth
from synth.cli import app

SMOKE = Path(__file__).parents[2] / "scenarios" / "ci_smoke.toml"
MARKER = "scenario.resolved.json"


def test_outputs(smoke_run: Path) -> None:
    for name in ("results.parquet", "results.json", "report.html", "notes.json", "scenario.toml", MARKER):
        assert (smoke_run / name).is_file(), name
    results = pl.read_parquet(smoke_run / "results.parquet")
    assert results.columns == ["scenario", "seed", "policy", "attack", "group", "measure", "value", "ci_low", "ci_high"]
    assert set(results["policy"]) == {"as_exported", "hash_plain", "k5", "sdv_copula"}
    assert json.loads((smoke_run / "results.json").read_text()) == results.to_dicts()
    view = pl.read_parquet(smoke_run / "releases" / "as_exported.parquet")
    truth = pl.read_parquet(smoke_run / "truth" / "as_exported.parquet")
    assert "person_id" not in view.columns and truth.columns[:2] == ["row_id", "person_id"]
    assert view.height == truth.height
    totals = results.filter(pl.col("group") == "all")

    def figure(policy: str, attack: str, measure: str) -> float:
        return totals.filter(policy=policy, attack=attack, measure=measure)["value"].item()

    assert figure("as_exported", "exact_linkage", "precision") > 0.95
    assert figure("k5", "exact_linkage", "guesses") == 0  # 5-anonymous: no unique match
    assert figure("hash_plain", "hash_reversal", "candidates") == 5_000_000
    assert figure("as_exported", "utility", "outreach_reach") == 1.0
    groups = results.filter((pl.col("attack") == "exact_linkage") & (pl.col("policy") == "as_exported"))["group"]
    assert {"registry=pensioners", "district=Kasaragod", "age_band=80+"} <= set(groups)


def test_the_gate(smoke_run: Path) -> None:
    ok = CliRunner().invoke(app, ["check", str(smoke_run)])
    assert ok.exit_code == 0 and "ok: 2 threshold(s) hold" in ok.stdout
    failed = CliRunner().invoke(app, ["check", str(smoke_run), "--max", "exact_linkage.recall=0.01"])
    assert failed.exit_code == 1
    assert failed.stdout.startswith("FAIL policy as_exported, seed 1: exact_linkage.recall = ")
    bad = CliRunner().invoke(app, ["check", str(smoke_run), "--max", "recal=0.1"])
    assert bad.exit_code == 2 and "unknown measure 'recal'" in bad.stderr


def test_same_results_with_two_workers_and_after_a_resume(smoke_run: Path, tmp_path: Path, cache: Path) -> None:
    reference = pl.read_parquet(smoke_run / "results.parquet")
    two = tmp_path / "two"
    result = CliRunner().invoke(app, ["run", str(SMOKE), "--out", str(two), "--workers", "2", "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(two / "results.parquet").equals(reference)
    # an interrupted run: a cell and the results are gone; the rerun redoes only that cell
    kept = two / "cells" / "seed=1" / "as_exported" / "exact_linkage.parquet"
    before = kept.stat().st_mtime_ns
    shutil.rmtree(two / "cells" / "seed=1" / "k5")
    (two / "results.parquet").unlink()
    result = CliRunner().invoke(app, ["run", str(SMOKE), "--out", str(two), "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(two / "results.parquet").equals(reference)
    assert kept.stat().st_mtime_ns == before
    # interrupted after a cell's notes were written but before the cell was: the rerun does not double them
    notes = json.loads((smoke_run / "notes.json").read_text())
    assert any(n.startswith("sdv_copula / exact_linkage: ") for n in notes)
    (two / "cells" / "seed=1" / "sdv_copula" / "exact_linkage.parquet").unlink()
    result = CliRunner().invoke(app, ["run", str(SMOKE), "--out", str(two), "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    assert json.loads((two / "notes.json").read_text()) == notes


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SMOKE.read_text().replace('"k5"', '"k55"').replace("seed = 5", "seed = -5"), encoding="utf-8")
    inside = Path(synth.__file__).parent / "results"
    result = CliRunner().invoke(app, ["run", str(bad), "--out", str(inside)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any("world.seed = -5: must be a non-negative whole number" in line for line in lines)
    assert any("policies = 'k55': unknown policy" in line and "(did you mean 'k5'?)" in line for line in lines)
    assert any(line.startswith("--out: output folder") and "is inside the package" in line for line in lines)
    assert not inside.exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(SMOKE), "--out", str(other)])
    assert result.exit_code == 2 and "holds other files" in result.stderr
    assert sorted(p.name for p in other.iterdir()) == ["keep.txt"]
