"""Population uniques under the shifted negative binomial (SNB) model, with the number of population classes
estimated by a Shlosser-type estimator.

    Chen, G. and Keller-McNulty, S. (1998). "Estimation of identification disclosure risk in microdata." *Journal of
    Official Statistics* 14(1), 79-95. Each of the ``K`` population classes has size ``F = 1 + X`` with
    ``X ~ NegBin(alpha, beta)``, ``P(F = j) = C(j+alpha-2, j-1) beta^alpha (1-beta)^(j-1)``; the sample takes each
    person independently with probability ``pi``. Writing ``D = (1-pi)(1-beta)``, the expected numbers of sample
    classes of size one and two are
    ``E[s_1] = K pi (beta/(1-D))^alpha (1 + alpha D/(1-D))`` and
    ``E[s_2] = K alpha beta^alpha pi^2 (1-beta) (2 - (1-alpha) D) / (2 (1-D)^(alpha+2))``.
    ``(alpha, beta)`` solve ``E[s_1] = s_1`` and ``E[s_2] = s_2``; the population uniques are
    ``K P(F=1) = K beta^alpha``. ``K`` is estimated, as in Dankar et al. (2012) and the ARX tool, by the
    Shlosser-type estimator of Haas, Naughton, Seshadri and Stokes (1995), "Sampling-based estimation of the number
    of distinct values of an attribute", *Proc. 21st VLDB*, 311-322:
    ``K = u + s_1 * [sum_j j pi^2 (1-pi^2)^(j-1) s_j / sum_j (1-pi)^j ((1+pi)^j - 1) s_j]
    * [sum_j (1-pi)^j s_j / sum_j j pi (1-pi)^(j-1) s_j]^2``.
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


def shlosser_classes(class_sizes: np.ndarray, population_size: int) -> float:
    """Estimated number ``K`` of non-empty population classes (Haas et al. 1995 Shlosser-type estimator).

    Parameters
    ----------
    class_sizes
        The sample's equivalence-class sizes (one positive integer per class).
    population_size
        ``N``, the public population size; at least the number of released rows.

    Returns
    -------
    float
        ``u + s_1 [sum_j j pi^2 (1-pi^2)^(j-1) s_j / sum_j (1-pi)^j ((1+pi)^j - 1) s_j]
        [sum_j (1-pi)^j s_j / sum_j j pi (1-pi)^(j-1) s_j]^2``; equals ``u`` when ``pi = 1``.

    Raises
    ------
    SpecError
        On an empty sample, a non-positive class size or population size, or a population smaller than the sample.
    """
    return _shlosser(sample_of(class_sizes, population_size))


def _shlosser(sample: Sample) -> float:
    q, j, s = sample.fraction, sample.sizes, sample.counts
    if q >= 1.0:
        return float(sample.classes)
    # (1-q)^j ((1+q)^j - 1) written as (1-q^2)^j - (1-q)^j, which cannot overflow for large classes
    first = float((j * q**2 * (1.0 - q**2) ** (j - 1.0) * s).sum()) / float(
        (((1.0 - q**2) ** j - (1.0 - q) ** j) * s).sum()
    )
    second = float(((1.0 - q) ** j * s).sum()) / float((j * q * (1.0 - q) ** (j - 1.0) * s).sum())
    return sample.classes + sample.count_of(1) * first * second**2


def snb_expected_counts(classes: float, fraction: float, alpha: float, beta: float) -> tuple[float, float]:
    """Expected numbers of sample classes of size one and two under the SNB model (Chen & Keller-McNulty 1998).

    Parameters
    ----------
    classes
        ``K``, the number of non-empty population classes.
    fraction
        ``pi``, the chance each person is in the sample.
    alpha, beta
        Negative binomial parameters of ``F - 1``, ``alpha > 0`` and ``0 < beta < 1``.

    Returns
    -------
    tuple of float
        ``(E[s_1], E[s_2])`` with ``D = (1-pi)(1-beta)``:
        ``E[s_1] = K pi (beta/(1-D))^alpha (1 + alpha D/(1-D))`` and
        ``E[s_2] = K alpha beta^alpha pi^2 (1-beta) (2 - (1-alpha) D) / (2 (1-D)^(alpha+2))``.
    """
    d = (1.0 - fraction) * (1.0 - beta)
    one = classes * fraction * (beta / (1.0 - d)) ** alpha * (1.0 + alpha * d / (1.0 - d))
    two = (
        classes
        * alpha
        * beta**alpha
        * fraction**2
        * (1.0 - beta)
        * (2.0 - (1.0 - alpha) * d)
        / (2.0 * (1.0 - d) ** (alpha + 2.0))
    )
    return one, two


def _snb_fit(sample: Sample, classes: float) -> tuple[float, float, bool]:
    s1, s2 = sample.count_of(1), sample.count_of(2)
    if s1 <= 0.0 or s2 <= 0.0 or not math.isfinite(classes):
        return math.nan, math.nan, False  # the two moment equations need sample uniques and doubles
    fraction = sample.fraction
    target = np.log([s1, s2])

    def equations(z: FloatArray) -> FloatArray:
        alpha, beta = math.exp(float(z[0])), float(special.expit(z[1]))
        if beta <= 0.0 or beta >= 1.0:
            return np.array([1e6, 1e6])
        one, two = snb_expected_counts(classes, fraction, alpha, beta)
        if not (one > 0.0 and two > 0.0):
            return np.array([1e6, 1e6])
        return np.log([one, two]) - target

    with np.errstate(all="ignore"):
        for alpha0 in (1.0, 0.1, 10.0):  # a few fixed starts: the system is small and the result deterministic
            for beta0 in (0.5, 0.05, 0.9):
                root = optimize.root(equations, np.array([math.log(alpha0), special.logit(beta0)]), method="hybr")
                alpha, beta = math.exp(float(root.x[0])), float(special.expit(root.x[1]))
                if root.success and 0.0 < beta < 1.0 and np.all(np.abs(equations(root.x)) <= RELATIVE_TOL):
                    return alpha, beta, True
    return math.nan, math.nan, False


def snb(class_sizes: np.ndarray, population_size: int) -> UniquenessEstimate:
    """Population uniques under the shifted negative binomial model (Chen & Keller-McNulty 1998).

    Parameters
    ----------
    class_sizes
        The sample's equivalence-class sizes (one positive integer per class).
    population_size
        ``N``, the public population size; at least the number of released rows.

    Returns
    -------
    UniquenessEstimate
        ``K beta^alpha`` with ``K`` from :func:`shlosser_classes` and ``(alpha, beta)`` solving
        ``E[s_1] = s_1``, ``E[s_2] = s_2`` (:func:`snb_expected_counts`). ``converged`` is False when the sample has
        no uniques or no doubles, or the equations have no root with ``alpha > 0`` and ``0 < beta < 1``.

    Raises
    ------
    SpecError
        On an empty sample, a non-positive class size or population size, or a population smaller than the sample.
    """
    sample = sample_of(class_sizes, population_size)
    classes = _shlosser(sample)
    alpha, beta, converged = _snb_fit(sample, classes)
    uniques = classes * beta**alpha if converged else math.nan
    return make_estimate("snb", uniques, sample, converged, {"alpha": alpha, "beta": beta, "classes": classes})
