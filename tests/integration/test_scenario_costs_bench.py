"""The scenario-cost benchmark's section of benchmarks/README.md: targets met or missed, and the costs tabled by
policy and by attack from a run's own timings."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from benchmarks.common import measured_command
from benchmarks.conftest import pytest_benchmark_update_json
from benchmarks.report import scenario_costs_section

MIB = 2**20


def _point(point: str, seconds: float, tree_mib: float) -> dict[str, object]:
    costs = [
        {"policy": "as_exported", "attack": "probabilistic_linkage", "wall_seconds": 30.0, "cpu_seconds": 29.0,
         "peak_rss_bytes": 1900 * MIB},
        {"policy": "as_exported", "attack": "utility", "wall_seconds": 2.0, "cpu_seconds": 1.5,
         "peak_rss_bytes": 800 * MIB},
        {"policy": "hmac", "attack": "probabilistic_linkage", "wall_seconds": 1.0, "cpu_seconds": 1.0,
         "peak_rss_bytes": 1000 * MIB},
    ]  # fmt: skip
    return {
        "point": point,
        "people": 908_857,
        "seconds": seconds,
        "peak_rss_mb": 2100.0,
        "peak_tree_rss_mb": tree_mib,
        "load_before": [0.1, 0.5, 1.0],
        "load_after": [1.9, 1.2, 1.1],
        "costs": costs,
    }


def test_the_targets_and_where_the_time_goes() -> None:
    run = {
        "benchmarks": [
            {"extra_info": {"kind": "scenario_costs", **_point("default, Wayanad (world cached)", 226.1, 4000.0)}},
            {"extra_info": {"kind": "scenario_costs", **_point("default, whole state (world built)", 1100.0, 13000.0)}},
        ]
    }
    lines = scenario_costs_section(run)
    text = "\n".join(lines)
    assert (
        "| default, Wayanad (world cached) | 908,857 | 226.1 | 60 | 4,000 | 2,100 | n/a "
        "| 0.1 / 0.5 / 1.0 → 1.9 / 1.2 / 1.1 | no |" in lines
    )
    # in time (1,100 s of 1,200) but over memory (13,000 MiB of 12,288): missed
    assert "| default, whole state (world built) | 908,857 | 1,100.0 | 1,200 | 13,000 | 2,100 | 12,288 |" in text
    assert text.count("| no |") == 2
    # by policy: the units summed, the largest peak; by attack: the policies summed
    assert "| as_exported | 32.0 | 30.5 | 1,900 |" in lines
    assert "| hmac | 1.0 | 1.0 | 1,000 |" in lines
    assert "| probabilistic_linkage | 31.0 | 30.0 | 1,900 |" in lines
    assert "| utility | 2.0 | 1.5 | 800 |" in lines


def test_a_sampled_peak_is_shown_as_a_lower_bound() -> None:
    point = _point("default, Wayanad (world cached)", 226.1, 4000.0)
    costs = point["costs"]
    assert isinstance(costs, list)
    costs[0]["peak_rss_exact"] = 1.0
    costs[1]["peak_rss_exact"] = 1.0
    costs[2]["peak_rss_exact"] = 0.0  # hmac's only unit did not raise its worker's mark: sampled
    costs.append(
        {"policy": "hmac", "attack": "utility", "wall_seconds": 1.0, "cpu_seconds": 1.0, "peak_rss_bytes": 900 * MIB,
         "peak_rss_exact": 1.0}
    )  # fmt: skip
    lines = scenario_costs_section({"benchmarks": [{"extra_info": {"kind": "scenario_costs", **point}}]})
    # hmac's largest peak (1,000 MiB) is sampled; its exact 900 does not make it exact
    assert "| hmac | 2.0 | 2.0 | ≥ 1,000 |" in lines
    assert "| as_exported | 32.0 | 30.5 | 1,900 |" in lines
    # by attack: probabilistic linkage's largest is as_exported's exact 1,900; utility's largest is exact
    assert "| probabilistic_linkage | 31.0 | 30.0 | 1,900 |" in lines
    assert "| utility | 3.0 | 2.5 | 900 |" in lines


def test_no_points_says_so() -> None:
    assert scenario_costs_section({"benchmarks": []})[0] == "No scenario-cost results in this run."


def test_a_commands_whole_tree_is_measured(tmp_path: Path) -> None:
    """A parent that starts a child holding 200 MiB: the tree's peak holds both; the largest process, the child."""
    script = tmp_path / "tree.py"
    script.write_text(
        "import subprocess, sys\n"
        "child = 'import numpy, time; a = numpy.ones(200 * 2**20, dtype=numpy.uint8); time.sleep(1.5)'\n"
        "subprocess.run([sys.executable, '-c', child], check=True)\n"
    )
    measured = measured_command([sys.executable, str(script)])
    assert measured["peak_tree_rss_mb"] >= 200
    assert measured["peak_rss_mb"] >= 200
    assert measured["seconds"] > 0


def test_the_recorded_command_reruns_the_same_points(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("SYNTH_BENCH")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SYNTH_BENCH_SCENARIO_DISTRICTS", "2,4")
    config = SimpleNamespace(invocation_params=SimpleNamespace(args=("benchmarks/test_scenario_costs.py", "-q")))
    output: dict[str, Any] = {}
    pytest_benchmark_update_json(config, [], output)  # type: ignore[arg-type]
    meta = output["synth_bench"]
    assert meta["command"] == "SYNTH_BENCH_SCENARIO_DISTRICTS=2,4 pytest benchmarks/test_scenario_costs.py -q"
    assert meta["environment"] == {"SYNTH_BENCH_SCENARIO_DISTRICTS": "2,4"}
    monkeypatch.setenv("SYNTH_BENCH_COMMAND", "make bench")
    pytest_benchmark_update_json(config, [], output)  # type: ignore[arg-type]
    assert output["synth_bench"]["command"] == "make bench"
