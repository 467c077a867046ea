"""Several releases of one small world attacked alone, in pairs and together through `synth run`: the HMAC'd
export gets its phone numbers back through the women's scheme's plain list; the cross-release link figure is
recounted from the world's own tables with plain Polars; the results are the same on two workers and on a
resumed run; bad input is refused with one message naming the release and the key, exit status 2."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.scenario import scenario_from_dict
from synth.world.api import open_world
from tests.unit.cli.helpers import error_of

FIELDS = '["phone", "name", "age", "gender", "district", "taluk", "local_body", "ward", "registry"]'
SCENARIO = """spec_version = 1
seeds = [1, 2]

[scenario]
id = "composed"
description = "the export under HMAC, the scheme's own plain list, the vendor's tokens"

[world]
path = "{world}"

[[releases]]
id = "export"
registries = ["pensioners", "womens_scheme"]
fields = {fields}
policy = "hmac"
key = "it_mission"

[[releases]]
id = "scheme_list"
registries = ["womens_scheme"]
fields = {fields}

[[releases]]
id = "vendor"
registries = ["womens_scheme"]
fields = ["phone", "local_body", "ward"]
policy = "tokenize"
key = "vendor_vault"

[attacker]
sources = ["electoral_roll", "caller_id"]

[attacks.caller_id_lookup]
[attacks.exact_linkage]
"""
QUASI = ["name", "age", "gender", "district", "taluk", "local_body", "ward"]


@pytest.fixture(scope="module")
def scenario_file(small_world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("composed") / "composed.toml"
    path.write_text(SCENARIO.format(world=small_world_dir, fields=FIELDS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def composed_run(scenario_file: Path, monkeypatch_module: pytest.MonkeyPatch) -> Path:
    out = scenario_file.parent / "run"
    result = CliRunner().invoke(app, ["run", str(scenario_file), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def monkeypatch_module() -> pytest.MonkeyPatch:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SYNTH_HMAC_KEY", "a-test-key-of-this-module")
        yield patch


def _figure(run: Path, combo: str, group: str, measure: str, attack: str = "composed") -> float:
    results = pl.read_parquet(run / "results.parquet").filter(
        (pl.col("seed") == 1) & (pl.col("policy") == combo) & (pl.col("attack") == attack)
    )
    return float(results.filter((pl.col("group") == group) & (pl.col("measure") == measure))["value"].item())


def test_the_plain_list_gives_the_hmac_export_its_phones_back(composed_run: Path) -> None:
    alone = _figure(composed_run, "export", "release=export", "phones_recovered")
    paired = _figure(composed_run, "export+scheme_list", "release=export", "phones_recovered")
    assert alone == 0.0 and paired > 0.1
    # the export's people become contactable and fraud-ready only with the scheme's list
    assert _figure(composed_run, "export", "all", "contactable_share") == 0.0
    assert _figure(composed_run, "export+scheme_list", "all", "fraud_ready_share") > 0.1
    # the vendor's tokens share no key with the others: it adds nothing to the export
    assert _figure(composed_run, "export+vendor", "release=export", "phones_recovered") == 0.0
    table = json.loads((composed_run / "results.json").read_text())["composed"]
    first = table["weakest"][0]
    assert (first["release"], first["through"]) == ("export", "scheme_list")
    assert first["sentence"].startswith("scheme_list re-identifies ")
    assert "gives back the phone number of" in first["sentence"]
    html = (composed_run / "report.html").read_text()
    assert '<section id="composed"><h2>Several releases, one attacker</h2>' in html
    assert html.count("<tr><td>export + scheme_list + vendor</td>") == 1


def test_the_cross_release_link_figure_recounted_from_the_world(composed_run: Path, small_world_dir: Path) -> None:
    """The export and the scheme's list link on equal name, age, sex and place where that combination is once in
    each: recounted from the registries (each writes names its own way) and people of the world, a row per
    membership, with plain Polars."""
    world = open_world(small_world_dir)
    places = world.place_names().select("ward_code", "district", "taluk", "local_body", "ward")
    people = (
        world.people.select("person_id", "age", gender=pl.col("sex").cast(pl.String), ward_code="ward_code")
        .collect()
        .join(places, on="ward_code")
        .drop("ward_code")
    )

    def rows(*registries: str) -> pl.DataFrame:
        members = pl.concat([world.table(r).select("person_id", "name").collect() for r in registries])
        return members.join(people, on="person_id").filter(pl.len().over(QUASI) == 1)

    pairs = rows("pensioners", "womens_scheme").join(rows("womens_scheme"), on=QUASI, suffix="_b")
    right = pairs.filter(pl.col("person_id") == pl.col("person_id_b")).height
    combo = "export+scheme_list"
    assert _figure(composed_run, combo, "link=quasi-identifiers", "guesses", "cross_release_linkage") == pairs.height
    assert _figure(composed_run, combo, "link=quasi-identifiers", "correct", "cross_release_linkage") == right
    assert _figure(composed_run, combo, "all", "guesses", "cross_release_linkage") == pairs.height  # no shared key
    # the vendor's vault and the export's HMAC key are independent: no equal values
    assert _figure(composed_run, "export+vendor", "all", "guesses", "cross_release_linkage") == 0


def test_the_gate_reads_a_composed_runs_own_figures(composed_run: Path) -> None:
    """`synth check` holds every combination's figure to a threshold on the composed figures."""
    result = CliRunner().invoke(app, ["check", str(composed_run), "--max", "composed.fraud_ready_share=0.05"])
    assert result.exit_code == 1, result.output
    assert "FAIL policy export+scheme_list, seed 1: composed.fraud_ready_share = " in result.output
    calm = CliRunner().invoke(app, ["check", str(composed_run), "--max", "composed.fraud_ready_share=1"])
    assert calm.exit_code == 0 and calm.output.startswith("ok: 1 threshold(s) hold")
    text = BASE + '\n[thresholds]\n"composed.fraud_ready_share" = 0.05\n"composition.singled_out" = 0\n'
    held = scenario_from_dict(tomllib.loads(text)).thresholds
    assert held == {"composed.fraud_ready_share": 0.05, "composition.singled_out": 0.0}


