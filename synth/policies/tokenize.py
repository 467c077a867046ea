"""Tokenization: values replaced by random tokens; the vault stays with the controller."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from synth.policies.base import Step

TOKEN_BYTES = 12


class Tokenize(Step):
    """Replace each distinct value of a column by a random token (nulls stay null).

    The mapping (the vault) is learned at fit and held in ``vault_`` by the controller; it is never
    part of the output. Tokens are random, not derived from the values, so no computation on a token
    recovers its value.

    Parameters
    ----------
    column
        The column to tokenize.
    random_state
        Seeds the tokens.
    """

    step = "tokenize"
    SAFEGUARD = "virtual tokens (Rule 6(1)(a))"
    delivers_via_controller = True  # the holder hands tokens back; the controller sends through its vault

    def __init__(self, column: str = "phone", random_state: int = 0) -> None:
        self.column = column
        self.random_state = random_state

    def required_columns(self) -> tuple[str, ...]:
        return (self.column,)

    def _fit(self, data: pl.DataFrame) -> None:
        values = data[self.column].cast(pl.String).drop_nulls().unique().sort()
        rng = np.random.default_rng(self.random_state)
        raw = pa.py_buffer(rng.bytes(TOKEN_BYTES * len(values)))
        tokens = pl.Series(pa.FixedSizeBinaryArray.from_buffers(pa.binary(TOKEN_BYTES), len(values), [None, raw]))
        self.vault_ = pl.DataFrame({self.column: values, "_token": tokens.cast(pl.Binary).bin.encode("hex")})

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        out = data.with_columns(pl.col(self.column).cast(pl.String)).join(
            self.vault_, on=self.column, how="left", maintain_order="left"
        )
        return out.with_columns(pl.col("_token").alias(self.column)).drop("_token")

    def report(self) -> dict[str, Any]:
        return {"tokens": self.vault_.height}
