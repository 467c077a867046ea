"""Differentially private aggregates instead of rows: noisy counts, accounted by OpenDP.

Counts are taken over a public grid of cells (every geography combination of the release, every
age band, both genders), so empty cells are released too and their presence reveals nothing. Each
person can contribute up to ``contributions`` rows (a pensioner may also be an entrepreneur), so
the L1 sensitivity of the count vector is ``contributions``. Each cell gets discrete Laplace noise
of scale ``contributions / epsilon``, and OpenDP's privacy map of its discrete Laplace mechanism
with that scale confirms the stated epsilon. Negative counts are clamped to zero (post-processing,
which costs no privacy).

The noise is drawn from a generator seeded by ``random_state`` (the difference of two geometric
draws, which is discrete Laplace), not from OpenDP's sampler: OpenDP draws from a secure source
that cannot be seeded, and a simulation must give the same figures for the same seed. The noise
has the same distribution, so the utility and exposure measured here are those of OpenDP's
mechanism; a real publication should draw its noise with OpenDP (secure, and free of the
floating-point rounding of a numpy sampler).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from synth.checks import number
from synth.core.coding import BAND_TOP, GENDERS, age_band
from synth.policies.base import Step, positive_whole_problems, seed_problems
from synth.policies.tables import PublishTables


class DPCounts(Step):
    """Release noisy counts by ``by`` (geography columns), age band and gender, with budget ``epsilon``.

    Parameters
    ----------
    by
        Geography columns that define a place (coarsest last is not required).
    epsilon
        Privacy budget of the whole release, positive.
    age_width
        Width of the age bands (ages 80 and over form one band).
    contributions
        Most rows one person can have in the release.
    random_state
        Seed of the noise (a whole number from 0 to 2**32 - 1): the same seed, the same counts.
    tables
        None: one grid of place x age band x gender. A list of cross-tabulations: the tables the ``tables`` step
        publishes, each cell with noise; every person is in every table, so the scale grows with their number.
    """

    step = "dp_counts"
    SAFEGUARD = "data minimisation: counts with differential privacy"
    keeps_rows = False
    releases = "counts"

    def __init__(
        self,
        by: Sequence[str] = ("local_body", "ward"),
        epsilon: float = 1.0,
        age_width: int = 5,
        contributions: int = 2,
        random_state: int = 0,
        tables: Sequence[Sequence[str]] | None = None,
    ) -> None:
        self.by = tuple(by)
        self.epsilon = epsilon
        self.age_width = age_width
        self.contributions = contributions
        self.random_state = random_state
        self.tables = tables

    def _exact(self) -> PublishTables | None:
        """With ``tables``: the exact tables the noise is added to (the same step as ``tables`` publishes)."""
        return None if self.tables is None else PublishTables(self.tables, self.by, self.age_width)

    def required_columns(self) -> tuple[str, ...]:
        exact = self._exact()
        return (*self.by, "age", "gender") if exact is None else exact.required_columns()

    def check(self, columns: Sequence[str]) -> list[str]:
        exact = self._exact()
        problems = super().check(columns) if exact is None else exact.check(columns)
        if not (number(self.epsilon) and self.epsilon > 0):
            problems.append(f"epsilon = {self.epsilon!r}: must be a positive number")
        return problems + positive_whole_problems(self, "age_width", "contributions") + seed_problems(self.random_state)

    def output_columns(self, columns: Sequence[str]) -> list[str]:
        exact = self._exact()
        return [*self.by, "age", "gender", "count"] if exact is None else exact.output_columns(columns)

    def released_metadata(self) -> dict[str, Any]:
        """Noisy tables say so (and the noise's scale, public in any DP release): a reader solves for the records
        closest to them instead of records that fit them exactly."""
        return {} if self.tables is None else {"noise_scale": self.scale_}

    def _grid(self, data: pl.DataFrame) -> pl.DataFrame:
        places = data.select(self.by).unique().sort(self.by)
        bands = pl.DataFrame({"age": pl.Series([0, *range(self.age_width, 80, self.age_width), 80])})
        bands = bands.select(age=age_band(pl.col("age"), self.age_width, BAND_TOP)).unique(maintain_order=True)
        return places.join(bands, how="cross").join(pl.DataFrame({"gender": GENDERS}), how="cross")

    def _fit(self, data: pl.DataFrame) -> None:
        import opendp.prelude as dp

        dp.enable_features("contrib")
        space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
        # a person's rows fall once in every table: the count vector moves by contributions x tables in L1
        sensitivity = self.contributions * (1 if self.tables is None else len(self.tables))
        scale = sensitivity / float(self.epsilon)
        self.mechanism_ = dp.m.make_laplace(*space, scale=scale)
        self.epsilon_spent_ = float(self.mechanism_.map(sensitivity))
        self.scale_ = scale

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        exact = self._exact()
        if exact is not None:
            tables = exact.fit_transform(data)
            self.cells_ = tables.height
            return tables.with_columns(count=(tables["count"] + self._noise(tables.height)).clip(lower_bound=0))
        counted = (
            data.with_columns(
                age=age_band(pl.col("age"), self.age_width, BAND_TOP), gender=pl.col("gender").cast(pl.String)
            )
            .group_by([*self.by, "age", "gender"])
            .len()
        )
        grid = (
            self._grid(data)
            .join(counted, on=[*self.by, "age", "gender"], how="left")
            .with_columns(pl.col("len").fill_null(0))
        )
        self.cells_ = grid.height
        noise = self._noise(grid.height)
        return grid.drop("len").with_columns(count=(grid["len"].cast(pl.Int64) + noise).clip(lower_bound=0))

    def _noise(self, cells: int) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        # P(k) proportional to exp(-|k| / scale): the difference of two geometric draws with p = 1 - exp(-1 / scale)
        p = -np.expm1(-1.0 / self.scale_)
        noise: np.ndarray = rng.geometric(p, cells) - rng.geometric(p, cells)
        return noise

    def report(self) -> dict[str, Any]:
        return {
            "epsilon": self.epsilon_spent_,
            "noise_scale": self.scale_,
            "mechanism": "discrete Laplace (seeded noise; epsilon from OpenDP's privacy map)",
            "cells": getattr(self, "cells_", None),
        }