def test_two_workers_and_a_resumed_run_give_the_same_results(composed_run: Path, scenario_file: Path) -> None:
    twice = scenario_file.parent / "twice"
    result = CliRunner().invoke(app, ["run", str(scenario_file), "--out", str(twice), "--workers", "2"])
    assert result.exit_code == 0, result.output
    first = pl.read_parquet(composed_run / "results.parquet")
    assert pl.read_parquet(twice / "results.parquet").equals(first)
    shutil.rmtree(twice / "cells" / "seed=2")  # as if the run had stopped before its second seed
    (twice / "results.parquet").unlink()
    result = CliRunner().invoke(app, ["run", str(scenario_file), "--out", str(twice)])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(twice / "results.parquet").equals(first)


BASE = SCENARIO.format(world="/nowhere", fields=FIELDS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            BASE.replace('id = "vendor"', 'id = "export"'),
            "releases.export.id = 'export': two releases have this id; give each release its own",
        ),
        (
            BASE.replace('id = "scheme_list"', 'id = "scheme_list"\nkey = "it_mission"'),
            "releases.scheme_list.key = 'it_mission': policy 'as_exported' has no step that takes a key (a hash step "
            "with method hmac, or a tokenize step)",
        ),
        (
            BASE + '\n[composition]\nreleases = ["export"]\n',
            "composition.releases = ['export']: a composition attack intersects two releases of the same people; "
            "name two of export, scheme_list, vendor",
        ),
        (
            BASE + '\n[composition]\nreleases = ["export", "export"]\n',
            "composition.releases = ['export', 'export']: a composition attack intersects two releases of the same "
            "people; name two of export, scheme_list, vendor",
        ),
        (
            'policies = ["as_exported"]\n' + BASE,
            "policies = ['as_exported']: not with [[releases]]: each release names its own registries, fields and "
            "policy",
        ),
        (
            BASE.replace('id = "vendor"', 'id = "vendor"\nleak = 0.5'),
            "releases.vendor.leak = 0.5: unknown key; allowed are id, registries, fields, policy, key, onward_leak, "
            "seed, date",
        ),
        (
            BASE.replace('policy = "tokenize"', 'policy = "ward_tables"').replace('key = "vendor_vault"\n', ""),
            "releases.vendor.policy = 'ward_tables': gives out published counts, not rows of people: releases are "
            "linked row by row (attack it in a scenario of one release)",
        ),
        (
            BASE.replace('path = "/nowhere"', 'preset = "kerala-2026"\ndistricts = ["Wayanad"]').replace(
                'id = "scheme_list"', 'id = "scheme_list"\ndate = 2010-01-01'
            ),
            "releases.scheme_list.date = '2010-01-01': outside the world's span; allowed are dates from 2016-02-01 to "
            "2026-02-01 (the world is a picture of 2026-02-01 and stands for at most 10 years before it)",
        ),
    ],
    ids=[
        "same-id",
        "key-without-keyed-step",
        "composition-of-one",
        "composition-of-one-twice",
        "policies-beside",
        "unknown-key",
        "counts",
        "date-outside",
    ],
)
def test_bad_releases_are_named_with_the_release_and_the_key(
    tmp_path: Path, text: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "k")  # the export's HMAC step has its key: only the problem named is left
    scenario = tmp_path / "bad.toml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert error_of(["run", str(scenario), "--out", str(out)]) == f"error: {scenario}: {message}"
    assert not out.exists()


