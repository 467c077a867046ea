"""Hashing a column: plain SHA-256, SHA-256 with one global salt, keyed HMAC-SHA-256.

A plain or salted hash of a phone number can be reversed by enumerating the numbering plan (the
attacks measure how fast); a keyed HMAC cannot without the key. The key is read from an environment
variable or a key file when the step is fitted, and never appears in the output, the report or the
step's repr.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synth.policies.base import Step

METHODS = ("sha256", "salted", "hmac")
DEFAULT_KEY_ENV = "SYNTH_HMAC_KEY"


def sha256_hex(values: Sequence[str], prefix: bytes = b"") -> list[str]:
    """SHA-256 hex digests of ``prefix + value`` (UTF-8) for each value."""
    return [hashlib.sha256(prefix + v.encode()).hexdigest() for v in values]


def hmac_hex(values: Sequence[str], key: bytes) -> list[str]:
    """HMAC-SHA-256 hex digests of each value under ``key``."""
    return [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in values]


class HashColumn(Step):
    """Replace a column by a hash of its values (nulls stay null).

    Parameters
    ----------
    column
        The column to hash.
    method
        ``"sha256"`` (plain), ``"salted"`` (one global salt, drawn at fit) or ``"hmac"`` (secret key).
    salt_released
        For ``"salted"``: publish the salt beside the data (as happens when a salt ships with a
        contact-matching SDK) or keep it secret.
    key_env, key_file
        For ``"hmac"``: where the key is read from (a file wins over the variable).
    random_state
        Seeds the salt.
    """

    step = "hash"

    def __init__(
        self,
        column: str = "phone",
        method: str = "sha256",
        salt_released: bool = False,
        key_env: str = DEFAULT_KEY_ENV,
        key_file: str | None = None,
        random_state: int = 0,
    ) -> None:
        self.column = column
        self.method = method
        self.salt_released = salt_released
        self.key_env = key_env
        self.key_file = key_file
        self.random_state = random_state

    def required_columns(self) -> tuple[str, ...]:
        return (self.column,)

    def _key(self) -> bytes | None:
        if self.key_file:
            try:
                key = Path(self.key_file).read_bytes().strip()
            except OSError:
                return None
            return key or None
        value = os.environ.get(self.key_env, "")
        return value.encode() or None

    def check(self, columns: Sequence[str]) -> list[str]:
        problems = super().check(columns)
        if self.method not in METHODS:
            problems.append(f"method = {self.method!r}: allowed are {', '.join(METHODS)}")
        elif self.method == "hmac" and self._key() is None:
            where = (
                f"key file {self.key_file} (missing or empty)"
                if self.key_file
                else (f"environment variable {self.key_env} (unset or empty)")
            )
            problems.append(f"no HMAC key: set the {where}")
        return problems

    def _fit(self, data: pl.DataFrame) -> None:
        if self.method == "salted":
            rng = np.random.default_rng(self.random_state)
            self.salt_ = rng.bytes(16)

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        values = data[self.column].cast(pl.String)
        present = values.drop_nulls().unique(maintain_order=True)
        if self.method == "hmac":
            key = self._key()
            assert key is not None  # checked at fit
            digests = hmac_hex(present.to_list(), key)
        else:
            digests = sha256_hex(present.to_list(), self.salt_ if self.method == "salted" else b"")
        mapping = pl.DataFrame({self.column: present, "_digest": digests})
        out = data.with_columns(values.alias(self.column)).join(
            mapping, on=self.column, how="left", maintain_order="left"
        )
        return out.with_columns(pl.col("_digest").alias(self.column)).drop("_digest")

    def report(self) -> dict[str, Any]:
        return {"method": self.method, "salt_released": self.method == "salted" and self.salt_released}

    def released_metadata(self) -> dict[str, Any]:
        if self.method == "salted" and self.salt_released:
            return {f"{self.column}_salt": self.salt_.hex()}
        return {}
