"""The one home of the checks every package makes of a value: a whole number in a range, a real number, a seed.

A seed is a whole number from 0 to 2**32 - 1 everywhere (a world's, a release's, a scenario's, a policy step's):
the range numpy's legacy seeding and SDV take, so one value means the same thing wherever it is given.
"""

from __future__ import annotations

import numpy as np

SEED_LIMIT = 2**32
SEED_RULE = "must be a whole number from 0 to 2**32 - 1"


def whole(value: object, low: int | None = None, high: int | None = None) -> bool:
    """True for a whole number (an ``int`` or a numpy integer, never a ``bool``) with ``low <= value <= high``
    (either bound may be None: no bound).

    Examples
    --------
    >>> whole(3, 1), whole(True), whole(2.0), whole(np.int64(5), 0, 5), whole(0, 1)
    (True, False, False, True, False)
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        return False
    return bool((low is None or value >= low) and (high is None or value <= high))


def number(value: object) -> bool:
    """True for a real number (an ``int``, a ``float`` or a numpy number, never a ``bool``).

    Examples
    --------
    >>> number(0.5), number(2), number(False), number("1")
    (True, True, False, False)
    """
    return not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)


def is_share(value: object, zero: bool = True) -> bool:
    """True for a real number from 0 (or, with ``zero`` false, above 0) to 1.

    Examples
    --------
    >>> is_share(0.5), is_share(0), is_share(0, zero=False), is_share(1.5), is_share(True)
    (True, True, False, False, False)
    """
    return number(value) and (value >= 0 if zero else value > 0) and value <= 1  # type: ignore[operator]


def seed_problem(value: object, name: str = "seed") -> str | None:
    """The problem with a seed (``"NAME = VALUE: must be a whole number from 0 to 2**32 - 1"``), or None."""
    return None if whole(value, 0, SEED_LIMIT - 1) else f"{name} = {value!r}: {SEED_RULE}"
