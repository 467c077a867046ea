"""Fixtures shared by the integration tests: one run of the shipped CI scenario per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app
from synth.scenario.run import _CONTEXTS
from tests.shared import exclusive, session_folder

SMOKE = Path(__file__).parents[2] / "scenarios" / "ci_smoke.toml"


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the scenario runs keep their built world."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def smoke_reuse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The result store of the smoke run (``--reuse``): of its own, so it holds what that run computed, nothing else.
    One per session, like the run."""
    return session_folder(tmp_path_factory, worker_id) / "smoke-reuse"


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str, cache: Path, smoke_reuse: Path) -> Path:
    """The output folder of `synth run scenarios/ci_smoke.toml`, run as in a fresh process (no context kept from
    an earlier test) with an empty result store.

    Run once per session (:mod:`tests.shared`): by the first xdist worker whose tests need it, while the others
    wait; they read it, and no test writes into it or its store. Each worker ran its own before where two test
    files that read it went to different workers (14.6 s of one core)."""
    session = session_folder(tmp_path_factory, worker_id)
    out = session / "smoke-run"
    done = session / "smoke-run.done"
    with exclusive(session / "smoke-run.lock"):
        if not done.is_file():
            assert not out.exists(), f"another worker's smoke run into {out} failed: see its error"
            _CONTEXTS.clear()
            argv = ["run", str(SMOKE), "--out", str(out), "--cache", str(cache), "--reuse", str(smoke_reuse)]
            result = CliRunner().invoke(app, argv)
            assert result.exit_code == 0, result.output
            done.touch()
    return out
