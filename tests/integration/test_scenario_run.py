"""`synth run` on the shipped CI scenario: outputs, the gate, identical results across workers, resuming,
and bad input rejected before anything is written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import synth
from synth.cli import app
from synth.engine.io import TEMPORARY_GLOB, store_folder
from synth.measure.names import COSTS
from synth.scenario import load_scenario, scenario_from_dict
from synth.scenario import run as run_module
from synth.scenario.run import _context, run_scenario, units
from synth.scenario.schedule import submission_order
from tests.integration.interrupt import interrupt_second_call

SMOKE = Path(__file__).parents[2] / "scenarios" / "ci_smoke.toml"
MARKER = "scenario.resolved.json"


@pytest.mark.slow
def test_the_same_results_without_reuse(smoke_run: Path, smoke_reuse: Path, cache: Path, tmp_path: Path) -> None:
    """The smoke run keeps exact and probabilistic linkage's links, attribute inference's predictions, the
    population's counts of each coding of the quasi-identifiers (without names), singling out's counts of the people
    each written name of the release and its baseline fits, the voters' true secret and strata, and the given name and
    initials of every name the world's people hold, under the content key of their inputs. hash_plain releases the
    quasi-identifiers and the secret of as_exported (and its baseline shuffles them alike), so its links and its
    baseline's, its predictions and its counts are read back; k5's exact links (it releases no names: no
    probabilistic linkage), predictions and counts (no wards) are its own; sdv_copula's rows are not people (no
    linkage) and it releases no scheme. Fourteen results kept, in the store's folder for this code. A run that keeps
    nothing gives the same bytes."""
    assert [p.name for p in smoke_reuse.iterdir()] == [store_folder(smoke_reuse).name]
    kept = [pl.read_parquet(p) for p in sorted(store_folder(smoke_reuse).glob("*.parquet"))]
    places = ("district", "taluk", "local_body")
    assert sorted(tuple(k.columns) for k in kept) == [
        ("age", "gender", *places, "n_pop"),
        ("age", "gender", *places, "ward", "n_pop"),
        ("epic", "district", "age_band"),
        ("epic", "prediction"),
        ("epic", "prediction"),
        ("epic", "truth"),
        ("given", "initials", "age", "gender", *places, "ward", "n_pop"),
        ("name", "given", "initials"),
        *[("row_id", "epic", "chain")] * 4,
        ("row_id", "epic", "match_probability"),
        ("row_id", "epic", "match_probability"),
    ]
    plain = tmp_path / "plain"
    run_scenario(load_scenario(SMOKE), plain, cache=cache, reuse=False)
    for name in ("results.parquet", "results.json", "notes.json"):
        assert (plain / name).read_bytes() == (smoke_run / name).read_bytes(), name


def test_outputs(smoke_run: Path) -> None:
    for name in ("results.parquet", "results.json", "report.html", "notes.json", "scenario.toml", MARKER):
        assert (smoke_run / name).is_file(), name
    results = pl.read_parquet(smoke_run / "results.parquet")
    assert results.columns == ["scenario", "seed", "policy", "attack", "group", "measure", "value", "ci_low", "ci_high"]
    assert set(results["policy"]) == {"as_exported", "hash_plain", "k5", "sdv_copula"}
    assert json.loads((smoke_run / "results.json").read_text())["results"] == results.to_dicts()
    view = pl.read_parquet(smoke_run / "releases" / "as_exported.parquet")
    truth = pl.read_parquet(smoke_run / "truth" / "as_exported.parquet")
    assert "person_id" not in view.columns and truth.columns[:2] == ["row_id", "person_id"]
    assert view.height == truth.height
    totals = results.filter(pl.col("group") == "all")

    def figure(policy: str, attack: str, measure: str) -> float:
        return totals.filter(policy=policy, attack=attack, measure=measure)["value"].item()

    assert figure("as_exported", "exact_linkage", "precision") > 0.95
    assert figure("k5", "exact_linkage", "guesses") == 0  # 5-anonymous: no unique match
    # a real attacker enumerates the whole plan: every digest of the export comes back
    assert figure("hash_plain", "hash_reversal", "candidates") == 3_392_500_000
    assert figure("hash_plain", "hash_reversal", "full_plan") == 1
    assert figure("hash_plain", "hash_reversal", "recall") == 1.0
    assert figure("hash_plain", "reach", "contactable") == figure("as_exported", "reach", "contactable")
    # the strongest attacker is at least as strong as each linkage attack, and discloses membership
    for policy in ("as_exported", "hash_plain"):
        strongest = figure(policy, "reidentification", "correct")
        assert strongest >= max(figure(policy, a, "correct") for a in ("exact_linkage", "probabilistic_linkage"))
        assert figure(policy, "reidentification", "membership_disclosed") == strongest
    notes = json.loads((smoke_run / "notes.json").read_text())
    assert (
        "as_exported / membership_inference: attack 'membership_inference': the release holds the registry's own "
        "rows, so whoever re-identifies a row knows its person is a member: see reidentification's "
        "membership_disclosed"
    ) in notes
    assert figure("as_exported", "utility", "outreach_reach") == 1.0
    groups = results.filter((pl.col("attack") == "exact_linkage") & (pl.col("policy") == "as_exported"))["group"]
    assert {"registry=pensioners", "district=Kasaragod", "age_band=80+"} <= set(groups)


def test_what_each_unit_cost_is_timed_apart_from_the_results(smoke_run: Path) -> None:
    """timings.parquet holds the wall and CPU seconds and the peak memory of every unit of every policy, of
    applying the policy, and of building the context once per worker process; results.parquet none of them."""
    costs = pl.read_parquet(smoke_run / "timings.parquet").filter(pl.col("measure").is_in(list(COSTS)))
    scenario = load_scenario(SMOKE)
    expected = {(p.id, u, m) for p in scenario.policies for u in ["policy", *units(scenario)] for m in COSTS}
    assert set(costs.filter(pl.col("attack") != "context").select("policy", "attack", "measure").rows()) == expected
    assert costs.filter(attack="context").height == len(COSTS)  # one process built it; the others kept it
    assert costs.filter(pl.col("value") < 0).height == 0
    assert costs.filter(measure="peak_rss_bytes")["value"].min() > 50 * 2**20  # a Python with Polars holds more
    # each unit's peak is exact (1: it raised its process's mark) or sampled (0); which, depends on what the process
    # held before (a long-lived test process holds more than any unit): synth.engine.meter's tests prove the two
    assert set(costs.filter(measure="peak_rss_exact")["value"].unique().to_list()) <= {0.0, 1.0}
    results = pl.read_parquet(smoke_run / "results.parquet")
    assert results.filter(pl.col("measure").is_in(list(COSTS))).height == 0
    assert "wall_seconds" not in (smoke_run / "report.html").read_text()  # the report leaves them out too


def test_the_gate(smoke_run: Path) -> None:
    ok = CliRunner().invoke(app, ["check", str(smoke_run)])
    assert ok.exit_code == 0 and "ok: 2 threshold(s) hold" in ok.stdout
    failed = CliRunner().invoke(app, ["check", str(smoke_run), "--max", "exact_linkage.recall=0.01"])
    assert failed.exit_code == 1
    assert failed.stdout.startswith("FAIL policy as_exported, seed 1: exact_linkage.recall = ")
    bad = CliRunner().invoke(app, ["check", str(smoke_run), "--max", "recal=0.1"])
    assert bad.exit_code == 2 and "unknown measure 'recal'" in bad.stderr


@pytest.mark.slow
def test_a_rerun_into_another_folder_reads_every_kept_result_back(
    smoke_run: Path, smoke_reuse: Path, cache: Path, tmp_path: Path
) -> None:
    """A rerun into a new folder with the smoke run's result store computes none of the kept results again (the
    store's files are neither added to nor rewritten) and gives the same bytes."""
    before = {p.name: p.stat().st_mtime_ns for p in store_folder(smoke_reuse).iterdir()}
    again = tmp_path / "again"
    argv = ["run", str(SMOKE), "--out", str(again), "--cache", str(cache), "--reuse", str(smoke_reuse)]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert {p.name: p.stat().st_mtime_ns for p in store_folder(smoke_reuse).iterdir()} == before
    for name in ("results.parquet", "results.json", "notes.json"):
        assert (again / name).read_bytes() == (smoke_run / name).read_bytes(), name


