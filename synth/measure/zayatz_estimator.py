"""Population uniques by Zayatz's equivalence-class model (closed form).

Zayatz, L. V. (1991). "Estimation of the percent of unique population elements on a microdata file using the
sample." Statistical Research Division Report Series RR-91/08, U.S. Bureau of the Census; as restated by
Dankar et al. (2012, appendix A). Bayes' rule gives the chance that a sample unique is a population unique,
``P(F=1 | f=1) = p_1 P(f=1 | F=1) / sum_j p_j P(f=1 | F=j)``, with ``p_j`` (the share of population classes
of size ``j``) estimated from the sample as ``s_j / u`` and ``P(f=1 | F=j)`` hypergeometric (``n`` drawn from
``N`` of which ``j`` are in the class). The number of population uniques is ``s_1 P(F=1 | f=1) N / n``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from synth.measure.uniqueness_sample import UniquenessEstimate, make_estimate, sample_of


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
    sample = sample_of(class_sizes, population_size)
    p = sample.counts / sample.classes  # p_j estimated by the sample's share of classes of size j
    h = stats.hypergeom.pmf(1, sample.population, sample.sizes.astype(np.int64), sample.rows)  # P(f=1 | F=j)
    h_one = stats.hypergeom.pmf(1, sample.population, 1, sample.rows)  # = n / N
    posterior = float(sample.count_of(1) / sample.classes * h_one / float((p * h).sum()))  # P(F=1 | f=1)
    uniques = sample.count_of(1) * posterior * sample.population / sample.rows
    return make_estimate("zayatz", uniques, sample, True, {"p_unique_given_sample_unique": posterior})
