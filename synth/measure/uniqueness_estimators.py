"""Population uniqueness estimated from a released sample alone, as the disclosure-control literature does it.

A synthetic world knows its TRUE number of population uniques (people whose combination of the declared
quasi-identifiers nobody else in the population shares). A real data holder does not: they hold only the released
sample and the public population size ``N`` (for example the census count). The estimators here are the ones
that literature uses to guess the truth from the sample; the project prints them next to the truth.

Every estimator returns the **number of population uniques** (equivalence classes of size one in the population of
``N`` people, coded like the release) and, as ``share``, that number divided by ``N`` (the proportion of the whole
population that is unique; not a proportion of the sample).

Notation (Dankar et al. 2012, appendix A): ``n`` released rows, ``N`` people in the population, sampling fraction
``pi = n / N``; ``u`` equivalence classes in the sample; ``s_j`` (``f_j`` in :func:`frequency_of_frequencies`) the
number of sample classes of size ``j``; ``K`` the number of non-empty classes in the population.

Sources
-------
Pitman
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
Zayatz
    Zayatz, L. V. (1991). "Estimation of the percent of unique population elements on a microdata file using the
    sample." Statistical Research Division Report Series RR-91/08, U.S. Bureau of the Census; as restated by
    Dankar et al. (2012, appendix A). Bayes' rule gives the chance that a sample unique is a population unique,
    ``P(F=1 | f=1) = p_1 P(f=1 | F=1) / sum_j p_j P(f=1 | F=j)``, with ``p_j`` (the share of population classes
    of size ``j``) estimated from the sample as ``s_j / u`` and ``P(f=1 | F=j)`` hypergeometric (``n`` drawn from
    ``N`` of which ``j`` are in the class). The number of population uniques is ``s_1 P(F=1 | f=1) N / n``.
SNB (shifted negative binomial)
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
Dankar's rule
    Dankar, F. K., El Emam, K., Neisa, A. and Roffey, T. (2012). "Estimating the re-identification risk of
    clinical data sets." *BMC Medical Informatics and Decision Making* 12:66. For a sampling fraction of at most
    10 %, use Pitman, or Zayatz when the Pitman fit does not converge; above 10 %, use the smaller of the Zayatz and
    SNB estimates, or Zayatz when the SNB fit does not converge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import numpy as np
from scipy import optimize, special, stats  # type: ignore[import-untyped]

from synth.errors import SpecError
from synth.measure.relational import key_counts

ESTIMATORS = ("pitman", "zayatz", "snb", "dankar")
DANKAR_THRESHOLD = 0.1  # Dankar et al. (2012): Pitman at or below a 10 % sampling fraction, Zayatz/SNB above
_RELATIVE_TOL = 1e-8  # how closely a fitted root must satisfy its equations to count as converged

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class UniquenessEstimate:
    """One estimate of the number of population uniques, made from the sample alone.

    Attributes
    ----------
    estimator
        ``"pitman"``, ``"zayatz"``, ``"snb"`` or ``"dankar"``.
    population_uniques
        Estimated number of people in the population of ``N`` whose quasi-identifier combination nobody else in the
        population shares (classes of size one). NaN when the fit did not converge.
    share
        ``population_uniques / N``: the estimated proportion of the whole population that is unique (not of the
        sample). NaN when the fit did not converge.
    converged
        Whether the model's equations were solved inside the model's parameter space and gave a count in
        ``[0, N]``. Zayatz is closed-form and always converges; Dankar's rule converges when the estimator it picks
        did.
    chosen
        For ``"dankar"``, the estimator the rule picked (``"pitman"``, ``"zayatz"`` or ``"snb"``); otherwise None.
    parameters
        The fitted model parameters (Pitman: ``theta``, ``alpha``; SNB: ``alpha``, ``beta``, ``classes`` = K;
        Zayatz: ``p_unique_given_sample_unique``) and ``sampling_fraction``.
    """

    estimator: str
    population_uniques: float
    share: float
    converged: bool
    chosen: str | None = None
    parameters: dict[str, float] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class _Sample:
    """The sample's frequency-of-frequencies: distinct class sizes ``j`` and how many classes ``s_j`` have each."""

    sizes: FloatArray  # distinct j, ascending
    counts: FloatArray  # s_j
    rows: int  # n
    population: int  # N

    @property
    def classes(self) -> int:
        return int(self.counts.sum())

    @property
    def fraction(self) -> float:
        return self.rows / self.population

    def count_of(self, size: int) -> float:
        hit = self.sizes == size
        return float(self.counts[hit].sum())


