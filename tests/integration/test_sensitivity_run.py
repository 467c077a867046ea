"""The headlines over the world's assumptions (``[sensitivity]``) on a small world: each setting is a world of its
own whose roll has the share asked for (recounted here from its tables), the range of a headline is the lowest
and highest of the settings' own results (recounted from each run's results), the worst end is the one that
re-identifies more, and the report shows the range and a tornado chart; bad input is named."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from synth import open_world
from synth.cli import app
from synth.world.plan import describe_assumptions, noise_assumptions
from synth.world.preset import load_preset
from tests.unit.cli.helpers import error_of

SCENARIO = """spec_version = 1
policies = ["as_exported"]
purposes = ["outreach"]
seeds = [1]

[scenario]
id = "sensitivity"

[world]
preset = "kerala-2026"
districts = ["Kasaragod"]
local_bodies = 3
seed = 5

[release]
registries = ["pensioners"]
fields = ["name", "age", "gender", "district", "taluk", "local_body", "ward", "registry"]

[attacker]
sources = ["electoral_roll"]

[attacks.exact_linkage]

[sensitivity]
"electoral_roll.moved_share" = [0.0, 0.4]
"""


@pytest.fixture(scope="module")
def sensitivity_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sensitivity")
    scenario = folder / "s.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(folder / "run")])
    assert result.exit_code == 0, result.output
    return folder / "run"


def _exposure(run: Path) -> float:
    decision = json.loads((run / "results.json").read_text())
    return float(decision["ranking"][0]["exposure"]["value"])


def test_each_setting_is_a_world_with_the_roll_asked_for(sensitivity_run: Path) -> None:
    summary = json.loads((sensitivity_run / "results.json").read_text())["sensitivity"]
    tags = ["electoral_roll.moved_share=low", "electoral_roll.moved_share=high", "all=worst", "all=best"]
    assert list(summary["settings"]) == tags
    for tag, share in (("electoral_roll.moved_share=low", 0.0), ("electoral_roll.moved_share=high", 0.4)):
        world = open_world(
            json.loads((sensitivity_run / "sensitivity" / tag / "scenario.resolved.json").read_text())["world_path"]
        )
        status = world.table("roll_truth").collect().filter(~pl.col("status").is_in(["ghost", "duplicate"]))["status"]
        # moved within the local body (the setting), or else across local bodies (the preset's 2%)
        assert (status == "moved").mean() == pytest.approx(share + (1 - share) * 0.02, abs=0.01)


def test_the_range_and_the_worst_end_are_the_settings_own_figures(sensitivity_run: Path) -> None:
    folder = sensitivity_run / "sensitivity"
    low, high = (_exposure(folder / f"electoral_roll.moved_share={end}") for end in ("low", "high"))
    central = _exposure(sensitivity_run)
    assert low > central > high  # people listed at an old address are not linked in their ward
    summary = json.loads((sensitivity_run / "results.json").read_text())["sensitivity"]
    assert summary["assumptions"] == [
        {"name": "electoral_roll.moved_share", "central": 0.03, "low": 0.0, "high": 0.4, "worst": 0.0}
    ]
    assert _exposure(folder / "all=worst") == low and _exposure(folder / "all=best") == high
    html = (sensitivity_run / "report.html").read_text()
    assert (
        f'<td>as_exported</td><td>re-identified</td><td class="num">{central:.1%} [{high:.1%}, {low:.1%}]</td>' in html
    )
    assert "<td>electoral_roll.moved_share</td></tr>" in html  # the assumption that moves it most
    assert '<figure class="chart" id="sensitivity-chart">' in html


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            '"electoral_roll.moved_share" = [0.2, 0.1]',
            "sensitivity.electoral_roll.moved_share = [0.2, 0.1]: low (0.2) is above high (0.1)",
        ),
        (
            '"electoral_roll.moved" = [0.0, 0.1]',
            "sensitivity.electoral_roll.moved = [0.0, 0.1]: unknown assumption; allowed are "
            + describe_assumptions(noise_assumptions(load_preset("kerala-2026")))
            + " (did you mean 'electoral_roll.moved_share'?)",
        ),
        (
            '"name_formats.electoral_roll.hindu.given_only" = [0.2, 0.5]',
            "sensitivity.name_formats.electoral_roll.hindu.given_only = [0.2, 0.5]: a format's share cannot vary "
            "alone (its source's shares must add up to 1)",
        ),
        (
            '"caller_id.coverage" = [0.5, 1.2]',
            "sensitivity.caller_id.coverage = [0.5, 1.2]: must be [low, high], two shares from 0 to 1",
        ),
    ],
    ids=["low-above-high", "unknown", "format", "outside"],
)
def test_bad_sensitivity_is_named_with_its_key(tmp_path: Path, table: str, message: str) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(SCENARIO.replace('"electoral_roll.moved_share" = [0.0, 0.4]', table), encoding="utf-8")
    assert error_of(["run", str(scenario), "--out", str(tmp_path / "out")]) == f"error: {scenario}: {message}"
