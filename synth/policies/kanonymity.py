"""k-anonymity by full-domain generalization over hierarchies, with suppression.

Each quasi-identifier has a generalization hierarchy (age: exact, 5-, 10-, 20-year bands, any;
geography: ward, local body, taluk, district, state; any other column: value, any). The step
searches every combination of levels (the lattice is small), keeps those where the rows falling in
equivalence classes smaller than ``k`` are at most ``max_suppression`` of the release, and picks the
one losing least information (the sum of each level as a share of its hierarchy's height; ties go
to fewer suppressed rows). Rows in classes smaller than ``k`` are then suppressed (removed).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import polars as pl

from synth.checks import whole
from synth.core.coding import GEO_COLUMNS, GEO_LEVELS, age_band
from synth.policies.base import Step

AGE_WIDTHS = (1, 5, 10, 20)  # then "any"
ANY = "*"


def _levels(qi: str) -> int:
    """Number of generalization levels above the raw value."""
    if qi == "age":
        return len(AGE_WIDTHS)
    if qi in GEO_COLUMNS:
        return len(GEO_LEVELS) - 1 - GEO_LEVELS.index(qi)
    return 1


def generalized(qi: str, level: int) -> pl.Expr:
    """Expression for quasi-identifier ``qi`` generalized ``level`` steps (0 = raw)."""
    if qi == "age":
        if level >= len(AGE_WIDTHS):
            return pl.lit(ANY)
        width = AGE_WIDTHS[level]
        return pl.col("age").cast(pl.String) if width == 1 else age_band(pl.col("age"), width)
    if qi in GEO_COLUMNS:
        target = GEO_LEVELS[GEO_LEVELS.index(qi) + level]
        if target == "state":
            return pl.lit(ANY)
        # a place is identified by its name and every coarser one (ward 3 exists in every local body)
        parts = list(GEO_COLUMNS[GEO_COLUMNS.index(target) :])
        return pl.concat_str([pl.col(c).cast(pl.String) for c in parts], separator="/")
    return pl.lit(ANY) if level else pl.col(qi).cast(pl.String)


class KAnonymity(Step):
    """Make the release k-anonymous on ``quasi_identifiers`` (see the module docstring).

    Parameters
    ----------
    k
        Smallest allowed equivalence class, at least 2.
    quasi_identifiers
        Columns an attacker can link on (age, gender, geography columns, ...).
    max_suppression
        Largest share of rows that may be suppressed, 0 to 1.
    """

    step = "k_anonymity"
    SAFEGUARD = "data minimisation: k-anonymity"

    def __init__(
        self,
        k: int = 5,
        quasi_identifiers: Sequence[str] = ("local_body", "age", "gender"),
        max_suppression: float = 0.01,
    ) -> None:
        self.k = k
        self.quasi_identifiers = tuple(quasi_identifiers)
        self.max_suppression = max_suppression

    def required_columns(self) -> tuple[str, ...]:
        geo = [c for c in self.quasi_identifiers if c in GEO_COLUMNS]
        coarser = [c for g in geo for c in GEO_COLUMNS[GEO_COLUMNS.index(g) :]]
        return tuple(dict.fromkeys([*self.quasi_identifiers, *coarser]))

    def check(self, columns: Sequence[str]) -> list[str]:
        problems = super().check(columns)
        if not whole(self.k, 2):
            problems.append(f"k = {self.k!r}: must be a whole number of at least 2")
        if not self.quasi_identifiers:
            problems.append("quasi_identifiers: empty; name at least one column")
        if not isinstance(self.max_suppression, int | float) or not 0 <= self.max_suppression <= 1:
            problems.append(f"max_suppression = {self.max_suppression!r}: must be a number between 0 and 1")
        return problems

    def _class_sizes(self, data: pl.DataFrame, levels: Sequence[int]) -> pl.DataFrame:
        keys = [
            generalized(q, lv).alias(f"_q{i}")
            for i, (q, lv) in enumerate(zip(self.quasi_identifiers, levels, strict=True))
        ]
        return data.select(keys).group_by([f"_q{i}" for i in range(len(keys))]).len()

    def _fit(self, data: pl.DataFrame) -> None:
        heights = [_levels(q) for q in self.quasi_identifiers]
        budget = int(self.max_suppression * data.height)
        best: tuple[float, int, tuple[int, ...]] | None = None
        for levels in itertools.product(*(range(h + 1) for h in heights)):
            sizes = self._class_sizes(data, levels)
            suppressed = int(sizes.filter(pl.col("len") < self.k)["len"].sum())
            if suppressed > budget:
                continue
            loss = sum(lv / h for lv, h in zip(levels, heights, strict=True))
            cand = (loss, suppressed, levels)
            if best is None or cand < best:
                best = cand
        assert best is not None  # the top of the lattice puts everyone in one class
        self.loss_, self.suppressed_, self.levels_ = best
        self.rows_in_ = data.height

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        levels = dict(zip(self.quasi_identifiers, self.levels_, strict=True))
        qcols = [f"_q{i}" for i in range(len(levels))]
        keyed = data.with_columns(**{f"_q{i}": generalized(q, lv) for i, (q, lv) in enumerate(levels.items())})
        out = keyed.filter(pl.len().over(qcols) >= self.k).drop(qcols)
        drop: set[str] = set()
        for q, lv in levels.items():
            if q in GEO_COLUMNS and lv:
                target = GEO_LEVELS[GEO_LEVELS.index(q) + lv]
                drop |= set(GEO_COLUMNS[: GEO_LEVELS.index(target)]) if target != "state" else set(GEO_COLUMNS)
            elif q not in GEO_COLUMNS and lv:
                out = out.with_columns(generalized(q, lv).alias(q))
        return out.drop([c for c in out.columns if c in drop])

    def report(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "quasi_identifiers": list(self.quasi_identifiers),
            "levels": dict(zip(self.quasi_identifiers, self.levels_, strict=True)),
            "suppressed_rows": self.suppressed_,
            "suppressed_share": self.suppressed_ / self.rows_in_ if self.rows_in_ else 0.0,
            "information_loss": self.loss_,
        }
