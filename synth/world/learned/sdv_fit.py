"""The project's one SDV wrapper: fit a single-table synthesizer with its randomness seeded, sample it quietly.

SDV 2.0 gives no seed for fitting, and CTGAN trains from numpy's and torch's global generators (its
batches, noise and dropout), so a fit runs with both seeded and their previous states restored afterwards
(:func:`seeded_global_state`); SDV's ``_set_random_state`` then seeds the sampling
(:func:`seed_sampling`). The same data, parameters and seed give the same rows on one machine. Used by
the learned world (:mod:`synth.world.learned.population`) and the synthetic-release policy
(:mod:`synth.policies.synthetic`). Models stay in memory only: nothing is pickled.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

MODELS = ("gaussian_copula", "ctgan")


@contextlib.contextmanager
def seeded_global_state(seed: int) -> Iterator[None]:
    """Seed numpy's and torch's global generators for the duration of the block, then restore them.

    Parameters
    ----------
    seed
        A whole number from 0 to 2**32 - 1.

    Notes
    -----
    CTGAN draws its training batches from ``numpy.random`` and its noise and dropout from torch's
    default generators, and SDV gives no seed for fitting: without this, two fits of the same data
    differ. ``torch.random.fork_rng`` restores torch's CPU generator and those of the CUDA devices in use;
    numpy's global state is saved and put back by hand, so nothing outside the block sees the seed.
    """
    import torch

    # The legacy global generator is the point here: CTGAN samples its batches from it.
    numpy_state = np.random.get_state()  # noqa: NPY002
    try:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            np.random.seed(seed)  # noqa: NPY002
            yield
    finally:
        np.random.set_state(numpy_state)  # noqa: NPY002


def sdv_metadata(table: str, sdtypes: Mapping[str, str]) -> Any:
    """SDV metadata of one table whose columns have these sdtypes (``{column: sdtype}``)."""
    from sdv.metadata import Metadata

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Metadata.load_from_dict({"tables": {table: {"columns": {c: {"sdtype": t} for c, t in sdtypes.items()}}}})


def fit_synthesizer(
    metadata: Any,
    table: str,
    frame: Any,
    model: str,
    epochs: int,
    constraints: Sequence[Sequence[str]],
    seed: int,
    enable_gpu: bool,
) -> Any:
    """Fit an SDV single-table synthesizer on a pandas frame, seeded.

    Parameters
    ----------
    metadata
        SDV ``Metadata`` of the one table.
    table
        The table's name in ``metadata``.
    frame
        The pandas DataFrame to fit.
    model
        ``"gaussian_copula"`` or ``"ctgan"``.
    epochs
        CTGAN's training epochs (ignored by the Gaussian copula).
    constraints
        Column groups whose combinations SDV's ``FixedCombinations`` keeps to those of ``frame``.
    seed
        Seeds numpy's and torch's global generators during the fit (see :func:`seeded_global_state`).
    enable_gpu
        Let CTGAN train on a GPU where there is one (a GPU may add its own nondeterminism).

    Returns
    -------
    Any
        The fitted synthesizer.
    """
    from sdv.cag import FixedCombinations
    from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer

    with warnings.catch_warnings():  # SDV asks every synthesizer to save its metadata; ours stays in memory
        warnings.simplefilter("ignore")
        if model == "ctgan":
            synthesizer = CTGANSynthesizer(metadata, epochs=epochs, enable_gpu=enable_gpu)
        else:
            synthesizer = GaussianCopulaSynthesizer(metadata)
        synthesizer.add_constraints([FixedCombinations(column_names=list(g)) for g in constraints])
        with seeded_global_state(seed):
            synthesizer.fit({table: frame})
    return synthesizer


def seed_sampling(synthesizer: Any, seed: int) -> None:
    """Seed the synthesizer's sampling: SDV 2.0 has no public seed for it, and without this call it falls back
    to its own fixed seed."""
    synthesizer._set_random_state(seed)


def sample_quietly(synthesizer: Any, table: str, rows: int) -> Any:
    """``rows`` rows of ``table`` from a fitted synthesizer (a pandas DataFrame), without SDV's progress bar
    and warnings."""
    with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        drawn = synthesizer.sample(rows)
    return drawn[table] if isinstance(drawn, dict) else drawn
