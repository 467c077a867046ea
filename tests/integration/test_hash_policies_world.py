"""The shipped hash policies on a built world: key stretching and the birth date recover every phone of the plan at
full strength, through the same Cell the scenario builds; and `synth run` reports their cost."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from synth import open_world
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Cell
from synth.attacks.hash_reversal import ATTACK, hash_reversal
from synth.attacks.hash_schemes import numbers_in_use, released_messages
from synth.attacks.knowledge import Knowledge
from synth.cli import app
from synth.core.hash_costs import GPU_PBKDF2, GPU_SHA256, REAL_MOBILE_SPACE
from synth.core.numbering import load_plan
from synth.policies.apply import minimize
from synth.policies.library import load_policy, policy_from_dict
from synth.release import EXPORT_FIELDS, ReleaseSpec, make_release

SMOKE = Path(__file__).parents[2] / "scenarios" / "ci_smoke.toml"


@pytest.fixture(scope="module")
def world_release(small_world_dir: Path):  # type: ignore[no-untyped-def]
    world = open_world(small_world_dir)
    return world, make_release(world, ReleaseSpec(fields=(*EXPORT_FIELDS, "date_of_birth")))


def _expected(release) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    """Every released phone of the plan, as exported (counted from the release, not by the attack)."""
    plan = load_plan("safe")
    rows = release.data.select("row_id", "phone").drop_nulls()
    national = rows["phone"].str.strip_prefix("+91").cast(pl.Int64).to_numpy()
    return rows.filter(pl.Series(plan.contains(national))).sort("row_id")


def _run(world, release, policy):  # type: ignore[no-untyped-def]
    minimized = minimize(release, policy)
    universe = numbers_in_use(world.people)
    cell = Cell(
        minimized.view,
        AuxiliaryData(),
        Knowledge.from_view(minimized.view),
        np.random.default_rng(1),
        plan=load_plan(world.manifest["build"]["phone_plan"]),
        universe=lambda: universe,
        preimages=lambda: released_messages(release.data, minimized.view),
    )
    return minimized, universe, ATTACK.run(cell, ATTACK.parameters({}))


def test_pbkdf2_falls_in_full_and_the_oracle_equals_hashing_every_number_in_use(world_release) -> None:  # type: ignore[no-untyped-def]
    world, release = world_release
    shipped = load_policy("hash_pbkdf2")
    params = {**shipped.steps[0].get_params(), "iterations": 5}  # the shipped policy, cheap enough to hash all
    policy = policy_from_dict({"policy": {"id": "pbkdf2_5"}, "steps": [{"step": "hash", **params}]})
    minimized, universe, outcome = _run(world, release, policy)
    expected = _expected(release)
    assert expected.height == release.data["phone"].drop_nulls().len() > 10_000  # the world's numbers are the plan's
    assert_frame_equal(outcome.guesses, expected)
    # the same rows by hashing every number in use of the plan (about 40,000 PBKDF2s), without the oracle
    plan = load_plan(world.manifest["build"]["phone_plan"])
    hashed = hash_reversal(minimized.view, AuxiliaryData(), np.random.default_rng(1), plan, universe=universe)
    assert_frame_equal(hashed.guesses, outcome.guesses)
    assert outcome.extra.primitive.gpu_rate == pytest.approx(GPU_PBKDF2.at(5))
    known = outcome.knowledge.facts.filter(pl.col("phone").is_not_null())
    assert known.height == expected.height  # every recovered number enters the attacker's knowledge


def test_phone_and_birth_date_fall_in_full(world_release) -> None:  # type: ignore[no-untyped-def]
    world, release = world_release
    minimized, _, outcome = _run(world, release, load_policy("hash_phone_dob"))
    assert "date_of_birth" not in minimized.view.data.columns and "age" in minimized.view.data.columns
    assert_frame_equal(outcome.guesses, _expected(release))  # every birth date lies in its age's window
    result = outcome.extra
    ages = release.data["age"].n_unique()
    assert result.birth_dates == 366 and 365 * ages <= result.birth_dates_all <= 366 * ages
    assert result.cost()["per_record_gpu_seconds"] == pytest.approx(REAL_MOBILE_SPACE * 366 / GPU_SHA256.rate)


@pytest.mark.slow
def test_synth_run_reports_the_cost(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "integration-key")
    scenario = tmp_path / "hashes.toml"
    text = SMOKE.read_text()
    text = text.replace(
        'policies = ["as_exported", "hash_plain", "k5", "sdv_copula"]',
        'policies = ["hash_pbkdf2", "hash_phone_dob", "hmac"]',
    )
    text = text.replace('"registry", "scheme"]', '"registry", "date_of_birth"]')
    # One local body: PBKDF2 costs 2 ms a distinct number (the smoke's three hold 10,399)
    text = text.replace("local_bodies = 3", "local_bodies = 1")
    text = text[: text.index("[attacks.")] + "[attacks.hash_reversal]\n[attacks.caller_id_lookup]\n"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    results = pl.read_parquet(out / "results.parquet").filter(pl.col("group") == "all", attack="hash_reversal")

    def figure(policy: str, measure: str) -> float | None:
        rows = results.filter(policy=policy, measure=measure)["value"]
        return rows.item() if rows.len() else None

    for policy in ("hash_pbkdf2", "hash_phone_dob"):
        assert (figure(policy, "recall"), figure(policy, "reversible"), figure(policy, "full_plan")) == (1.0, 1.0, 1.0)
    assert figure("hash_pbkdf2", "real_space_gpu_seconds") == pytest.approx(REAL_MOBILE_SPACE / GPU_PBKDF2.at(10_000))
    assert figure("hmac", "recall") == 0.0 and figure("hmac", "reversible") == 0.0
    assert figure("hmac", "real_space_gpu_seconds") is None  # infeasible: no figure that looks small
    html = (out / "report.html").read_text()
    section = html[html.index("<h2>The cost of every hash</h2>") : html.index("<h2>What each policy does</h2>")]
    rows = figure("hash_pbkdf2", "rows")
    assert f"<tr><td>hash_pbkdf2</td><td class='num'>{rows:,.0f} of {rows:,.0f}</td>" in section
    assert "<td class='num'>1.3 hours</td>" in section  # 10,000 iterations: 75 minutes on one GPU
    assert "<tr><td>hmac</td>" in section and "infeasible: the digests need a secret" in section
