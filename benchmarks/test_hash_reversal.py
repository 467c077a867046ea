"""Hash-reversal inner loop: candidates hashed per second on one core (issue 4: at least 2 million)."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.hash_reversal import hash_reversal
from synth.core.numbering import load_plan
from synth.release.build import AttackerView

CANDIDATES = 20_000_000


def test_hash_reversal_rate(benchmark) -> None:  # type: ignore[no-untyped-def]
    plan = load_plan("safe")
    phones = ["+91" + str(v).zfill(10) for v in plan.number(np.arange(0, CANDIDATES, 997)).tolist()]
    view = AttackerView(
        pl.DataFrame({"row_id": range(len(phones)), "phone": [hashlib.sha256(p.encode()).hexdigest() for p in phones]})
    )
    result = benchmark.pedantic(
        hash_reversal,
        args=(view, AuxiliaryData(), np.random.default_rng(0), plan),
        kwargs={"budget": CANDIDATES},
        rounds=3,
        iterations=1,
        warmup_rounds=1,
    )
    benchmark.extra_info["hashes_per_second"] = result.rate
    benchmark.extra_info["cpu_core_seconds_real_space"] = result.cost()["cpu_core_seconds"]
    assert len(result.guesses) == len(phones)
