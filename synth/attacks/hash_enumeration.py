"""The compiled SHA-256 scan of hash reversal (:mod:`synth.attacks.hash_reversal`): SHA-256 of single-block
messages (``salt + "+91" + ten digits``) for the numbers of a plan (or the numbers in use that lie in it),
compared by the first 64 bits of each digest against the sorted released digests."""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from synth.core.numbering import NumberingPlan

CHUNK = 1 << 22
# The compiled scan hashes one 64-byte block: salt + "+91" + 10 digits + 0x80 + 8 length bytes.
MAX_SALT_BYTES = 64 - 13 - 1 - 8

_K = np.array(
    [
        0x428A2F98,
        0x71374491,
        0xB5C0FBCF,
        0xE9B5DBA5,
        0x3956C25B,
        0x59F111F1,
        0x923F82A4,
        0xAB1C5ED5,
        0xD807AA98,
        0x12835B01,
        0x243185BE,
        0x550C7DC3,
        0x72BE5D74,
        0x80DEB1FE,
        0x9BDC06A7,
        0xC19BF174,
        0xE49B69C1,
        0xEFBE4786,
        0x0FC19DC6,
        0x240CA1CC,
        0x2DE92C6F,
        0x4A7484AA,
        0x5CB0A9DC,
        0x76F988DA,
        0x983E5152,
        0xA831C66D,
        0xB00327C8,
        0xBF597FC7,
        0xC6E00BF3,
        0xD5A79147,
        0x06CA6351,
        0x14292967,
        0x27B70A85,
        0x2E1B2138,
        0x4D2C6DFC,
        0x53380D13,
        0x650A7354,
        0x766A0ABB,
        0x81C2C92E,
        0x92722C85,
        0xA2BFE8A1,
        0xA81A664B,
        0xC24B8B70,
        0xC76C51A3,
        0xD192E819,
        0xD6990624,
        0xF40E3585,
        0x106AA070,
        0x19A4C116,
        0x1E376C08,
        0x2748774C,
        0x34B0BCB5,
        0x391C0CB3,
        0x4ED8AA4A,
        0x5B9CCA4F,
        0x682E6FF3,
        0x748F82EE,
        0x78A5636F,
        0x84C87814,
        0x8CC70208,
        0x90BEFFFA,
        0xA4506CEB,
        0xBEF9A3F7,
        0xC67178F2,
    ],
    dtype=np.uint32,
)
_H0 = np.array(
    [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19], dtype=np.uint32
)


LANES = 16  # candidates hashed side by side, so that the compiler can use SIMD registers


@njit(cache=True, boundscheck=False)
def _scan(
    prefix: np.ndarray, numbers: np.ndarray, targets: np.ndarray, k: np.ndarray, h0: np.ndarray, hits: np.ndarray
) -> int:  # pragma: no cover - compiled
    """SHA-256 of ``prefix + '+91' + 10 digits`` for each number (``len(numbers)`` a multiple of LANES);
    records the numbers whose digest's first 64 bits are among ``targets`` (sorted)."""
    plen = prefix.shape[0]
    length = plen + 13
    base = np.zeros(64, dtype=np.uint8)
    for j in range(plen):
        base[j] = prefix[j]
    base[plen] = 43  # '+'
    base[plen + 1] = 57  # '9'
    base[plen + 2] = 49  # '1'
    base[length] = 0x80
    bits = length * 8
    base[62] = (bits >> 8) & 0xFF
    base[63] = bits & 0xFF
    blocks = np.empty((LANES, 64), dtype=np.uint8)
    w = np.empty((64, LANES), dtype=np.uint32)
    a = np.empty(LANES, np.uint32)
    b = np.empty(LANES, np.uint32)
    c = np.empty(LANES, np.uint32)
    d = np.empty(LANES, np.uint32)
    e = np.empty(LANES, np.uint32)
    f = np.empty(LANES, np.uint32)
    g = np.empty(LANES, np.uint32)
    h = np.empty(LANES, np.uint32)
    found = 0
    for start in range(0, numbers.shape[0], LANES):
        for lane in range(LANES):
            v = numbers[start + lane]
            for j in range(64):
                blocks[lane, j] = base[j]
            for digit in range(9, -1, -1):
                blocks[lane, plen + 3 + digit] = 48 + v % 10
                v //= 10
        for t in range(16):
            for lane in range(LANES):
                w[t, lane] = (
                    (np.uint32(blocks[lane, 4 * t]) << np.uint32(24))
                    | (np.uint32(blocks[lane, 4 * t + 1]) << np.uint32(16))
                    | (np.uint32(blocks[lane, 4 * t + 2]) << np.uint32(8))
                    | np.uint32(blocks[lane, 4 * t + 3])
                )
        for t in range(16, 64):
            for lane in range(LANES):
                x = w[t - 15, lane]
                y = w[t - 2, lane]
                s0 = (
                    ((x >> np.uint32(7)) | (x << np.uint32(25)))
                    ^ ((x >> np.uint32(18)) | (x << np.uint32(14)))
                    ^ (x >> np.uint32(3))
                )
                s1 = (
                    ((y >> np.uint32(17)) | (y << np.uint32(15)))
                    ^ ((y >> np.uint32(19)) | (y << np.uint32(13)))
                    ^ (y >> np.uint32(10))
                )
                w[t, lane] = np.uint32(w[t - 16, lane] + s0 + w[t - 7, lane] + s1)
        for lane in range(LANES):
            a[lane], b[lane], c[lane], d[lane] = h0[0], h0[1], h0[2], h0[3]
            e[lane], f[lane], g[lane], h[lane] = h0[4], h0[5], h0[6], h0[7]
        for t in range(64):
            kt = k[t]
            for lane in range(LANES):
                ee = e[lane]
                aa = a[lane]
                big_s1 = (
                    ((ee >> np.uint32(6)) | (ee << np.uint32(26)))
                    ^ ((ee >> np.uint32(11)) | (ee << np.uint32(21)))
                    ^ ((ee >> np.uint32(25)) | (ee << np.uint32(7)))
                )
                ch = (ee & f[lane]) ^ (~ee & g[lane])
                t1 = np.uint32(h[lane] + big_s1 + ch + kt + w[t, lane])
                big_s0 = (
                    ((aa >> np.uint32(2)) | (aa << np.uint32(30)))
                    ^ ((aa >> np.uint32(13)) | (aa << np.uint32(19)))
                    ^ ((aa >> np.uint32(22)) | (aa << np.uint32(10)))
                )
                maj = (aa & b[lane]) ^ (aa & c[lane]) ^ (b[lane] & c[lane])
                h[lane] = g[lane]
                g[lane] = f[lane]
                f[lane] = ee
                e[lane] = np.uint32(d[lane] + t1)
                d[lane] = c[lane]
                c[lane] = b[lane]
                b[lane] = aa
                a[lane] = np.uint32(t1 + np.uint32(big_s0 + maj))
        for lane in range(LANES):
            key = (np.uint64(np.uint32(h0[0] + a[lane])) << np.uint64(32)) | np.uint64(np.uint32(h0[1] + b[lane]))
            pos = np.searchsorted(targets, key)
            if pos < targets.shape[0] and targets[pos] == key and found < hits.shape[0]:
                hits[found] = numbers[start + lane]
                found += 1
    return found


