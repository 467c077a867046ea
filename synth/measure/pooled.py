"""One figure and one interval from a scenario's seeds, by Rubin's rules for combining estimates.

A scenario repeats each policy and attack over its seeds (a new export order, new salts, tokens, noise,
synthetic rows and attacker draws). Each seed gives an estimate with its own 95% interval, which covers
only the sampling error of that seed. Taking the mean and the widest of the seeds' intervals hides how
much the seeds disagree; the pooled interval adds that disagreement to the seeds' own uncertainty, as
Rubin's rules do for multiply imputed data.

For the ``m`` seeds of one (policy, attack, group, measure), with values ``v_i`` and intervals
``[low_i, high_i]``:

* the value is the mean ``v = mean(v_i)``;
* each seed's variance is read off its interval, ``u_i = ((high_i - low_i) / (2 * 1.959964))**2`` (the
  squared standard error of a symmetric normal 95% interval), and the within-seed variance is their
  mean, ``W = mean(u_i)`` (over the seeds that have an interval);
* the between-seed variance is the sample variance of the values, ``B = sum((v_i - v)**2) / (m - 1)``;
* the total variance is ``T = W + (1 + 1/m) * B``;
* the interval is ``v -/+ t * sqrt(T)``, ``t`` the 97.5% quantile of Student's t with Rubin's degrees of
  freedom ``nu = (m - 1) * (1 + W / ((1 + 1/m) * B))**2``, or the normal 1.959964 when ``B = 0`` (the
  seeds agree, and ``nu`` is infinite);
* for a share (every value and every bound of the seeds within [0, 1]) the interval is clipped to
  [0, 1]; other measures (counts, seconds) are not clipped.

Where no seed has an interval, the pooled interval is null too (a count has no sampling interval here,
and the spread of the values alone is not given one). A single seed is returned as it is: its value and
its own interval. The interval treats each seed's interval as symmetric; a Wilson interval near 0 or 1
is not, so near the edges the pooled interval is an approximation (and clipped).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.measure.results import KEYS, POOLED_SCHEMA
from synth.scoring.stats import Z95


def _within_unit(column: str) -> pl.Expr:
    return pl.col(column).is_null() | pl.col(column).is_between(0.0, 1.0)


def rubin_degrees_of_freedom(m: np.ndarray, within: np.ndarray, between: np.ndarray) -> np.ndarray:
    """Rubin's degrees of freedom ``(m - 1) * (1 + W / ((1 + 1/m) * B))**2`` (infinite where ``B = 0``).

    Parameters
    ----------
    m
        Number of estimates (seeds), each at least 2.
    within, between
        Within- and between-seed variances ``W`` and ``B``.

    Returns
    -------
    numpy.ndarray
        The degrees of freedom, ``inf`` where ``B`` is 0.
    """
    inflated = (1 + 1 / m) * between
    with np.errstate(divide="ignore", invalid="ignore"):
        nu = (m - 1) * (1 + within / inflated) ** 2
    return np.where(inflated > 0, nu, np.inf)


def pool_seeds(results: pl.DataFrame) -> pl.DataFrame:
    """Pool the seeds of every (policy, attack, group, measure) into one value and one 95% interval.

    Parameters
    ----------
    results
        The tidy results of a run: ``scenario``, ``seed``, ``policy``, ``attack``, ``group``, ``measure``,
        ``value``, ``ci_low`` and ``ci_high`` (the interval may be null), one row per seed.

    Returns
    -------
    polars.DataFrame
        One row per (policy, attack, group, measure), in the order they first appear: ``value`` (the mean
        over the seeds), ``ci_low`` and ``ci_high`` (the pooled interval of the module's description; null
        where no seed has an interval) and ``seeds`` (how many seeds were pooled).

    Examples
    --------
    >>> rows = pl.DataFrame({"scenario": "s", "seed": [1, 2], "policy": "p", "attack": "a", "group": "all",
    ...                      "measure": "recall", "value": [0.2, 0.4], "ci_low": [0.1, 0.3], "ci_high": [0.3, 0.5]})
    >>> pooled = pool_seeds(rows)
    >>> round(pooled["value"][0], 4), pooled["seeds"][0]
    (0.3, 2)
    """
    from scipy import stats  # type: ignore[import-untyped]  # imported here: the report's import stays light

    data = results.with_columns(pl.col("value", "ci_low", "ci_high").cast(pl.Float64))
    half = (pl.col("ci_high") - pl.col("ci_low")) / (2 * Z95)
    summary = data.group_by(KEYS, maintain_order=True).agg(
        seeds=pl.len().cast(pl.UInt32),
        value=pl.col("value").mean(),
        within=(half**2).mean(),  # null where no seed has an interval
        between=pl.col("value").var(ddof=1).fill_null(0.0),
        share=(pl.col("value").is_between(0.0, 1.0) & _within_unit("ci_low") & _within_unit("ci_high")).all(),
        one_value=pl.col("value").first(),
        one_low=pl.col("ci_low").first(),
        one_high=pl.col("ci_high").first(),
    )
    m = summary["seeds"].cast(pl.Float64).to_numpy()
    within = summary["within"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    between = summary["between"].to_numpy()
    value = summary["value"].to_numpy()
    nu = rubin_degrees_of_freedom(np.maximum(m, 2), within, between)
    t = np.where(np.isfinite(nu), stats.t.ppf(0.975, np.where(np.isfinite(nu), nu, 1.0)), Z95)
    spread = t * np.sqrt(within + (1 + 1 / m) * between)
    share = summary["share"].to_numpy()
    low = np.where(share, np.clip(value - spread, 0.0, 1.0), value - spread)
    high = np.where(share, np.clip(value + spread, 0.0, 1.0), value + spread)
    single = pl.col("seeds") == 1
    pooled = summary.with_columns(
        pooled_low=pl.Series(low, dtype=pl.Float64).fill_nan(None),
        pooled_high=pl.Series(high, dtype=pl.Float64).fill_nan(None),
    )
    return pooled.select(
        *KEYS,
        value=pl.when(single).then(pl.col("one_value")).otherwise(pl.col("value")),
        ci_low=pl.when(single).then(pl.col("one_low")).otherwise(pl.col("pooled_low")),
        ci_high=pl.when(single).then(pl.col("one_high")).otherwise(pl.col("pooled_high")),
        seeds="seeds",
    ).cast(POOLED_SCHEMA)  # type: ignore[arg-type]
