"""How many people are unique in the population on a release's quasi-identifiers: the truth beside what the
disclosure-control estimators (:mod:`synth.measure.uniqueness_estimators`) guess from the release alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from synth.measure.uniqueness_estimators import estimate_all
from synth.measure.uniqueness_sample import UniquenessEstimate, class_sizes


@dataclass(frozen=True)
class PopulationUniqueness:
    """How many people are unique in the population on the release's quasi-identifiers: the truth, and
    what the disclosure-control estimators guess from the release alone (``estimates``: ``pitman``,
    ``zayatz``, ``snb`` and ``dankar``, the one Dankar's rule picks).

    Shares are of the whole population (``population_size`` people), not of the release.
    """

    keys: tuple[str, ...]
    release_rows: int
    population_size: int
    true_uniques: int
    true_share: float
    estimates: Mapping[str, UniquenessEstimate]


def population_uniqueness(release: pl.DataFrame, counts: pl.DataFrame, keys: Sequence[str]) -> PopulationUniqueness:
    """The true number of population uniques on ``keys`` beside the estimates made from ``release`` alone.

    Parameters
    ----------
    release
        The released rows (the sample the estimators see).
    counts
        The population's class sizes on ``keys`` (:func:`synth.scoring.singling_out.population_counts`, or
        ``key_counts(population, keys, "n_pop")``); their sum is the ``N`` a data holder would take from the census.
    keys
        The declared quasi-identifiers.
    """
    keys = tuple(keys)
    truth = int((counts["n_pop"] == 1).sum())
    size = int(counts["n_pop"].sum())
    return PopulationUniqueness(
        keys=keys,
        release_rows=release.height,
        population_size=size,
        true_uniques=truth,
        true_share=truth / size,
        estimates=estimate_all(class_sizes(release, keys), size),
    )
