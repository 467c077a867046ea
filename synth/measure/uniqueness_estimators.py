"""Population uniqueness estimated from a released sample alone, as the disclosure-control literature does it.

A synthetic world knows its TRUE number of population uniques (people whose combination of the declared
quasi-identifiers nobody else in the population shares). A real data holder does not: they hold only the released
sample and the public population size ``N`` (for example the census count). The estimators here are the ones
that literature uses to guess the truth from the sample; the project prints them next to the truth.

Every estimator returns the **number of population uniques** (equivalence classes of size one in the population of
``N`` people, coded like the release) and, as ``share``, that number divided by ``N`` (the proportion of the whole
population that is unique; not a proportion of the sample).

Notation (Dankar et al. 2012, appendix A): ``n`` released rows, ``N`` people in the population, sampling fraction
``pi = n / N``; ``u`` equivalence classes in the sample; ``s_j`` (``f_j`` in
:func:`~synth.measure.uniqueness_sample.frequency_of_frequencies`) the number of sample classes of size ``j``; ``K``
the number of non-empty classes in the population.

Each estimator lives in a module of its own, with its source and formulas; this one holds Dankar's rule, which picks
one of them, and :func:`estimate_all`.

Sources
-------
Pitman
    Hoshino (2001): :mod:`synth.measure.pitman_estimator`.
Zayatz
    Zayatz (1991): :mod:`synth.measure.zayatz_estimator`.
SNB (shifted negative binomial)
    Chen and Keller-McNulty (1998), with the number of population classes of Haas et al. (1995):
    :mod:`synth.measure.snb_estimator`.
Dankar's rule
    Dankar, F. K., El Emam, K., Neisa, A. and Roffey, T. (2012). "Estimating the re-identification risk of
    clinical data sets." *BMC Medical Informatics and Decision Making* 12:66. For a sampling fraction of at most
    10 %, use Pitman, or Zayatz when the Pitman fit does not converge; above 10 %, use the smaller of the Zayatz and
    SNB estimates, or Zayatz when the SNB fit does not converge.
"""

from __future__ import annotations

import numpy as np

from synth.measure.pitman_estimator import pitman
from synth.measure.snb_estimator import snb
from synth.measure.uniqueness_sample import UniquenessEstimate, sample_of
from synth.measure.zayatz_estimator import zayatz

ESTIMATORS = ("pitman", "zayatz", "snb", "dankar")
DANKAR_THRESHOLD = 0.1  # Dankar et al. (2012): Pitman at or below a 10 % sampling fraction, Zayatz/SNB above


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
        quasi-identifiers (see :func:`~synth.measure.uniqueness_sample.class_sizes`).
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
    sample = sample_of(class_sizes, population_size)
    sizes = np.repeat(sample.sizes.astype(np.int64), sample.counts.astype(np.int64))
    out = {
        "pitman": pitman(sizes, sample.population),
        "zayatz": zayatz(sizes, sample.population),
        "snb": snb(sizes, sample.population),
    }
    out["dankar"] = dankar_rule(sample.fraction, out["pitman"], out["zayatz"], out["snb"])
    return out
