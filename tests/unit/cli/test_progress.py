"""Progress a person can follow when stderr is a log: a first line at once, then a line per finished unit with
the elapsed time and an estimate of what remains."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from synth.cli import app
from synth.cli.progress import ProgressReport, clock_text


class _Clock:
    def __init__(self, *ticks: float) -> None:
        self.ticks = list(ticks)

    def __call__(self) -> float:
        return self.ticks.pop(0)


def _log() -> tuple[Console, io.StringIO]:
    text = io.StringIO()
    return Console(file=text, force_terminal=False, width=300), text


def test_a_line_per_unit_with_the_time_left_when_stderr_is_a_log() -> None:
    console, text = _log()
    with ProgressReport(console, "running", "kerala", clock=_Clock(100.0, 101.5, 130.0, 190.0, 250.0)) as report:
        report.say("loading")
        report(1, 4, "seed 1 / as_exported")
        report(3, 4, "seed 1 / k5")
        report(4, 4, "seed 1 / hmac")
    assert text.getvalue().splitlines() == [
        "running kerala: loading (0:00:01 elapsed)",
        "running kerala: 1/4 seed 1 / as_exported (0:00:30 elapsed, about 0:01:30 left)",
        "running kerala: 3/4 seed 1 / k5 (0:01:30 elapsed, about 0:00:30 left)",
        "running kerala: 4/4 seed 1 / hmac (0:02:30 elapsed)",
    ]


def test_an_unknown_total_and_a_quiet_report() -> None:
    console, text = _log()
    report = ProgressReport(console, "learning", "t.parquet", clock=_Clock(0.0, 5.0))
    report(2, 0, "fitting")
    assert text.getvalue() == "learning t.parquet: 2 fitting (0:00:05 elapsed)\n"
    console, text = _log()
    quiet = ProgressReport(console, "building", "w", disable=True, clock=_Clock(0.0))
    with quiet:
        quiet.say("planning")
        quiet(1, 2, "shard")
    assert text.getvalue() == ""


def test_clock_text() -> None:
    assert [clock_text(s) for s in (0, 59.9, 61, 3600, 36_000 + 62)] == [
        "0:00:00",
        "0:00:59",
        "0:01:01",
        "1:00:00",
        "10:01:02",
    ]


def test_synth_run_reports_each_group_on_a_log(tiny_scenario: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(tiny_scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()  # the first line once the input is checked, then a line per group
    assert re.fullmatch(
        r"running tiny: 1 group of cells \(1 policy x 1 seed, 1 attack each\), in process; a line as each "
        r"group finishes \(\d:\d\d:\d\d elapsed\)",
        lines[0],
    )
    assert re.fullmatch(r"running tiny: 1/1 seed 1 / as_exported \(\d:\d\d:\d\d elapsed\)", lines[1])
    assert re.fullmatch(r"running tiny: rendering the report \(\d:\d\d:\d\d elapsed\)", lines[2])


def test_synth_run_reports_the_world_it_builds(tiny_scenario: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "built.toml"
    text = tiny_scenario.read_text()
    world_line = next(line for line in text.splitlines() if line.startswith("path = "))
    scenario.write_text(text.replace(world_line, 'districts = ["Wayanad"]\nlocal_bodies = 1\nseed = 3'))
    args = ["run", str(scenario), "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "cache")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    built = [line for line in result.stderr.splitlines() if "world" in line]
    assert len(built) == 2
    assert re.fullmatch(
        r"running built: building the scenario's world \(1 shard; kept for later runs\) \(.+\)", built[0]
    )
    assert re.fullmatch(r"running built: 1/1 world shards built, the last \S+ \(\d:\d\d:\d\d elapsed\)", built[1])
    # the second run finds the world built: no line about it
    again = CliRunner().invoke(app, ["run", str(scenario), "--out", str(tmp_path / "again"), *args[4:]])
    assert again.exit_code == 0, again.output
    assert "world" not in again.stderr


def test_a_unit_without_a_name() -> None:
    console, text = _log()
    ProgressReport(console, "building", "out/w", clock=_Clock(0.0, 0.0))(0, 12, "")
    assert text.getvalue() == "building out/w: 0/12 (0:00:00 elapsed)\n"
