"""Dropping columns."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from synth.policies.base import Step


class DropColumns(Step):
    """Remove columns from the release.

    Parameters
    ----------
    columns
        Names of the columns to drop.
    """

    step = "drop"
    SAFEGUARD = "data minimisation: fields dropped"

    def __init__(self, columns: Sequence[str] = ()) -> None:
        self.columns = tuple(columns)

    def required_columns(self) -> tuple[str, ...]:
        return self.columns

    def check(self, columns: Sequence[str]) -> list[str]:
        problems = super().check(columns)
        if not self.columns:
            problems.append("columns: empty; name at least one column to drop")
        return problems

    def output_columns(self, columns: Sequence[str]) -> list[str]:
        return [c for c in columns if c not in self.columns]

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        return data.drop(self.columns)
