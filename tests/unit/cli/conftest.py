"""A tiny world (one local body of Wayanad, about 41,000 people, built in a second) and a run on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import synth
from synth.cli import app

SCENARIO = """spec_version = 1
policies = ["as_exported"]
purposes = ["outreach"]
seeds = [1]

[scenario]
id = "tiny"
description = "One local body of Wayanad, one policy, one attack."

[world]
path = "{world}"

[release]
fields = ["phone", "name", "age", "gender", "district", "taluk", "ward", "local_body", "registry"]

[recipient]
name = "a messaging vendor"
onward_leak = 1.0

[attacker]
sources = ["electoral_roll"]

[attacks.exact_linkage]
"""


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "world"
    synth.build_world(out, districts=["Wayanad"], local_bodies=1, seed=3)
    return out


@pytest.fixture(scope="session")
def tiny_scenario(tiny_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "tiny.toml"
    path.write_text(SCENARIO.format(world=tiny_world))
    return path


@pytest.fixture(scope="session")
def tiny_run(tiny_scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    result = CliRunner().invoke(app, ["run", str(tiny_scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out
