"""Population uniques under Pitman's sampling formula, fitted by maximum likelihood.

Hoshino, N. (2001). "Applying Pitman's sampling formula to microdata disclosure risk assessment." *Journal of
Official Statistics* 17(4), 499-520; the formula is Pitman, J. (1995), "Exchangeable and partially exchangeable
random partitions", *Probability Theory and Related Fields* 102, 145-158. The sample's frequency-of-frequencies
has probability ``n! prod_{i=1}^{u-1}(theta + i alpha) / (theta+1)^[n-1] * prod_j ((1-alpha)^[j-1] / j!)^{s_j}
/ s_j!`` with ``x^[m] = x (x+1) ... (x+m-1)``, ``0 < alpha < 1``, ``theta > -alpha``. ``(theta, alpha)`` are the
maximum-likelihood estimates, the root of the two likelihood equations
``sum_{i=1}^{u-1} 1/(theta + i alpha) = sum_{i=1}^{n-1} 1/(theta + i)`` and
``sum_{i=1}^{u-1} i/(theta + i alpha) = sum_j s_j sum_{k=1}^{j-1} 1/(k - alpha)``. Because the partition is
consistent under random sub-sampling, the population of ``N`` follows the same formula, and the expected number
of its uniques is ``E[S_1] = N (theta+alpha)^[N-1] / (theta+1)^[N-1]``, whose large-``N`` form is
``Gamma(theta+1) / Gamma(theta+alpha) * N^alpha`` (the form the ARX tool evaluates). The fit fails when the
likelihood has no stationary point with ``0 < alpha < 1`` (for example when the sample's classes are more even
than any Pitman partition allows); the estimate then reports ``converged=False``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special  # type: ignore[import-untyped]

from synth.measure.uniqueness_sample import (
    RELATIVE_TOL,
    FloatArray,
    Sample,
    UniquenessEstimate,
    make_estimate,
    sample_of,
)


def _pitman_loglik(theta: float, alpha: float, sample: Sample, i: FloatArray) -> float:
    """log L(theta, alpha) up to a constant (Hoshino 2001, Pitman's sampling formula)."""
    first = float(np.log(theta + i * alpha).sum())  # sum_{i=1}^{u-1} log(theta + i alpha)
    second = float(special.gammaln(theta + sample.rows) - special.gammaln(theta + 1.0))  # log (theta+1)^[n-1]
    third = float((sample.counts * (special.gammaln(sample.sizes - alpha) - special.gammaln(1.0 - alpha))).sum())
    return first - second + third


def _pitman_score(theta: float, alpha: float, sample: Sample, i: FloatArray) -> tuple[float, float]:
    """The two likelihood equations' left minus right sides: (d/dtheta, d/dalpha) of log L."""
    inv = 1.0 / (theta + i * alpha)
    d_theta = float(inv.sum()) - float(special.digamma(theta + sample.rows) - special.digamma(theta + 1.0))
    harmonic = special.digamma(sample.sizes - alpha) - special.digamma(1.0 - alpha)  # sum_{k=1}^{j-1} 1/(k-alpha)
    d_alpha = float((i * inv).sum()) - float((sample.counts * harmonic).sum())
    return d_theta, d_alpha


def _pitman_hessian(theta: float, alpha: float, sample: Sample, i: FloatArray) -> FloatArray:
    inv2 = 1.0 / (theta + i * alpha) ** 2
    tt = -float(inv2.sum()) + float(special.polygamma(1, theta + 1.0) - special.polygamma(1, theta + sample.rows))
    ta = -float((i * inv2).sum())
    trigamma = special.polygamma(1, 1.0 - alpha) - special.polygamma(1, sample.sizes - alpha)
    aa = -float((i * i * inv2).sum()) - float((sample.counts * trigamma).sum())
    return np.array([[tt, ta], [ta, aa]])


def _pitman_fit(sample: Sample) -> tuple[float, float, bool]:
    """Maximum-likelihood (theta, alpha); False when there is no interior stationary point with 0 < alpha < 1."""
    u = sample.classes
    if u < 2 or u == sample.rows:
        return math.nan, math.nan, False  # one class, or all classes unique: the likelihood has no finite maximum
    i = np.arange(1, u, dtype=np.float64)

    def unpack(z: FloatArray) -> tuple[float, float]:
        alpha = float(special.expit(z[0]))
        return math.exp(z[1]) - alpha, alpha  # theta > -alpha, 0 < alpha < 1

    def objective(z: FloatArray) -> tuple[float, FloatArray]:
        theta, alpha = unpack(z)
        if not (0.0 < alpha < 1.0) or theta + alpha <= 0.0:
            return math.inf, np.zeros(2)
        d_theta, d_alpha = _pitman_score(theta, alpha, sample, i)
        # chain rule through alpha = expit(z0), theta = exp(z1) - alpha
        g0 = (d_alpha - d_theta) * alpha * (1.0 - alpha)
        g1 = d_theta * (theta + alpha)
        return -_pitman_loglik(theta, alpha, sample, i), -np.array([g0, g1])

    start = np.array([0.0, math.log(1.0 + u * u / sample.rows)])  # alpha 0.5, theta near the Ewens scale u^2/n
    with np.errstate(all="ignore"):
        coarse = optimize.minimize(objective, start, jac=True, method="BFGS", options={"gtol": 1e-10, "maxiter": 500})
        theta, alpha = unpack(coarse.x)

        def equations(x: FloatArray) -> tuple[FloatArray, FloatArray]:
            t, a = float(x[0]), float(x[1])
            if not (0.0 < a < 1.0) or t + a <= 0.0:
                return np.array([1e6, 1e6]), np.eye(2)
            return np.array(_pitman_score(t, a, sample, i)), _pitman_hessian(t, a, sample, i)

        root = optimize.root(equations, np.array([theta, alpha]), jac=True, method="hybr")
    theta, alpha = float(root.x[0]), float(root.x[1])
    if not (root.success and 0.0 < alpha < 1.0 and theta + alpha > 0.0):
        return theta, alpha, False
    d_theta, d_alpha = _pitman_score(theta, alpha, sample, i)
    scale_t = float((1.0 / (theta + i * alpha)).sum())
    scale_a = float((i / (theta + i * alpha)).sum())
    solved = abs(d_theta) <= RELATIVE_TOL * scale_t and abs(d_alpha) <= RELATIVE_TOL * scale_a
    maximum = bool(np.all(np.linalg.eigvalsh(_pitman_hessian(theta, alpha, sample, i)) < 0.0))
    return theta, alpha, solved and maximum


def pitman_population_uniques(theta: float, alpha: float, population_size: int) -> float:
    """Expected number of uniques in a population of ``N`` under Pitman's sampling formula (Hoshino 2001).

    Parameters
    ----------
    theta, alpha
        Pitman parameters, ``0 <= alpha < 1`` and ``theta > -alpha``.
    population_size
        ``N``, the number of people in the population.

    Returns
    -------
    float
        ``E[S_1] = N (theta+alpha)^[N-1] / (theta+1)^[N-1]``, evaluated as
        ``N exp(B(theta+alpha+N-1, 1-alpha) - B(theta+alpha, 1-alpha))`` with ``B`` the log Beta function (exact,
        and free of the overflow of the rising factorials). For large ``N`` it tends to
        ``Gamma(theta+1)/Gamma(theta+alpha) N^alpha``.
    """
    b = 1.0 - alpha
    log_ratio = special.betaln(theta + alpha + population_size - 1.0, b) - special.betaln(theta + alpha, b)
    return float(population_size * math.exp(float(log_ratio)))


def pitman(class_sizes: np.ndarray, population_size: int) -> UniquenessEstimate:
    """Population uniques under Pitman's sampling formula, parameters fitted by maximum likelihood (Hoshino 2001).

    Parameters
    ----------
    class_sizes
        The sample's equivalence-class sizes (one positive integer per class).
    population_size
        ``N``, the public population size; at least the number of released rows.

    Returns
    -------
    UniquenessEstimate
        The estimated number of population uniques and its share of ``N``; ``converged`` is False (and the numbers
        NaN) when the likelihood equations have no root with ``0 < alpha < 1`` and ``theta > -alpha`` that is a
        maximum, or when the sample has fewer than two classes or no class larger than one.

    Raises
    ------
    SpecError
        On an empty sample, a non-positive class size or population size, or a population smaller than the sample.
    """
    sample = sample_of(class_sizes, population_size)
    theta, alpha, converged = _pitman_fit(sample)
    uniques = pitman_population_uniques(theta, alpha, sample.population) if converged else math.nan
    return make_estimate("pitman", uniques, sample, converged, {"theta": theta, "alpha": alpha})
