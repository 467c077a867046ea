"""No release: the controller sends the messages itself; the outside party receives nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from synth.policies.base import Step


class ControllerSends(Step):
    """Release no rows: the intended recipients are reached by the controller (or an intermediary it
    contracts), so outreach keeps its reach while nothing leaves the controller.

    The output has the release's columns and zero rows; ``report`` says how many people the
    controller reaches (everyone with a contact number).

    Parameters
    ----------
    contact_column
        The column holding the contact number used for sending.
    """

    step = "controller_sends"
    SAFEGUARD = "no disclosure: the controller sends"
    keeps_rows = False
    delivers_via_controller = True
    releases = "nothing"

    def __init__(self, contact_column: str = "phone") -> None:
        self.contact_column = contact_column

    def check(self, columns: Sequence[str]) -> list[str]:
        if self.contact_column not in columns:
            return [f"column '{self.contact_column}' is not in the release (it has {', '.join(columns)})"]
        return []

    def _fit(self, data: pl.DataFrame) -> None:
        self.reached_ = int(data[self.contact_column].drop_nulls().n_unique())
        self.rows_ = data.height

    def _transform(self, data: pl.DataFrame) -> pl.DataFrame:
        return data.clear()

    def report(self) -> dict[str, Any]:
        return {"rows_released": 0, "numbers_reached_by_controller": self.reached_, "rows_in": self.rows_}
