"""Published tables instead of rows: exact counts per place for a declared list of cross-tabulations.

Each table counts the release's rows (one per registry membership, the unit every policy counts) by place and by
its attributes: ``age`` in bands, and any other column the release holds as it is (``gender``, ``registry``).
Every combination of the values seen anywhere in the release is published for every place, zeros included, as
statistical offices publish a grid. Cells with a count from 1 to ``threshold - 1`` are suppressed (published as
missing); only primary suppression is done, so a suppressed cell can often be recovered from its table's other
cells and the other tables (complementary suppression is not done: a limitation the reconstruction attack
exploits, as a real attacker would).

The output is one tidy frame: the place columns, ``table`` (its attributes joined by " x "), every attribute of
every table (missing where the table does not cross it) and ``count``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from synth.checks import whole
from synth.core.coding import BAND_TOP, age_band
from synth.policies.base import Step, positive_whole_problems

TABLE, COUNT = "table", "count"  # the output's own columns: which table a cell is of, and its count
CROSS = " x "  # joins a table's attributes into its name
DEFAULT_TABLES = (("age", "gender"), ("registry", "gender"), ("registry", "age"))
NOT_ATTRIBUTES = ("row_id", "phone", "name", COUNT, TABLE)  # identifiers, and the output's own columns


def table_name(attributes: Sequence[str]) -> str:
    """How a table is named in the output's ``table`` column: ``"age x gender"``."""
    return CROSS.join(attributes)


def table_attributes(name: str) -> list[str]:
    """The attributes a table of this name crosses (the inverse of :func:`table_name`)."""
    return name.split(CROSS)


class PublishTables(Step):
    """Publish exact counts by ``by`` (a place) for each cross-tabulation of ``tables``.

    Parameters
    ----------
    tables
        Each a list of the release's columns to cross-classify (``age`` in bands of ``age_width`` years).
    by
        The place columns every table is published for.
    age_width
        Width of the age bands (ages 80 and over form one band).
    threshold
        Cells with a count from 1 to ``threshold - 1`` are suppressed; 1 suppresses nothing.
    """

    step = "tables"
    SAFEGUARD = "data minimisation: published tables of counts"
    keeps_rows = False
    releases = "counts"

    def __init__(
        self,
        tables: Sequence[Sequence[str]] = DEFAULT_TABLES,
        by: Sequence[str] = ("local_body", "ward"),
        age_width: int = 5,
        threshold: int = 1,
    ) -> None:
        self.tables = tables
        self.by = by
        self.age_width = age_width
        self.threshold = threshold

    def _attributes(self) -> list[str]:
        return list(dict.fromkeys(c for t in self._tables() for c in t))

    def _tables(self) -> list[tuple[str, ...]]:
        return [tuple(t) for t in self.tables] if _is_list_of_lists(self.tables) else []

    def _by(self) -> list[str]:
        return list(self.by) if isinstance(self.by, list | tuple) else []

    def required_columns(self) -> tuple[str, ...]:
        return (*self._by(), *self._attributes())

    def check(self, columns: Sequence[str]) -> list[str]:
        problems = []
        by = self._by()
        if not _is_list_of_lists(self.tables):
            problems.append(f"tables = {self.tables!r}: must be a list of lists of column names")
        elif not self.tables:
            problems.append("tables = []: must list at least one table, e.g. [['age', 'gender']]")
        else:
            for t in self._tables():
                if not t or len(set(t)) != len(t):
                    problems.append(f"tables: {list(t)!r} must name one or more distinct columns")
                problems += [
                    f"tables: {list(t)!r} names '{c}', which a table cannot publish (an identifier)"
                    for c in t
                    if c in NOT_ATTRIBUTES
                ]
                problems += [
                    f"tables: {list(t)!r} names '{c}', a place column: places are the 'by' columns"
                    for c in t
                    if c in by
                ]
        if not by or not all(isinstance(c, str) for c in by):
            problems.append(f"by = {self.by!r}: must be a non-empty list of place columns")
        if not whole(self.threshold, 1):
            problems.append(f"threshold = {self.threshold!r}: must be a whole number of at least 1 (1: no suppression)")
        problems += positive_whole_problems(self, "age_width")
        return problems + super().check(columns)

    def released_metadata(self) -> dict[str, Any]:
        """The threshold is published with the tables (a reader must know a missing cell means 1 to t - 1)."""
        return {"suppression_threshold": self.threshold}

    def output_columns(self, columns: Sequence[str]) -> list[str]:
        return [*self._by(), TABLE, *self._attributes(), COUNT]

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        by = list(self.by)
        attributes = self._attributes()
        coded = data.select(
            *by,
            *[
                (age_band(pl.col(c), self.age_width, BAND_TOP) if c == "age" else pl.col(c).cast(pl.String)).alias(c)
                for c in attributes
            ],
        )
        places = coded.select(by).unique().sort(by)
        frames = []
        for t in self._tables():
            keys = list(t)
            grid = places
            for c in keys:  # every value seen anywhere in the release, in every place
                grid = grid.join(coded.select(c).unique().sort(c), how="cross")
            counted = coded.group_by([*by, *keys]).len(COUNT)
            table = grid.join(counted, on=[*by, *keys], how="left").with_columns(
                pl.col(COUNT).fill_null(0).cast(pl.Int64)
            )
            if self.threshold > 1:
                small = pl.col(COUNT).is_between(1, self.threshold - 1)
                table = table.with_columns(pl.when(small).then(None).otherwise(pl.col(COUNT)).alias(COUNT))
            frames.append(table.with_columns(pl.lit(table_name(keys)).alias(TABLE)))
        out = pl.concat(frames, how="diagonal_relaxed")
        self.cells_ = out.height
        self.suppressed_ = out[COUNT].null_count()
        return out.select(*by, TABLE, *attributes, COUNT)

    def report(self) -> dict[str, Any]:
        return {
            "tables": [table_name(t) for t in self._tables()],
            "cells": getattr(self, "cells_", None),
            "suppressed": getattr(self, "suppressed_", None),
            "suppression": "primary only (cells from 1 to threshold - 1); no complementary suppression",
        }


def _is_list_of_lists(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(
        isinstance(t, list | tuple) and all(isinstance(c, str) for c in t) for t in value
    )
