"""Masking: keep only some digits of a phone number."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from synth.checks import whole
from synth.policies.base import Step


class MaskPhone(Step):
    """Replace all but the first or last ``keep`` digits of the national number by ``mask_char``.

    ``+919847012345`` with ``keep=4, side="last"`` becomes ``+91XXXXXX2345``. The country code is
    kept (it carries no information here).

    Parameters
    ----------
    column
        The phone column.
    keep
        Digits kept, 0 to 9.
    side
        ``"last"`` or ``"first"``.
    mask_char
        One character that is not a digit.
    """

    step = "mask"
    SAFEGUARD = "masking (Rule 6(1)(a))"

    def __init__(self, column: str = "phone", keep: int = 4, side: str = "last", mask_char: str = "X") -> None:
        self.column = column
        self.keep = keep
        self.side = side
        self.mask_char = mask_char

    def required_columns(self) -> tuple[str, ...]:
        return (self.column,)

    def check(self, columns: Sequence[str]) -> list[str]:
        problems = super().check(columns)
        if not whole(self.keep, 0, 9):
            problems.append(f"keep = {self.keep!r}: must be a whole number from 0 to 9")
        if self.side not in ("first", "last"):
            problems.append(f"side = {self.side!r}: allowed are 'first', 'last'")
        if not isinstance(self.mask_char, str) or len(self.mask_char) != 1 or self.mask_char.isdigit():
            problems.append(f"mask_char = {self.mask_char!r}: must be one character that is not a digit")
        return problems

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        col = pl.col(self.column)
        national = col.str.slice(3)
        hidden = pl.lit(self.mask_char * (10 - self.keep))
        kept = national.str.slice(10 - self.keep) if self.side == "last" else national.str.slice(0, self.keep)
        masked = pl.concat_str(
            [col.str.slice(0, 3), hidden, kept] if self.side == "last" else [col.str.slice(0, 3), kept, hidden]
        )
        return data.with_columns(masked.alias(self.column))
