"""Generalization: age to bands, birth year or top-coded; geography to a coarser level."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from synth.checks import whole
from synth.core.coding import GEO_COLUMNS, GEO_LEVELS, age_band
from synth.policies.base import Step, positive_whole_problems

AGE_MODES = ("band", "birth_year", "top_code")


class GeneralizeAge(Step):
    """Coarsen age.

    Parameters
    ----------
    column
        The age column (whole years).
    mode
        ``"band"`` (bands of ``width`` years, e.g. ``"35-39"``), ``"birth_year"`` (year of birth on the
        reference year; ages and birth years carry the same information up to a year) or
        ``"top_code"`` (exact ages below ``top``, ``"<top>+"`` above).
    width
        Band width in years (``band`` mode), at least 2.
    top
        Ages from ``top`` on become one group ``"<top>+"`` (``band`` and ``top_code`` modes; None: no top-coding).
    reference_year
        For ``birth_year`` mode.
    """

    step = "generalize_age"
    SAFEGUARD = "data minimisation: generalisation"

    def __init__(
        self,
        column: str = "age",
        mode: str = "band",
        width: int = 5,
        top: int | None = None,
        reference_year: int = 2026,
    ) -> None:
        self.column = column
        self.mode = mode
        self.width = width
        self.top = top
        self.reference_year = reference_year

    def required_columns(self) -> tuple[str, ...]:
        return (self.column,)

    def check(self, columns: Sequence[str]) -> list[str]:
        problems = super().check(columns)
        if self.mode not in AGE_MODES:
            problems.append(f"mode = {self.mode!r}: allowed are {', '.join(AGE_MODES)}")
        if self.mode == "band" and not whole(self.width, 2):
            problems.append(f"width = {self.width!r}: must be a whole number of at least 2")
        if self.mode == "top_code" and self.top is None:
            problems.append("top: required in top_code mode")
        return problems + (positive_whole_problems(self, "top") if self.top is not None else [])

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        col = pl.col(self.column)
        if self.mode == "band":
            out = age_band(col, self.width, self.top)
        elif self.mode == "birth_year":
            out = (pl.lit(self.reference_year) - col).cast(pl.String)
        else:
            out = pl.when(col >= self.top).then(pl.lit(f"{self.top}+")).otherwise(col.cast(pl.String))
        return data.with_columns(out.alias(self.column))

    def report(self) -> dict[str, Any]:
        return {"mode": self.mode, "width": self.width if self.mode == "band" else None, "top": self.top}


class CoarsenGeography(Step):
    """Keep geography only down to ``level``; finer columns are removed.

    Parameters
    ----------
    level
        One of ward, local_body, taluk, district, state (state removes every geography column).
    """

    step = "coarsen_geography"
    SAFEGUARD = "data minimisation: generalisation"

    def __init__(self, level: str = "local_body") -> None:
        self.level = level

    def check(self, columns: Sequence[str]) -> list[str]:
        if self.level not in GEO_LEVELS:
            return [f"level = {self.level!r}: allowed are {', '.join(GEO_LEVELS)}"]
        return []

    def finer(self) -> tuple[str, ...]:
        return GEO_COLUMNS[: GEO_LEVELS.index(self.level)]

    def output_columns(self, columns: Sequence[str]) -> list[str]:
        return [c for c in columns if c not in self.finer()]

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        return data.drop([c for c in self.finer() if c in data.columns])

    def report(self) -> dict[str, Any]:
        return {"level": self.level, "removed": [c for c in self.finer()]}