def _validated_sizes(class_sizes: Any) -> IntArray:
    sizes = np.asarray(class_sizes)
    if sizes.ndim != 1:
        raise SpecError(f"class_sizes has shape {sizes.shape}: it must be a one-dimensional array of class sizes")
    if sizes.size == 0:
        raise SpecError("class_sizes is empty: the sample must hold at least one equivalence class (one released row)")
    if not (np.issubdtype(sizes.dtype, np.integer) or np.issubdtype(sizes.dtype, np.floating)):
        raise SpecError(f"class_sizes has dtype {sizes.dtype}: class sizes must be positive integers")
    bad = np.flatnonzero(~np.isfinite(sizes) | (sizes < 1) | (sizes != np.floor(sizes)))
    if bad.size:
        at = int(bad[0])
        raise SpecError(
            f"class_sizes holds {sizes[at].item()!r} at position {at}: every equivalence class size must be a positive "
            "integer (1 or more)"
        )
    return sizes.astype(np.int64)


def frequency_of_frequencies(class_sizes: np.ndarray) -> np.ndarray:
    """Count the equivalence classes of each size.

    Parameters
    ----------
    class_sizes
        One entry per equivalence class of the sample: how many released rows share that combination of the
        quasi-identifiers. Every entry must be a positive integer.

    Returns
    -------
    numpy.ndarray
        ``f`` of length ``max(class_sizes) + 1`` with ``f[j]`` the number of classes of size ``j`` (``f[0]`` is 0),
        so ``f[1]`` is the number of sample uniques and ``sum(j * f[j])`` the number of released rows.

    Raises
    ------
    SpecError
        If ``class_sizes`` is empty, not one-dimensional, or holds a size that is not a positive integer.
    """
    return np.bincount(_validated_sizes(class_sizes))


def _sample(class_sizes: np.ndarray, population_size: int) -> _Sample:
    sizes = _validated_sizes(class_sizes)
    if isinstance(population_size, bool) or not isinstance(population_size, (int, np.integer)):
        raise SpecError(f"population_size {population_size!r} is not allowed: it must be a positive integer")
    if population_size < 1:
        raise SpecError(f"population_size {population_size} is not allowed: it must be a positive integer")
    rows = int(sizes.sum())
    if population_size < rows:
        raise SpecError(
            f"population_size {population_size} is smaller than the sample ({rows} rows): it must be at least the "
            "number of released rows"
        )
    freq = np.bincount(sizes)
    distinct = np.flatnonzero(freq)
    return _Sample(
        sizes=distinct.astype(np.float64),
        counts=freq[distinct].astype(np.float64),
        rows=rows,
        population=int(population_size),
    )


def _estimate(
    name: str, uniques: float, sample: _Sample, converged: bool, parameters: dict[str, float]
) -> UniquenessEstimate:
    usable = converged and math.isfinite(uniques) and 0.0 <= uniques <= sample.population
    value = float(uniques) if usable else math.nan
    return UniquenessEstimate(
        estimator=name,
        population_uniques=value,
        share=value / sample.population,
        converged=usable,
        parameters={**parameters, "sampling_fraction": sample.fraction},
    )


# --------------------------------------------------------------------------------------------------------- Pitman


def _pitman_loglik(theta: float, alpha: float, sample: _Sample, i: FloatArray) -> float:
    """log L(theta, alpha) up to a constant (Hoshino 2001, Pitman's sampling formula)."""
    first = float(np.log(theta + i * alpha).sum())  # sum_{i=1}^{u-1} log(theta + i alpha)
    second = float(special.gammaln(theta + sample.rows) - special.gammaln(theta + 1.0))  # log (theta+1)^[n-1]
    third = float((sample.counts * (special.gammaln(sample.sizes - alpha) - special.gammaln(1.0 - alpha))).sum())
    return first - second + third


