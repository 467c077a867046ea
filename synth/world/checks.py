"""The checks of a world as one tidy table, and what every check needs: the world's preset and plan (refused
when the installed preset or phone plan differs from the one it was built with), counts and distances.

A row per check: ``kind`` is ``target`` (a figure and its tolerance), ``rule`` (a count of violations that
must be zero) or ``info`` (reported, not gated); ``ok`` is false for a target out of tolerance or a rule with
violations.

A share measured on ``n`` people (:meth:`Checks.share`) is a binomial draw around its target ``p``: its
tolerance is never below the sampling error, ``max(tolerance, SHARE_Z * sqrt(p * (1 - p) / n))`` (divided
by ``p`` for a relative tolerance), so a small world is not failed for its size while a large one is still
held to the configured tolerance. A distance between distributions (:meth:`Checks.distance`) is widened alike
(:func:`tvd_tolerance`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from synth.errors import WorldError
from synth.world.api import World
from synth.world.build import spec_record
from synth.world.plan import WorldPlan, WorldSpec, plan_world
from synth.world.preset import Preset, load_preset

SHARE_Z = 3.29
"""Standard normal quantile of a two-sided 99.9% interval: a correct share of any sample size fails one check
in a thousand."""
SCHEMA = {
    "kind": pl.String,
    "check": pl.String,
    "scope": pl.String,
    "target": pl.Float64,
    "value": pl.Float64,
    "error": pl.Float64,
    "tolerance": pl.Float64,
    "ok": pl.Boolean,
}


def share_tolerance(p: float, n: int, tolerance: float, relative: bool = False) -> float:
    """The tolerance of a share measured on ``n`` draws around its target ``p``.

    Parameters
    ----------
    p
        The target share, from 0 to 1.
    n
        The number of people the share is measured on.
    tolerance
        The configured tolerance (absolute, or relative to ``p`` with ``relative``).
    relative
        ``tolerance`` (and the result) are relative to ``p``.

    Returns
    -------
    float
        ``max(tolerance, SHARE_Z * sqrt(p * (1 - p) / n))``, the second term divided by ``p`` when
        ``relative``: the configured tolerance, widened to the half-width of the binomial 99.9% interval
        where the sample is too small for it. ``n`` of 0 gives an unbounded tolerance.

    Examples
    --------
    >>> round(share_tolerance(0.405, 1_624, 0.02), 4)
    0.0401
    >>> share_tolerance(0.405, 1_000_000, 0.02)
    0.02
    """
    if n <= 0:
        return math.inf
    sampling = SHARE_Z * math.sqrt(p * (1 - p) / n)
    if relative:
        sampling = sampling / p if p else math.inf
    return max(tolerance, sampling)


def odds_tolerance(p: float, n: int, tolerance: float) -> float:
    """The relative tolerance of odds ``p / (1 - p)`` (such as women per man) measured on ``n`` draws.

    ``max(tolerance, SHARE_Z / sqrt(n * p * (1 - p)))``: the odds' relative sampling error is that of their
    logarithm, whose variance is ``1 / (n p (1 - p))``. ``n`` of 0 gives an unbounded tolerance.

    Examples
    --------
    >>> round(odds_tolerance(0.52, 30_000, 0.01), 4)
    0.038
    >>> odds_tolerance(0.52, 30_000_000, 0.01)
    0.01
    """
    if n <= 0 or not 0 < p < 1:
        return math.inf
    return max(tolerance, SHARE_Z / math.sqrt(n * p * (1 - p)))


def tvd_tolerance(p: np.ndarray, n: int, tolerance: float) -> float:
    """The tolerance of a total variation distance between ``n`` draws and their target distribution ``p``.

    Parameters
    ----------
    p
        The target distribution (shares summing to 1).
    n
        The number of draws the distance is measured on.
    tolerance
        The configured tolerance.

    Returns
    -------
    float
        ``max(tolerance, SHARE_Z / 2 * sum(sqrt(p * (1 - p) / n)))``: the configured tolerance, widened where the
        sample is small to the distance that every category at the edge of its own 99.9% interval would make
        (a bound: those edges are not all reached at once). ``n`` of 0 gives an unbounded tolerance.

    Examples
    --------
    >>> round(tvd_tolerance(np.array([0.5, 0.5]), 400, 0.02), 4)
    0.0823
    >>> tvd_tolerance(np.array([0.5, 0.5]), 10_000_000, 0.02)
    0.02
    """
    if n <= 0:
        return math.inf
    return max(tolerance, float(SHARE_Z / 2 * np.sqrt(p * (1 - p) / n).sum()))


class Checks:
    """Rows of a validation, added check by check; :meth:`frame` gives the table."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def target(
        self,
        check: str,
        scope: str,
        target: float,
        value: float,
        tolerance: float,
        relative: bool = True,
        gate: bool = True,
    ) -> None:
        """A figure against its target; with ``gate=False`` it is reported as ``info`` and never fails."""
        error = (value - target) / target if relative and target else value - target
        within = bool(abs(error) <= tolerance)
        self.rows.append(
            {
                "kind": "target" if gate else "info",
                "check": check,
                "scope": scope,
                "target": float(target),
                "value": float(value),
                "error": float(error),
                "tolerance": tolerance,
                "ok": within or not gate,
            }
        )

    def share(
        self,
        check: str,
        scope: str,
        target: float,
        value: float,
        n: int,
        tolerance: float,
        relative: bool = False,
        gate: bool = True,
    ) -> None:
        """A share of ``n`` people against its target share, within :func:`share_tolerance`."""
        self.target(check, scope, target, value, share_tolerance(target, n, tolerance, relative), relative, gate)

    def distance(
        self, check: str, scope: str, got: np.ndarray, expected: np.ndarray, tolerance: float, gate: bool = True
    ) -> None:
        """The total variation distance of the counts ``got`` from the distribution ``expected``, which must not
        exceed :func:`tvd_tolerance` (``tolerance``, widened for a small sample)."""
        p = expected / expected.sum()
        n = int(got.sum())
        self.target(check, scope, 0.0, tvd(got, p), tvd_tolerance(p, n, tolerance), relative=False, gate=gate)

    def rule(self, check: str, violations: int, scope: str = "all") -> None:
        """A count of violations of a rule, which must be zero."""
        self.rows.append(
            {
                "kind": "rule",
                "check": check,
                "scope": scope,
                "target": 0.0,
                "value": float(violations),
                "error": float(violations),
                "tolerance": 0.0,
                "ok": violations == 0,
            }
        )

    def info(self, check: str, scope: str, target: float, value: float) -> None:
        """A figure reported beside its target, never gated."""
        self.rows.append(
            {
                "kind": "info",
                "check": check,
                "scope": scope,
                "target": float(target),
                "value": float(value),
                "error": float(value - target),
                "tolerance": None,
                "ok": True,
            }
        )

    def frame(self) -> pl.DataFrame:
        """Every row added, as a table of :data:`SCHEMA`."""
        return pl.DataFrame(self.rows, schema=SCHEMA)


