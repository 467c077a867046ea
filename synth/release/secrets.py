"""Sensitive attributes an attacker may infer, and how a row's label is read from the release.

Shared by the attribute-inference attack (which learns them) and its scorer (which reads the truth), so
it sits below both.

Secrets (``SECRETS``): ``widowhood`` and ``disability`` are learnt from the pension scheme (a widow's or
disability pension), ``womens_scheme`` from the registry a row came from, ``pension_scheme`` is the
scheme itself (``none`` for rows of other registries).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

NEGATIVE = "none"


@dataclass(frozen=True)
class Secret:
    """A sensitive attribute: the release column it is learnt from and how a row's label is read."""

    column: str
    label: pl.Expr


SECRETS = {
    "widowhood": Secret("scheme", pl.when(pl.col("scheme") == "widow").then(pl.lit("yes")).otherwise(pl.lit(NEGATIVE))),
    "disability": Secret(
        "scheme", pl.when(pl.col("scheme") == "disability").then(pl.lit("yes")).otherwise(pl.lit(NEGATIVE))
    ),
    "womens_scheme": Secret(
        "registry", pl.when(pl.col("registry") == "womens_scheme").then(pl.lit("yes")).otherwise(pl.lit(NEGATIVE))
    ),
    "pension_scheme": Secret("scheme", pl.col("scheme").cast(pl.String).fill_null(NEGATIVE)),
}
