"""Shared fixtures: one full-density district world built once per test session.

Every test that uses that district (directly or through another fixture) is marked ``slow``: the suite runs
them all, and ``pytest -m "not slow"`` is the quick loop while editing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from synth import World, build_world

DISTRICT_FIXTURES = {"wayanad"}  # fixtures that build a whole district or more


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DISTRICT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def wayanad(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Wayanad at full density (about 9 lakh people), seed 11, two workers."""
    out = tmp_path_factory.mktemp("worlds") / "wayanad"
    return build_world(out, districts=["Wayanad"], seed=11, workers=2)


@pytest.fixture(scope="session")
def small_world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three local bodies of Kasaragod, seed 5 (a few seconds to build)."""
    out = tmp_path_factory.mktemp("worlds") / "small"
    build_world(out, districts=["Kasaragod"], local_bodies=3, seed=5)
    return out