@pytest.mark.slow
def test_same_results_with_two_workers_and_after_a_resume(smoke_run: Path, tmp_path: Path, cache: Path) -> None:
    """With a result store of its own, so that its two workers compute what the smoke run kept."""
    reference = pl.read_parquet(smoke_run / "results.parquet")
    two = tmp_path / "two"
    store = ["--cache", str(cache), "--reuse", str(tmp_path / "reuse")]
    result = CliRunner().invoke(app, ["run", str(SMOKE), "--out", str(two), "--workers", "2", *store])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(two / "results.parquet").equals(reference)
    # an interrupted run: a cell and the results are gone; the rerun redoes only that cell
    kept = two / "cells" / "seed=1" / "as_exported" / "exact_linkage.parquet"
    before = kept.stat().st_mtime_ns
    shutil.rmtree(two / "cells" / "seed=1" / "k5")
    (two / "results.parquet").unlink()
    result = CliRunner().invoke(app, ["run", str(SMOKE), "--out", str(two), *store])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(two / "results.parquet").equals(reference)
    assert kept.stat().st_mtime_ns == before
    # interrupted in the middle of the chain: the attacker's knowledge so far is kept, the rest reruns alike
    for unit in ("exact_linkage", "probabilistic_linkage", "reidentification", "reach"):
        (two / "cells" / "seed=1" / "hash_plain" / f"{unit}.parquet").unlink()
    result = CliRunner().invoke(app, ["run", str(SMOKE), "--out", str(two), *store])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(two / "results.parquet").equals(reference)
    # interrupted after a cell's notes were written but before the cell was: the rerun does not double them
    notes = json.loads((smoke_run / "notes.json").read_text())
    assert any(n.startswith("sdv_copula / exact_linkage: ") for n in notes)
    (two / "cells" / "seed=1" / "sdv_copula" / "exact_linkage.parquet").unlink()
    result = CliRunner().invoke(app, ["run", str(SMOKE), "--out", str(two), *store])
    assert result.exit_code == 0, result.output
    assert json.loads((two / "notes.json").read_text()) == notes
    # the units rerun replaced their costs: one of each per policy and unit, as a run that was never interrupted
    costs = pl.read_parquet(two / "timings.parquet").filter(pl.col("measure").is_in(list(COSTS)))
    assert costs.filter(pl.col("attack") != "context").select("policy", "attack", "measure").is_unique().all()


