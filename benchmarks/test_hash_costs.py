"""The cost of every hash (issue 15): each primitive's rate on one CPU core, measured, beside hashcat's published rate
on one RTX 4090, and the time to reverse one record and every record of a release.

The CPU rate is that of the attacker's best implementation here: the compiled SHA-256 kernel of the hash reversal
(:func:`synth.attacks.hash_enumeration._scan`) where it applies (SHA-256 of the number, plain or after one released
salt), hashlib (or the ``bcrypt`` package) otherwise, one call per candidate, the Python call included. The data
holder hashes with hashlib once per distinct value (bcrypt: once per record); its cost per value is beside it. The
GPU rates, sources and the time-to-reverse model are in :mod:`synth.core.hash_costs`; ``benchmarks/report.py``
turns the ``extra_info`` of these benchmarks into the README's table.

Run alone (and regenerate only the README's section)::

    .venv/bin/pytest benchmarks/test_hash_costs.py --benchmark-only --benchmark-json=out/bench/hash_costs.json
    .venv/bin/python -m benchmarks.report out/bench/hash_costs.json --section hash_costs --into benchmarks/README.md
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from synth.attacks.hash_enumeration import enumerate_plan
from synth.core.hash_costs import PRIMITIVES, REAL_MOBILE_SPACE, RECORDS, Primitive
from synth.core.numbering import load_plan

SALT = bytes(range(16))
KEY = bytes(range(32))
PHONE = b"+919847012345"
DOB = b"1988-06-15"
# seconds of hashing per round: enough for a stable rate, short enough for the suite (SYNTH_BENCH_HASH_SECONDS)
SECONDS = float(os.environ.get("SYNTH_BENCH_HASH_SECONDS", "0.3"))


HASHLIB: dict[str, Callable[[bytes], bytes]] = {
    "sha1": lambda m: hashlib.sha1(m).digest(),
    "sha256": lambda m: hashlib.sha256(m).digest(),
    "sha256_released_salt": lambda m: hashlib.sha256(SALT + m).digest(),
    "sha256_per_record_salt": lambda m: hashlib.sha256(SALT + m).digest(),
    "pepper": lambda m: hashlib.sha256(SALT + m).digest(),
    "pbkdf2_1e4": lambda m: hashlib.pbkdf2_hmac("sha256", m, SALT, 10_000),
    "pbkdf2_1e5": lambda m: hashlib.pbkdf2_hmac("sha256", m, SALT, 100_000),
    "pbkdf2_1e5_per_record": lambda m: hashlib.pbkdf2_hmac("sha256", m, SALT, 100_000),
    "sha256_truncated": lambda m: hashlib.sha256(m).digest()[:4],
    "sha256_phone_dob": lambda m: hashlib.sha256(m + DOB).digest(),
    "sha256_phone_dob_no_age": lambda m: hashlib.sha256(m + DOB).digest(),
    "hmac_leaked": lambda m: hmac.digest(KEY, m, "sha256"),
    "hmac_kept": lambda m: hmac.digest(KEY, m, "sha256"),
}
# the compiled kernel hashes salt + "+91" + ten digits in one SHA-256 block
KERNEL_PREFIX = {"sha256": b"", "sha256_truncated": b"", "sha256_released_salt": SALT, "sha256_per_record_salt": SALT}


MESSAGES = [f"+91{9_000_000_000 + i:010d}".encode() for i in range(1 << 10)]


def _hashlib_rate(fn: Callable[[bytes], bytes]) -> tuple[int, float]:
    """Calls of ``fn`` on distinct numbers, in batches, until :data:`SECONDS` have passed (at least 3 calls)."""
    calls, start = 0, time.perf_counter()
    while True:
        for message in MESSAGES[: max(3, min(len(MESSAGES), calls or 3))]:
            fn(message)
            calls += 1
        seconds = time.perf_counter() - start
        if seconds >= SECONDS:
            return calls, seconds


def _kernel_rate(prefix: bytes) -> tuple[int, float]:
    """Numbers of the safe plan hashed by the compiled kernel in about :data:`SECONDS`, the best of three:
    (numbers, seconds)."""
    plan = load_plan("safe")
    target = np.zeros(1, dtype=np.uint64)
    salt = np.frombuffer(prefix, dtype=np.uint8).copy()
    total = 1 << 20
    while True:
        seconds = min(enumerate_plan(salt, plan, total, target)[1] for _ in range(3))
        if seconds >= SECONDS / 3 or total >= 1 << 26:
            return total, seconds
        total *= 4


def figures(p: Primitive, cpu_rate: float, holder_rate: float, implementation: str) -> dict[str, Any]:
    """The row of the cost table for ``p``: rates, times to reverse (NaN: infeasible) and the holder's cost."""
    cpu_one, cpu_every = p.seconds(cpu_rate)
    gpu_one, gpu_every = p.seconds(p.gpu_rate)
    holder_values = RECORDS  # per distinct value at most one per record; per record for a per-record salt
    return {
        "kind": "hash_cost",
        "primitive": p.key,
        "label": p.label,
        "implementation": implementation,
        "cpu_rate": cpu_rate,
        "gpu_rate": p.gpu_rate,
        "gpu_mode": p.gpu.mode if p.gpu else None,
        "gpu_source": p.gpu.source if p.gpu else p.infeasible,
        "cpu_one_seconds": cpu_one,
        "cpu_every_seconds": cpu_every,
        "gpu_one_seconds": gpu_one,
        "gpu_every_seconds": gpu_every,
        "holder_seconds_per_value": 1 / holder_rate,
        "holder_seconds_records": holder_values / holder_rate,
        "ambiguity": p.ambiguity(),
        "truncated_bits": p.truncated_bits,
        "birth_dates": p.birth_dates,
        "birth_dates_all": p.birth_dates_all,
        "salt": p.salt,
        "infeasible": p.infeasible,
        "space": REAL_MOBILE_SPACE,
        "records": RECORDS,
    }


@pytest.mark.parametrize("primitive", PRIMITIVES, ids=[p.key for p in PRIMITIVES])
def test_hash_cost(benchmark, primitive: Primitive) -> None:  # type: ignore[no-untyped-def]
    fn = HASHLIB.get(primitive.key)
    if primitive.key == "bcrypt_10":  # its own salt in every digest; cost 10
        bcrypt = pytest.importorskip("bcrypt")
        salt = bcrypt.gensalt(rounds=10)

        def fn(message: bytes) -> bytes:
            return bcrypt.hashpw(message, salt)  # type: ignore[no-any-return]

    assert fn is not None
    rounds: list[tuple[int, float]] = []

    def measure() -> None:
        rounds.append(_hashlib_rate(fn))

    benchmark.pedantic(measure, rounds=3, iterations=1, warmup_rounds=0)
    holder = max(calls / seconds for calls, seconds in rounds)  # the best round: the least disturbed
    cpu, implementation = holder, "bcrypt" if primitive.key == "bcrypt_10" else "hashlib"
    if primitive.key in KERNEL_PREFIX:
        hashed, kernel_seconds = _kernel_rate(KERNEL_PREFIX[primitive.key])
        if hashed / kernel_seconds > cpu:
            cpu, implementation = hashed / kernel_seconds, "compiled kernel (numba)"
    benchmark.extra_info.update(figures(primitive, cpu, holder, implementation))
    assert cpu > 0 and holder > 0
    assert math.isnan(benchmark.extra_info["gpu_every_seconds"]) == (not primitive.reversible)
