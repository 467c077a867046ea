"""Fixtures shared by the integration tests: one run of the shipped CI scenario per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.scenario.run import _CONTEXTS

SMOKE = Path(__file__).parents[2] / "scenarios" / "ci_smoke.toml"


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the scenario runs keep their built world."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def smoke_reuse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The result store of the smoke run (``--reuse``): of its own, so it holds what that run computed, nothing else."""
    return tmp_path_factory.mktemp("smoke-reuse")


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory: pytest.TempPathFactory, cache: Path, smoke_reuse: Path) -> Path:
    """The output folder of `synth run scenarios/ci_smoke.toml`, run as in a fresh process (no context kept from
    an earlier test) with an empty result store."""
    _CONTEXTS.clear()
    out = tmp_path_factory.mktemp("runs") / "smoke"
    argv = ["run", str(SMOKE), "--out", str(out), "--cache", str(cache), "--reuse", str(smoke_reuse)]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    return out
