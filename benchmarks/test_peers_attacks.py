"""Attacks against anonymeter (issue 6): throughput and agreement on the same release and attacker knowledge.

For each size (``SYNTH_BENCH_ATTACK_ROWS``, default 10 thousand, 100 thousand and 1 million rows), a release of
that many rows (:func:`benchmarks.agreement.prepare`: Wayanad's export sampled down for the first two; the
export of four districts, Wayanad, Idukki, Pathanamthitta and Kasaragod, sampled down to a million for the
third) and the electoral roll of its world. Our exact linkage, singling out and attribute inference run over
the whole release and are scored with exact counts; anonymeter's singling-out (two configurations),
linkability and inference evaluators run at their default 500 attacks in their own environment
(``.venv-anonymeter``: ``make anonymeter-venv``) on the same data, written to Parquet.

Worlds are built once into the benchmark cache (``SYNTH_BENCH_CACHE``, else where ``synth run`` keeps its
worlds) and reused.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmarks.agreement import ATTACKS, Prepared, attack_function, prepare, score
from benchmarks.anonymeter_runner import EVALUATORS
from benchmarks.common import ANONYMETER_PYTHON, REPO, SEED, run_json, world_for
from synth.world.plan import WorldSpec

SIZES = [int(s) for s in os.environ.get("SYNTH_BENCH_ATTACK_ROWS", "10000,100000,1000000").split(",")]
WAYANAD = WorldSpec(districts=("Wayanad",), seed=SEED)
FOUR_DISTRICTS = WorldSpec(districts=("Wayanad", "Idukki", "Pathanamthitta", "Kasaragod"), seed=SEED)
WAYANAD_EXPORT = 150_000  # a release up to this size is cut from Wayanad's (186,590 rows)


def world_spec(rows: int) -> WorldSpec:
    """The world a release of ``rows`` rows is cut from."""
    return WAYANAD if rows <= WAYANAD_EXPORT else FOUR_DISTRICTS


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n}_rows")
def prepared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    rows = int(request.param)
    world = world_for(world_spec(rows))
    return prepare(world, rows, tmp_path_factory.mktemp(f"anonymeter_{rows}"), SEED)


def ours(attack: str, p: Prepared, rounds: int, benchmark: Any) -> dict[str, Any]:
    """Time one of our attacks over the whole release, then score it (outside the clock)."""
    function = attack_function(attack)
    guesses = benchmark.pedantic(lambda: function(p, np.random.default_rng(SEED)), rounds=rounds, iterations=1)
    figures = score(attack, p, guesses, SEED)
    return {
        "kind": "attack",
        "side": "ours",
        "attack": attack,
        "rows": p.rows,
        "seconds": benchmark.stats.stats.median,
        "prepare_seconds": p.seconds,
        **figures,
    }


@pytest.mark.parametrize("attack", ATTACKS)
def test_ours(benchmark, prepared: Prepared, attack: str) -> None:  # type: ignore[no-untyped-def]
    rounds = 3 if prepared.rows <= WAYANAD_EXPORT else 1
    result = ours(attack, prepared, rounds, benchmark)
    benchmark.extra_info.update(result)
    assert result["rows_covered"] > 0
    assert 0.0 <= result["ours_as_anonymeter"]["attack_rate"][0] <= 1.0


def anonymeter(evaluator: str, folder: Path, timeout: float | None = None) -> dict[str, Any]:
    """Run one anonymeter evaluator in its own environment on the prepared files."""
    argv = [str(ANONYMETER_PYTHON), str(REPO / "benchmarks" / "anonymeter_runner.py"), evaluator]
    return run_json([*argv, "--data", str(folder), "--seed", str(SEED)], timeout=timeout)


@pytest.mark.parametrize("evaluator", EVALUATORS)
def test_anonymeter(benchmark, prepared: Prepared, evaluator: str) -> None:  # type: ignore[no-untyped-def]
    if not ANONYMETER_PYTHON.is_file():
        pytest.fail("anonymeter's environment is missing: run `make anonymeter-venv` (make bench does)")
    result = benchmark.pedantic(anonymeter, args=(evaluator, prepared.folder), rounds=1, iterations=1)
    benchmark.extra_info.update(kind="attack", side="anonymeter", rows=prepared.rows, **result)
    assert result["n_attacks"] == 500
