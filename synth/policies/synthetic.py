"""Synthetic release with SDV: a model fitted on the release's non-identifying columns, then sampled.

Direct identifiers (phone, name) are never given to the model and never released. SDV's
constraint-augmented generation keeps the places real (``FixedCombinations`` over district, taluk,
local body and ward) and the registry rules (``FixedCombinations`` over registry and gender: no man
in the women's scheme); a post-pass counts and drops any row that still breaks them. Models are
kept in memory only: the project never writes or loads a pickled model.

A release larger than ``train_rows`` is modelled from a seeded uniform sample of that many rows, and
rows are drawn in batches, so that a state's release (83 lakh rows) costs what a million does.

``random_state`` seeds everything random: the training sample, the fit and the sampling, through the
project's one SDV wrapper (:mod:`synth.world.learned.sdv_fit`, shared with learned worlds): the fit runs with
numpy's and torch's global generators seeded and restored afterwards, then the sampling is seeded. The same
release and seed give the same synthetic rows on one machine (a GPU may add its own nondeterminism).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from synth.policies.base import Step, positive_whole_problems, seed_problems
from synth.world.learned.sdv_fit import (
    MODELS,
    fit_synthesizer,
    sample_quietly,
    sdv_metadata,
    seed_sampling,
)

TABLE = "release"  # the release's name in SDV's metadata
GEO = ("district", "taluk", "local_body", "ward")
BATCH = 1_000_000  # rows drawn from SDV at a time


class SyntheticRelease(Step):
    """Replace the release by synthetic rows drawn from a model of it.

    Parameters
    ----------
    columns
        Columns modelled and released (direct identifiers are not allowed).
    model
        ``"gaussian_copula"`` (default) or ``"ctgan"``.
    epochs
        Training epochs for CTGAN.
    rows
        Rows to sample; None: as many as the release has.
    random_state
        Seeds the training sample, the fit (numpy's and torch's global generators, restored afterwards) and
        the sampling, so the same release and seed give the same synthetic rows.
    train_rows
        Most rows the model is fitted on (a seeded uniform sample when the release has more); None: all.
    """

    step = "synthesize"
    SAFEGUARD = "synthetic data (not named by Rule 6(1)(a))"
    keeps_rows = False
    releases = "synthetic"
    forbidden = ("phone", "name", "row_id")

    def __init__(
        self,
        columns: Sequence[str] = ("age", "gender", *GEO, "registry"),
        model: str = "gaussian_copula",
        epochs: int = 10,
        rows: int | None = None,
        random_state: int = 0,
        train_rows: int | None = 1_000_000,
    ) -> None:
        self.columns = tuple(columns)
        self.model = model
        self.epochs = epochs
        self.rows = rows
        self.random_state = random_state
        self.train_rows = train_rows

    def required_columns(self) -> tuple[str, ...]:
        return self.columns

    def check(self, columns: Sequence[str]) -> list[str]:
        problems = super().check(columns)
        if self.model not in MODELS:
            problems.append(f"model = {self.model!r}: allowed are {', '.join(MODELS)}")
        for c in self.columns:
            if c in self.forbidden:
                problems.append(f"columns: '{c}' is a direct identifier and cannot be modelled or released")
        optional = [name for name in ("rows", "train_rows") if getattr(self, name) is not None]
        return problems + positive_whole_problems(self, *optional, "epochs") + seed_problems(self.random_state)

    def output_columns(self, columns: Sequence[str]) -> list[str]:
        return ["row_id", *self.columns]

    def _constraint_groups(self) -> list[list[str]]:
        geo = [c for c in GEO if c in self.columns]
        groups = [geo] if len(geo) >= 2 else []
        if "registry" in self.columns and "gender" in self.columns:
            groups.append(["registry", "gender"])
        return groups

    def _fit(self, data: pl.DataFrame) -> None:
        sample = data
        if self.train_rows is not None and data.height > self.train_rows:
            rng = np.random.default_rng(self.random_state)
            sample = data[np.sort(rng.choice(data.height, self.train_rows, replace=False))]
        frame = sample.select(pl.col(c).cast(pl.String) if c != "age" else pl.col(c) for c in self.columns).to_pandas()
        metadata = sdv_metadata(TABLE, {c: "numerical" if c == "age" else "categorical" for c in self.columns})
        self.synthesizer_ = fit_synthesizer(
            metadata,
            TABLE,
            frame,
            model=self.model,
            epochs=self.epochs,
            constraints=self._constraint_groups(),
            seed=self.random_state,
            enable_gpu=True,
        )
        self.rows_in_ = data.height
        self.rows_fitted_ = sample.height
        self.allowed_ = {tuple(g): data.select(g).unique() for g in map(tuple, self._constraint_groups())}

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        n = self.rows or self.rows_in_
        seed_sampling(self.synthesizer_, self.random_state)
        batches = [
            pl.from_pandas(sample_quietly(self.synthesizer_, TABLE, min(BATCH, n - start)))
            for start in range(0, n, BATCH)
        ]
        out = pl.concat(batches).with_columns(pl.col("age").round(0).cast(pl.Int16))
        for c in self.columns:
            if c not in ("age",) and data.schema[c] != pl.String:
                out = out.with_columns(pl.col(c).cast(data.schema[c]))
        valid = pl.lit(True)
        for group, allowed in self.allowed_.items():
            marked = allowed.with_columns(_ok=pl.lit(True))
            out = out.join(marked.rename({"_ok": f"_ok_{len(group)}_{group[0]}"}), on=list(group), how="left")
            valid = valid & pl.col(f"_ok_{len(group)}_{group[0]}").is_not_null()
        flagged = out.with_columns(_valid=valid)
        self.impossible_ = int(flagged.filter(~pl.col("_valid")).height)
        kept = flagged.filter(pl.col("_valid")).select(self.columns)
        return kept.with_columns(row_id=pl.int_range(pl.len(), dtype=pl.Int64)).select(["row_id", *self.columns])

    def report(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "rows_in": self.rows_in_,
            "rows_fitted": self.rows_fitted_,
            "impossible_rows_dropped": getattr(self, "impossible_", None),
        }