def tvd(a: np.ndarray, b: np.ndarray) -> float:
    """Total variation distance between two count (or share) vectors, each normalised to sum to one."""
    a = a / a.sum() if a.sum() else a
    b = b / b.sum() if b.sum() else b
    return float(0.5 * np.abs(a - b).sum())


def count_rows(lf: pl.LazyFrame) -> int:
    """The rows of a lazy frame."""
    return int(lf.select(pl.len()).collect().item())


def plan_checked(world: World) -> tuple[Preset, WorldPlan]:
    """The world's preset and plan, after checking the preset and phone plan are those it was built with.

    Raises
    ------
    WorldError
        The installed preset or phone plan differs from the one the world was built with.
    """
    spec = WorldSpec.from_dict(world.manifest["build"]["spec"])
    preset = load_preset(spec.preset)
    plan = plan_world(spec, preset)
    built, now = world.manifest["build"], spec_record(plan)
    changed = [k for k in ("preset_sha256", "phone_plan_sha256") if built.get(k) != now[k]]
    if changed:
        raise WorldError(
            f"{world.path}: built with a different {' and '.join(k.removesuffix('_sha256') for k in changed)} "
            f"than the installed '{spec.preset}'; validate it with the files it was built with, or rebuild it"
        )
    return preset, plan
