"""Keyed permutations that make numbers unique state-wide.

Each person's phone number is a keyed permutation of a state-wide person index into a numbering plan
(:mod:`synth.core.numbering`), so numbers never collide, whatever part of the state is built and however it
is sharded; roll numbers are made the same way.
"""

from __future__ import annotations

import numpy as np


def _round_keys(seed: int, salt: int, rounds: int) -> np.ndarray:
    ss = np.random.SeedSequence(int(seed), spawn_key=(salt,))
    return ss.generate_state(rounds, dtype=np.uint64)


def permute(index: np.ndarray, domain: int, seed: int, salt: int) -> np.ndarray:
    """A keyed bijection of ``[0, domain)`` (Feistel network with cycle-walking).

    The same index, domain, seed and salt always give the same value; distinct indices give
    distinct values. Used for phone numbers and roll numbers that must be unique state-wide.
    """
    bits = max(2, int(np.ceil(np.log2(domain))))
    bits += bits % 2
    half = bits // 2
    mask = np.uint64((1 << half) - 1)
    keys = _round_keys(seed, salt, 6)
    x = np.asarray(index, dtype=np.uint64).copy()
    todo = np.ones(len(x), dtype=bool)
    while todo.any():
        v = x[todo]
        left, right = v >> np.uint64(half), v & mask
        for k in keys:
            f = right * np.uint64(0x9E3779B97F4A7C15) + k
            f ^= f >> np.uint64(29)
            f *= np.uint64(0xBF58476D1CE4E5B9)
            f ^= f >> np.uint64(32)
            left, right = right, (left ^ f) & mask
        v = (left << np.uint64(half)) | right
        x[todo] = v
        todo[todo] = v >= np.uint64(domain)
    return x.astype(np.int64)
