"""Rates with Wilson score intervals, and risk against a control (as anonymeter defines it)."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Rate:
    """``successes`` of ``trials`` with its Wilson 95% interval."""

    successes: int
    trials: int
    value: float
    ci_low: float
    ci_high: float


def wilson(successes: int, trials: int, z: float = Z95) -> Rate:
    """Wilson score interval for a binomial proportion (0 trials: value 0, interval [0, 1]).

    Examples
    --------
    >>> r = wilson(8, 10)
    >>> round(r.ci_low, 4), round(r.ci_high, 4)
    (0.4902, 0.9433)
    """
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError(f"wilson: need 0 <= successes <= trials, got {successes} of {trials}")
    if trials == 0:
        return Rate(0, 0, 0.0, 0.0, 1.0)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the edges (no rounding residue)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Rate(successes, trials, p, low, high)


@dataclass(frozen=True)
class Risk:
    """Risk of an attack over a control: (attack - control) / (1 - control), with an interval."""

    value: float
    ci_low: float
    ci_high: float


def risk(attack: Rate, control: Rate) -> Risk:
    """anonymeter's risk: the attack's success rate in excess of the control's, scaled to [0, 1].

    The interval combines the attack's and the control's Wilson bounds conservatively.
    """

    def scaled(a: float, c: float) -> float:
        return 0.0 if c >= 1 else max(0.0, (a - c) / (1 - c))

    return Risk(
        scaled(attack.value, control.value),
        scaled(attack.ci_low, control.ci_high),
        scaled(attack.ci_high, control.ci_low),
    )
