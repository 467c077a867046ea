"""Numbering plans: the blocks of national numbers a plan holds, and numbers written in E.164.

A plan is a list of national-number blocks (see ``synth/world/calibration/phone_plans``). The default ``safe``
plan holds exactly as many ten-digit numbers as India's mobile plan, yet not one of them is a valid Indian
number under libphonenumber, so a generated dataset can never ring anybody. A plan is public knowledge: the
world draws numbers from it and an attacker enumerates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from synth.core.paths import PHONE_PLAN_DIR
from synth.errors import SpecError

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

    def numbers_between(self, lo: int, hi: int) -> np.ndarray:
        """The national numbers of the plan indices ``lo <= index < hi``, in index order: :meth:`number` of
        ``np.arange(lo, hi)``, written a block's run at a time instead of searched for index by index.

        Raises
        ------
        ValueError
            Unless ``0 <= lo <= hi <=`` the plan's size.
        """
        if not 0 <= lo <= hi <= self.size:
            raise ValueError(f"plan '{self.name}': indices {lo} to {hi}; allowed is 0 <= lo <= hi <= {self.size}")
        if lo == hi:
            return np.zeros(0, dtype=np.int64)
        first, last = np.searchsorted(self.cumulative, [lo, hi - 1], side="right") - 1
        blocks = np.arange(first, last + 1)
        begin = np.maximum(self.cumulative[blocks], lo)
        end = np.minimum(self.cumulative[blocks] + self.sizes[blocks], hi)
        offset = self.starts[blocks] - self.cumulative[blocks]  # a block's number less its index
        return np.arange(lo, hi, dtype=np.int64) + np.repeat(offset, end - begin)

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


def e164(national: pl.Expr) -> pl.Expr:
    """Polars expression: ``+91`` and the ten national digits (leading zeros kept); null stays null.

    A national number lies in [0, 10**10), so adding ``91 * 10**10`` writes the country code and the leading zeros
    in one conversion to text (faster than padding the text: a world writes a few crore of these).

    Examples
    --------
    >>> pl.select(e164(pl.Series([0, 9999999999, None]))).to_series().to_list()
    ['+910000000000', '+919999999999', None]
    """
    country = int(COUNTRY_CODE.removeprefix("+")) * 10**NATIONAL_DIGITS
    return pl.lit("+") + (national.cast(pl.Int64) + country).cast(pl.String)