def _pitman_score(theta: float, alpha: float, sample: _Sample, i: FloatArray) -> tuple[float, float]:
    """The two likelihood equations' left minus right sides: (d/dtheta, d/dalpha) of log L."""
    inv = 1.0 / (theta + i * alpha)
    d_theta = float(inv.sum()) - float(special.digamma(theta + sample.rows) - special.digamma(theta + 1.0))
    harmonic = special.digamma(sample.sizes - alpha) - special.digamma(1.0 - alpha)  # sum_{k=1}^{j-1} 1/(k-alpha)
    d_alpha = float((i * inv).sum()) - float((sample.counts * harmonic).sum())
    return d_theta, d_alpha


def _pitman_hessian(theta: float, alpha: float, sample: _Sample, i: FloatArray) -> FloatArray:
    inv2 = 1.0 / (theta + i * alpha) ** 2
    tt = -float(inv2.sum()) + float(special.polygamma(1, theta + 1.0) - special.polygamma(1, theta + sample.rows))
    ta = -float((i * inv2).sum())
    trigamma = special.polygamma(1, 1.0 - alpha) - special.polygamma(1, sample.sizes - alpha)
    aa = -float((i * i * inv2).sum()) - float((sample.counts * trigamma).sum())
    return np.array([[tt, ta], [ta, aa]])


def _pitman_fit(sample: _Sample) -> tuple[float, float, bool]:
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
    solved = abs(d_theta) <= _RELATIVE_TOL * scale_t and abs(d_alpha) <= _RELATIVE_TOL * scale_a
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
    sample = _sample(class_sizes, population_size)
    theta, alpha, converged = _pitman_fit(sample)
    uniques = pitman_population_uniques(theta, alpha, sample.population) if converged else math.nan
    return _estimate("pitman", uniques, sample, converged, {"theta": theta, "alpha": alpha})


# --------------------------------------------------------------------------------------------------------- Zayatz


def zayatz(class_sizes: np.ndarray, population_size: int) -> UniquenessEstimate:
    """Population uniques by Zayatz's (1991) equivalence-class model.

    Parameters
    ----------
    class_sizes
        The sample's equivalence-class sizes (one positive integer per class).
    population_size
        ``N``, the public population size; at least the number of released rows.

    Returns
    -------
    UniquenessEstimate
        ``s_1 P(F=1 | f=1) N / n`` with ``P(F=1 | f=1) = p_1 h(1) / sum_j p_j h(j)``, ``p_j = s_j / u`` and ``h(j)``
        the hypergeometric probability that a population class of size ``j`` leaves exactly one row in a sample of
        ``n`` drawn from ``N``. Always converges (closed form); 0 when the sample has no uniques.

    Raises
    ------
    SpecError
        On an empty sample, a non-positive class size or population size, or a population smaller than the sample.
    """
    sample = _sample(class_sizes, population_size)
    p = sample.counts / sample.classes  # p_j estimated by the sample's share of classes of size j
    h = stats.hypergeom.pmf(1, sample.population, sample.sizes.astype(np.int64), sample.rows)  # P(f=1 | F=j)
    h_one = stats.hypergeom.pmf(1, sample.population, 1, sample.rows)  # = n / N
    posterior = float(sample.count_of(1) / sample.classes * h_one / float((p * h).sum()))  # P(F=1 | f=1)
    uniques = sample.count_of(1) * posterior * sample.population / sample.rows
    return _estimate("zayatz", uniques, sample, True, {"p_unique_given_sample_unique": posterior})


# ------------------------------------------------------------------------------------------------------------ SNB


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
    return _shlosser(_sample(class_sizes, population_size))


def _shlosser(sample: _Sample) -> float:
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


def _snb_fit(sample: _Sample, classes: float) -> tuple[float, float, bool]:
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
                if root.success and 0.0 < beta < 1.0 and np.all(np.abs(equations(root.x)) <= _RELATIVE_TOL):
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
    sample = _sample(class_sizes, population_size)
    classes = _shlosser(sample)
    alpha, beta, converged = _snb_fit(sample, classes)
    uniques = classes * beta**alpha if converged else math.nan
    return _estimate("snb", uniques, sample, converged, {"alpha": alpha, "beta": beta, "classes": classes})


# --------------------------------------------------------------------------------------------------------- Dankar


