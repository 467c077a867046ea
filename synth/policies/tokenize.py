"""Tokenization: values replaced by random tokens; the vault stays with the controller.

A vault is the controller's own unless it is named: tokenizers that name the same vault (``key_name``, with the
same ``random_state``) give a value the same token wherever it is, as a vault shared between departments does, and
so their releases join on it."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from synth.policies.base import Step
from synth.policies.hashing import key_name_problems

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
    key_name
        A shared vault's name. None: the tokens are drawn for this release alone (each distinct value, in sorted
        order, gets the next random token). A name: each value's token is HMAC-SHA-256 of the value under a
        secret drawn from ``random_state`` and the name (the runner seeds every tokenizer naming one vault alike),
        so a value has one token in every release that names the vault, and no other.
    """

    step = "tokenize"
    SAFEGUARD = "virtual tokens (Rule 6(1)(a))"
    delivers_via_controller = True  # the holder hands tokens back; the controller sends through its vault

    def __init__(self, column: str = "phone", random_state: int = 0, key_name: str | None = None) -> None:
        self.column = column
        self.random_state = random_state
        self.key_name = key_name

    def required_columns(self) -> tuple[str, ...]:
        return (self.column,)

    def check(self, columns: Sequence[str]) -> list[str]:
        return [*super().check(columns), *key_name_problems(self.key_name)]

    def _fit(self, data: pl.DataFrame) -> None:
        values = data[self.column].cast(pl.String).drop_nulls().unique().sort()
        rng = np.random.default_rng(self.random_state)
        if self.key_name is not None:
            secret = hmac.digest(rng.bytes(32), self.key_name.encode(), "sha256")  # another name, another vault
            keyed = [hmac.digest(secret, v.encode(), "sha256")[:TOKEN_BYTES].hex() for v in values]
            self.vault_ = pl.DataFrame({self.column: values, "_token": pl.Series(keyed, dtype=pl.String)})
            return
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
