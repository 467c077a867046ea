"""Shared fixtures: one full-density district world built once per test session.

Every test that uses that district (directly or through another fixture), or another fixture that takes 5 s or
more to set up (:data:`SLOW_FIXTURES`), is marked ``slow``, as are the tests that take 5 s or more themselves
(``@pytest.mark.slow``; measured with ``--durations=0`` on the suite's two workers): the suite runs them all, and
``pytest -m "not slow"`` is the quick loop while editing. ``make test`` runs the suite on two
pytest-xdist workers, a test file to one worker (``--dist loadfile``: a module's fixtures are built once). The
district is built once per session, by the first worker whose tests need it; another that needs it meanwhile waits
for it (keeping every district test on one worker, ``--dist loadgroup``, measured slower: 5:18 against 4:27).

Worlds that ``synth run`` builds go to a cache of the session's own (``SYNTH_CACHE``), never to the user's:
two workers never write one world folder at once, and a test never reads a world an older version built.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# The suite runs two processes on two cores. OpenMP (scikit-learn's gradient boosting, torch) would start a thread
# per core in each, and its threads wait for one another by spinning: with both cores busy, two tests fitting on
# 240 released rows took 12 and 21 s, under a second alone (tests/unit/attacks/test_attribute_inference.py).
# OpenMP reads it when it loads, so it is set before anything imports it; one's own setting wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest

from synth import World, build_world
from synth.engine.executors import REUSE_FREED_MEMORY
from tests.shared import exclusive, session_folder

# The suite's xdist workers (this process's children) reuse the memory they free for a while, as a scenario's Dask
# workers do (REUSE_FREED_MEMORY): with the allocators' defaults the suite spent 85 of 690 CPU seconds in the kernel,
# 65 with these (366 s against 350 s of pytest). The allocators read them when a process starts: not this one. Polars,
# imported above, put its own defaults first in _RJEM_MALLOC_CONF; jemalloc takes the last value of a setting.
for _variable, _value in REUSE_FREED_MEMORY.items():
    if _variable == "_RJEM_MALLOC_CONF":
        _before = os.environ.get(_variable, "")
        os.environ[_variable] = _before if _before.endswith(_value) else ",".join(filter(None, (_before, _value)))
    else:
        os.environ.setdefault(_variable, _value)

# fixtures that take 5 s or more to set up: a whole district, a utility measured for every policy, a learned world,
# a search, a tables run, a sensitivity run, a composed run, the quick benchmark's worlds and attacks
SLOW_FIXTURES = {
    "wayanad",
    "measured",
    "learned",
    "search_run",
    "tables_run",
    "sensitivity_run",
    "composed_run",
    "generated",
    "attacked",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def own_world_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``SYNTH_CACHE`` set to a folder of this session (of this xdist worker) for the whole session."""
    before = os.environ.get("SYNTH_CACHE")
    folder = tmp_path_factory.mktemp("synth-cache")
    os.environ["SYNTH_CACHE"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("SYNTH_CACHE", None)
    else:
        os.environ["SYNTH_CACHE"] = before


@pytest.fixture(scope="session")
def wayanad(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> World:
    """Wayanad at full density (about 9 lakh people), seed 11, built once for the session's xdist workers in a
    folder of the session's: the first to need it builds it, in its own process, while holding a lock; the others
    wait for the lock, and their build finds the world complete and opens it (``build_world`` confirms a finished
    world). Each worker built its own before: 6.0 s alone, 9 to 18 s beside the other worker.

    In the worker's process, not on a cluster: both cores are busy with the suite's two workers, and a cluster of
    two more spent 10.7 core-seconds on it against 6.7 here (the world is byte-identical on any number of workers:
    tests/integration/test_build.py). No test writes into it."""
    session = session_folder(tmp_path_factory, worker_id)
    with exclusive(session / "wayanad.lock"):
        return build_world(session / "shared-worlds" / "wayanad", districts=["Wayanad"], seed=11, workers=1)


@pytest.fixture(scope="session")
def small_world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three local bodies of Kasaragod, seed 5 (a few seconds to build)."""
    out = tmp_path_factory.mktemp("worlds") / "small"
    build_world(out, districts=["Kasaragod"], local_bodies=3, seed=5)
    return out