def dankar_rule(
    sampling_fraction: float, pitman: UniquenessEstimate, zayatz: UniquenessEstimate, snb: UniquenessEstimate
) -> UniquenessEstimate:
    """Pick one estimate by the decision rule of Dankar, El Emam, Neisa and Roffey (2012).

    Parameters
    ----------
    sampling_fraction
        ``pi = n / N``.
    pitman, zayatz, snb
        The three estimates of the same sample.

    Returns
    -------
    UniquenessEstimate
        Named ``"dankar"``, with ``chosen`` the estimator picked: at ``pi <= 0.1`` Pitman if it converged, else
        Zayatz; above, Zayatz if the SNB fit did not converge, else whichever of Zayatz and SNB is smaller (Zayatz on
        a tie). Its numbers are the chosen estimate's.
    """
    if sampling_fraction <= DANKAR_THRESHOLD:
        pick = pitman if pitman.converged else zayatz
    elif not snb.converged:
        pick = zayatz
    else:
        pick = zayatz if zayatz.population_uniques <= snb.population_uniques else snb
    return UniquenessEstimate(
        estimator="dankar",
        population_uniques=pick.population_uniques,
        share=pick.share,
        converged=pick.converged,
        chosen=pick.estimator,
        parameters=dict(pick.parameters),
    )


def estimate_all(class_sizes: np.ndarray, population_size: int) -> dict[str, UniquenessEstimate]:
    """Every estimator of the number of population uniques, from the sample's class sizes and ``N``.

    Parameters
    ----------
    class_sizes
        The sample's equivalence-class sizes: how many released rows share each combination of the declared
        quasi-identifiers (see :func:`class_sizes`).
    population_size
        ``N``, the public population size (for example the census count); the sampling fraction is ``n / N``.

    Returns
    -------
    dict of str to UniquenessEstimate
        Keys ``pitman``, ``zayatz``, ``snb`` and ``dankar``. Each holds the estimated number of population uniques
        (classes of size one among the ``N`` people) and that number as a proportion of ``N``.

    Raises
    ------
    SpecError
        On an empty sample, a non-positive class size or population size, or a population smaller than the sample.
    """
    sample = _sample(class_sizes, population_size)
    sizes = np.repeat(sample.sizes.astype(np.int64), sample.counts.astype(np.int64))
    out = {
        "pitman": pitman(sizes, sample.population),
        "zayatz": zayatz(sizes, sample.population),
        "snb": snb(sizes, sample.population),
    }
    out["dankar"] = dankar_rule(sample.fraction, out["pitman"], out["zayatz"], out["snb"])
    return out


# ----------------------------------------------------------------------------------------------- from dataframes


def _count_column(keys: Sequence[str]) -> str:
    name = "class_size"
    while name in keys:
        name = f"_{name}"
    return name


def class_sizes(frame: Any, keys: Sequence[str]) -> np.ndarray:
    """Equivalence-class sizes of any dataframe Narwhals reads (Polars eager or lazy, pandas, ...).

    Parameters
    ----------
    frame
        A native dataframe: the released sample, or the population coded like the release.
    keys
        The declared quasi-identifier columns. Rows with a null key form their own class (one per null pattern).

    Returns
    -------
    numpy.ndarray
        One int64 per distinct combination of ``keys``: how many rows share it, via
        :func:`synth.measure.relational.key_counts`. Order is unspecified.

    Raises
    ------
    SpecError
        If ``keys`` is empty.
    """
    keys = list(keys)
    if not keys:
        raise SpecError("keys is empty: name at least one quasi-identifier column to group the rows by")
    name = _count_column(keys)
    counts: Any = nw.from_native(key_counts(frame, keys, name))
    if isinstance(counts, nw.LazyFrame):
        counts = counts.collect()
    return np.asarray(counts.get_column(name).to_numpy(), dtype=np.int64)


def true_population_uniques(population: Any, keys: Sequence[str]) -> int:
    """The TRUE number of population uniques: classes of size one in the full population table.

    Parameters
    ----------
    population
        Every person in the population, with ``keys`` coded exactly as the release codes them.
    keys
        The declared quasi-identifier columns.

    Returns
    -------
    int
        How many people share their combination of ``keys`` with nobody else, computed by the same
        :func:`class_sizes` path as the sample side.
    """
    return int((class_sizes(population, keys) == 1).sum())