@pytest.mark.slow
def test_an_interrupted_run_says_how_to_resume(
    smoke_run: Path, smoke_reuse: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in the second group of cells: the command ends with one message (exit 2), leaves no temporary file and
    keeps the first group's cells; the same command then finishes the run, with the smoke run's results."""
    out = tmp_path / "cut"
    argv = ["run", str(SMOKE), "--out", str(out), "--cache", str(cache), "--reuse", str(smoke_reuse)]
    interrupt_second_call(monkeypatch, run_module, "_run_group")
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"error: {out}: run interrupted; the cells that finished are kept there. Run the same command again to "
        "resume, or delete the folder."
    )
    assert not list(out.rglob(TEMPORARY_GLOB)) and not (out / "results.parquet").exists()
    policies = load_scenario(SMOKE).policies
    first = policies[submission_order(policies, [1])[0][1]].id
    assert [p.name for p in (out / "cells" / "seed=1").iterdir()] == [first]
    monkeypatch.undo()
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert (out / "results.parquet").read_bytes() == (smoke_run / "results.parquet").read_bytes()


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SMOKE.read_text().replace('"k5"', '"k55"').replace("seed = 5", "seed = -5"), encoding="utf-8")
    inside = Path(synth.__file__).parent / "results"
    result = CliRunner().invoke(app, ["run", str(bad), "--out", str(inside)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any("world.seed = -5: must be a whole number from 0 to 2**32 - 1" in line for line in lines)
    assert any("policies = 'k55': unknown policy" in line and "(did you mean 'k5'?)" in line for line in lines)
    assert any(line.startswith("--out: output folder") and "is inside the package" in line for line in lines)
    assert not inside.exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(SMOKE), "--out", str(other)])
    assert result.exit_code == 2 and "holds other files" in result.stderr
    assert sorted(p.name for p in other.iterdir()) == ["keep.txt"]


@pytest.mark.slow
def test_the_scenario_seed_reaches_the_policies(tmp_path: Path, cache: Path) -> None:
    """Noise, synthetic samples, salts and tokens are drawn anew for each scenario seed."""
    two_seeds = tmp_path / "seeds.toml"
    text = SMOKE.read_text().replace("seeds = [1]", "seeds = [1, 2]")
    text = text.replace(
        'policies = ["as_exported", "hash_plain", "k5", "sdv_copula"]',
        'policies = ["dp_counts_eps1", "sdv_copula", "hash_salted_released"]',
    )
    text = text[: text.index("[attacks.")] + "[attacks.singling_out]\n[attacks.hash_reversal]\n"
    two_seeds.write_text(text, encoding="utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(two_seeds), "--out", str(out), "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    results = pl.read_parquet(out / "results.parquet").filter(pl.col("group") == "all")

    def by_seed(policy: str, attack: str, measure: str) -> list[float]:
        rows = results.filter(policy=policy, attack=attack, measure=measure).sort("seed")
        return rows["value"].to_list()

    noise = by_seed("dp_counts_eps1", "utility", "ward_planning_abs_error")
    sample = by_seed("sdv_copula", "singling_out", "unique_in_release")
    assert len(noise) == len(sample) == 2
    assert noise[0] != noise[1] and sample[0] != sample[1]
    # a salt released with the digests is a salt the enumeration uses, whatever the seed drew
    assert by_seed("hash_salted_released", "hash_reversal", "recall") == [1.0, 1.0]


def test_a_chain_without_its_source_or_a_bad_budget_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = SMOKE.read_text().replace('sources = ["electoral_roll", "caller_id"]', 'sources = ["electoral_roll"]')
    bad.write_text(text.replace("[attacks.hash_reversal]", '[attacks.hash_reversal]\nbudget = "half"'), "utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {bad}: attacks.hash_reversal.budget = 'half'; allowed is \"full\" or a positive whole number of "
        "candidates",
        f"{bad}: attacks.caller_id_lookup: needs the auxiliary source 'caller_id', which attacker.sources does not "
        "grant",
    ]
    assert not out.exists()


def test_the_inference_baseline_is_the_majority_share_of_the_targets(smoke_run: Path) -> None:
    """ci_smoke infers the pension scheme of every voter: the baseline is the share of voters (living or moved,
    the entries the truth knows) who draw no pension, counted here from the world's own tables."""
    world = synth.open_world(json.loads((smoke_run / MARKER).read_text())["world_path"])
    voters = world.table("roll_truth").filter(pl.col("person_id") >= 0).select("person_id").collect()
    pensioners = world.table("pensioners").select("person_id").unique().collect()
    labels = voters.join(pensioners.with_columns(pension=pl.lit(True)), on="person_id", how="left")
    share_none = labels["pension"].is_null().mean()
    assert share_none > 0.5  # 'none' is the majority label of the targets
    baseline = pl.read_parquet(smoke_run / "results.parquet").filter(
        policy="as_exported", attack="attribute_inference", group="all", measure="baseline"
    )
    assert baseline["value"].item() == pytest.approx(share_none, abs=1e-12)


def test_a_scenario_edited_and_rerun_in_one_process_gets_its_own_export(small_world_dir: Path) -> None:
    """The export is kept from one policy to the next under everything it is made of: the same scenario id
    with other fields (or leak, or sources) must not reuse the first one's."""

    def scenario(fields: list[str]):  # type: ignore[no-untyped-def]
        return scenario_from_dict(
            {
                "spec_version": 1,
                "policies": ["as_exported"],
                "scenario": {"id": "edited"},
                "world": {"path": str(small_world_dir)},
                "release": {"fields": fields},
                "attacks": {"exact_linkage": {}},
            }
        )

    first = _context(scenario(["phone", "name", "age"]), str(small_world_dir), 1)
    second = _context(scenario(["phone", "name", "age", "date_of_birth"]), str(small_world_dir), 1)
    assert first.release.data.columns == ["row_id", "phone", "name", "age"]
    assert second.release.data.columns == ["row_id", "phone", "name", "age", "date_of_birth"]


def test_the_gate_on_the_recommendations(smoke_run: Path) -> None:
    held = CliRunner().invoke(
        app, ["check", str(smoke_run), "--require", "outreach=as_exported", "--require", "research=k5"]
    )
    assert held.exit_code == 0 and held.stdout == "ok: 2 threshold(s) and 2 requirement(s) hold\n"
    failed = CliRunner().invoke(app, ["check", str(smoke_run), "--require", "k5=research,outreach"])
    assert failed.exit_code == 1
    assert failed.stdout == (
        "FAIL outreach: the recommended policy is as_exported, not k5: as_exported is the least-exposing policy that "
        "keeps at least 90.0% of outreach: 87.4% of released rows re-identified (re-identification by any chain of "
        "attacks), 100.0% of outreach kept. No other policy keeps enough.\n"
    )
    recorded = json.loads((smoke_run / "results.json").read_text())
    assert [(r["purpose"], r["policy"], r["runner_up"]) for r in recorded["recommendations"]] == [
        ("outreach", "as_exported", None),
        ("ward_planning", "as_exported", "hash_plain"),  # ties with hash_plain, which the scenario lists second
        ("research", "k5", "as_exported"),
    ]
    assert [(r["policy"], r["rank"]) for r in recorded["ranking"]] == [
        ("k5", 1),
        ("as_exported", 2),
        ("hash_plain", 3),
        ("sdv_copula", None),
    ]


@pytest.mark.parametrize(
    ("require", "message"),
    [
        (
            "wards=k5",
            "error: --require 'wards=k5': 'wards' is neither a purpose nor a policy of this run (purposes: outreach, "
            "ward_planning, research; policies: as_exported, hash_plain, k5, sdv_copula)",
        ),
        (
            "outreach=k6",
            "error: --require 'outreach=k6': 'k6' is not a policy of this run; allowed are as_exported, hash_plain, "
            "k5, sdv_copula or any",
        ),
        (
            "k5=wards",
            "error: --require 'k5=wards': 'wards' is not a purpose of this run; allowed are outreach, ward_planning, "
            "research",
        ),
        ("outreach", "error: --require 'outreach': expected PURPOSE=POLICY, PURPOSE=any or POLICY=PURPOSE"),
    ],
)
def test_a_bad_requirement_is_named(smoke_run: Path, require: str, message: str) -> None:
    result = CliRunner().invoke(app, ["check", str(smoke_run), "--require", require])
    assert result.exit_code == 2 and result.stdout == ""
    assert " ".join(result.stderr.split()) == message
