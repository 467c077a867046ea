"""The released sample as the uniqueness estimators (:mod:`synth.measure.uniqueness_estimators`) read it: its
equivalence-class sizes (from any dataframe, or given), their frequency of frequencies, and the estimate every
estimator returns."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import numpy as np

from synth.checks import whole
from synth.engine.relational import key_counts
from synth.errors import SpecError

RELATIVE_TOL = 1e-8  # how closely a fitted root must satisfy its equations to count as converged

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
class Sample:
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


def sample_of(class_sizes: np.ndarray, population_size: int) -> Sample:
    sizes = _validated_sizes(class_sizes)
    if not whole(population_size):
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
    return Sample(
        sizes=distinct.astype(np.float64),
        counts=freq[distinct].astype(np.float64),
        rows=rows,
        population=int(population_size),
    )


def make_estimate(
    name: str, uniques: float, sample: Sample, converged: bool, parameters: dict[str, float]
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
        :func:`synth.engine.relational.key_counts`. Order is unspecified.

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
