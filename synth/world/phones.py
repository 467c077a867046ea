"""Phone numbers: numbering plans, collision-free assignment, ownership and contact numbers.

A plan is a list of national-number blocks (see ``calibration/phone_plans``). The default ``safe``
plan holds exactly as many ten-digit numbers as India's mobile plan, yet not one of them is a valid
Indian number under libphonenumber, so a generated dataset can never ring anybody. Each person's
number is a keyed permutation of a state-wide person index, so numbers never collide, whatever
part of the state is built and however it is sharded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from synth.errors import SpecError
from synth.world.preset import PHONE_PLAN_DIR

PLANS = {"safe": "in_safe.csv", "realistic": "in_mobile.csv"}
COUNTRY_CODE = "+91"
NATIONAL_DIGITS = 10


@dataclass(frozen=True)
class NumberingPlan:
    """Blocks of ten-digit national numbers: block ``i`` covers ``prefix_i * 10**(10-len_i)`` onwards."""

    name: str
    starts: np.ndarray  # first national number of each block (int64)
    sizes: np.ndarray  # numbers in each block
    cumulative: np.ndarray  # numbers before each block

    @property
    def size(self) -> int:
        """Search space: how many distinct numbers the plan holds."""
        return int(self.sizes.sum())

    def number(self, index: np.ndarray) -> np.ndarray:
        """Map plan indices ``0 <= index < size`` to ten-digit national numbers (int64)."""
        block = np.searchsorted(self.cumulative, index, side="right") - 1
        return self.starts[block] + (index - self.cumulative[block])

    def contains(self, national: np.ndarray) -> np.ndarray:
        """True where a national number lies in one of the plan's blocks."""
        order = np.argsort(self.starts)
        starts, sizes = self.starts[order], self.sizes[order]
        block = np.searchsorted(starts, national, side="right") - 1
        ok = block >= 0
        block = np.clip(block, 0, None)
        return ok & (national < starts[block] + sizes[block])


@cache
def load_plan(name: str) -> NumberingPlan:
    """Load a numbering plan by name (``safe`` or ``realistic``)."""
    if name not in PLANS:
        raise SpecError(f"phone plan '{name}': allowed are {', '.join(PLANS)}")
    prefixes = [
        line.strip()
        for line in (PHONE_PLAN_DIR / PLANS[name]).read_text().splitlines()
        if line.strip() and not line.startswith("#") and line.strip() != "prefix"
    ]
    lengths = np.array([len(p) for p in prefixes])
    sizes = 10 ** (NATIONAL_DIGITS - lengths).astype(np.int64)
    starts = np.array([int(p) for p in prefixes], dtype=np.int64) * sizes
    cumulative = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return NumberingPlan(name=name, starts=starts, sizes=sizes.astype(np.int64), cumulative=cumulative)


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


def e164(national: pl.Expr) -> pl.Expr:
    """Polars expression: ``+91`` and the ten national digits (leading zeros kept); null stays null."""
    return pl.lit(COUNTRY_CODE) + national.cast(pl.String).str.zfill(NATIONAL_DIGITS)