def _scan_numbers(prefix: np.ndarray, numbers: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The numbers (distinct, int64) whose salted digest starts with one of ``targets``."""
    if len(numbers) == 0:
        return np.zeros(0, dtype=np.int64)
    return _scan_lanes(prefix, _whole_lanes(numbers), targets)


def _whole_lanes(numbers: np.ndarray) -> np.ndarray:
    """``numbers`` (not empty) padded with its last to whole lanes."""
    return np.concatenate([numbers, np.full(-len(numbers) % LANES, numbers[-1])])


def _scan_lanes(prefix: np.ndarray, padded: np.ndarray, targets: np.ndarray) -> np.ndarray:
    hits = np.zeros(len(targets) + LANES, dtype=np.int64)
    n = _scan(prefix, padded, targets, _K, _H0, hits)
    return hits[:n]


def enumerate_plan(
    prefix: np.ndarray, plan: NumberingPlan, total: int, targets: np.ndarray
) -> tuple[np.ndarray, float]:
    """Hash the first ``total`` numbers of ``plan``: the numbers that hit, and the seconds the hashing took.

    The seconds are the compiled scan's alone. The candidates are written before it, a chunk at a time, as a real
    enumerator writes them inside its kernel at a cost not worth counting; timed with it, their first writes in a
    new process (page faults, mostly) took 0.1 to 1.1 s beside the 0.56 s of hashing 4 million, and understated
    the attacker's rate up to three times.
    """
    _scan_numbers(prefix, plan.number(np.zeros(LANES, dtype=np.int64)), targets)  # compile before timing
    found: list[np.ndarray] = []
    seconds = 0.0
    for lo in range(0, total, CHUNK):
        padded = _whole_lanes(plan.numbers_between(lo, min(lo + CHUNK, total)))
        start = time.perf_counter()
        found.append(_scan_lanes(prefix, padded, targets))
        seconds += time.perf_counter() - start
    return (np.concatenate(found) if found else np.zeros(0, dtype=np.int64)), seconds


def plan_numbers(universe: np.ndarray, plan: NumberingPlan) -> np.ndarray:
    """The distinct numbers of ``universe`` that lie in ``plan``."""
    numbers = np.unique(np.asarray(universe, dtype=np.int64).ravel())
    return numbers[plan.contains(numbers)]


def in_plan_hits(universe: np.ndarray, plan: NumberingPlan, prefix: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The numbers of ``universe`` that lie in ``plan`` and whose digest starts with one of ``targets``."""
    numbers = plan_numbers(universe, plan)
    found = [_scan_numbers(prefix, numbers[lo : lo + CHUNK], targets) for lo in range(0, len(numbers), CHUNK)]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