K5_WARDS = """[policy]
id = "k5_wards"
description = "Names and phones removed, then 5-anonymous on ward, age and gender."

[[steps]]
step = "drop"
columns = ["name", "phone"]

[[steps]]
step = "k_anonymity"
k = 5
quasi_identifiers = ["ward", "age", "gender"]
max_suppression = 0.01
"""


def test_the_composition_attack_runs_on_two_k_anonymous_releases(small_world_dir: Path, tmp_path: Path) -> None:
    """The pensioners released twice, 5-anonymous over local bodies and over wards: every region where two
    classes meet is bounded, and what the roll names among the regions of one person is scored."""
    (tmp_path / "k5_wards.toml").write_text(K5_WARDS, encoding="utf-8")
    text = SCENARIO.format(world=small_world_dir, fields=FIELDS).split("[[releases]]")[0]
    for release, policy in (("k5_lb", "k5"), ("k5_ward", "k5_wards.toml")):
        text += (
            f'[[releases]]\nid = "{release}"\nregistries = ["pensioners"]\nfields = {FIELDS}\npolicy = "{policy}"\n\n'
        )
    text += '[composition]\nreleases = ["k5_lb", "k5_ward"]\n\n[attacker]\nsources = ["electoral_roll"]\n\n'
    text += "[attacks.exact_linkage]\n"
    scenario = tmp_path / "composition.toml"
    scenario.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    figures = {
        m: _figure(tmp_path / "run", "k5_lb+k5_ward", "all", m, "composition")
        for m in ("rows", "classes", "k", "singled_out", "guesses", "correct", "precision")
    }
    assert figures["k"] >= 5 and figures["classes"] > 0
    assert figures["correct"] <= figures["guesses"] <= figures["singled_out"]
    table = json.loads((tmp_path / "run" / "results.json").read_text())["composed"]["composition"]
    assert table["singled_out"]["value"] == figures["singled_out"]
    assert (
        '<p id="composition"><code>k5_lb</code> and <code>k5_ward</code> put every person'
        in (tmp_path / "run" / "report.html").read_text()
    )
