"""Reach and targeting: what the attacker can do with what it now holds.

From the release plus whatever the attacker's knowledge holds after the earlier attacks (numbers from
hashes, names from caller-ID labels, roll entries from linkage), each released row is marked as
contactable (a usable phone number), addressable (a name and a house address), and, for vulnerable
people (pensioners of 70 and over, women of the women's security scheme, disability pensioners), as a
fraud-ready profile when it is both.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NoParams, NotApplicable, Outcome, Scored, Truth
from synth.attacks.knowledge import Knowledge
from synth.core.coding import youngest_possible_age
from synth.release.build import AttackerView
from synth.scoring.breakdown import breakdown_rows
from synth.scoring.reach import score_reach

ATTACK_ID = "reach"


def reach(
    view: AttackerView, aux: AuxiliaryData, rng: np.random.Generator, knowledge: Knowledge | None = None
) -> pl.DataFrame:
    """Per released row: ``contactable``, ``addressable``, ``vulnerable`` and ``fraud_ready``.

    Parameters
    ----------
    view
        The attacker's view of the release.
    aux
        Unused (what the roll gave is in ``knowledge``); taken so every attack has the same signature.
    rng
        Unused (deterministic); taken so every attack has the same signature.
    knowledge
        What the attacker knows per row after the earlier attacks (phones recovered, names looked up,
        roll entries linked); by default only what the release itself says.
    """
    data = view.data
    if data.height == 0:
        raise NotApplicable(f"attack '{ATTACK_ID}': the release is empty")
    facts = (knowledge or Knowledge.from_view(view)).facts
    rows = data.select("row_id").join(facts, on="row_id", how="left", maintain_order="left")
    placed = data["ward"].is_not_null() if "ward" in data.columns else pl.Series([False] * data.height)
    # a name in a ward: the house is on the roll, or a walk away; a linked roll entry prints the house
    addressable = (rows["name"].is_not_null() & placed) | rows["epic"].is_not_null()
    rows = rows.select("row_id", contactable=pl.col("phone").is_not_null(), addressable=addressable)
    registry = data["registry"] if "registry" in data.columns else pl.Series([None] * data.height, dtype=pl.String)
    age = youngest_possible_age(data["age"]) if "age" in data.columns else None
    old_pensioner = (registry == "pensioners") & (age >= 70 if age is not None else False)
    disability = (
        (registry == "pensioners") & (data["scheme"] == "disability")
        if "scheme" in data.columns
        else pl.Series([False] * data.height)
    )
    vulnerable = (old_pensioner | (registry == "womens_scheme") | disability).fill_null(False)
    return rows.with_columns(vulnerable=vulnerable).with_columns(
        fraud_ready=pl.col("contactable") & pl.col("addressable") & pl.col("vulnerable")
    )


class Reach(Attack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = "Who can now be phoned, addressed, and targeted as a vulnerable person."
    Params: ClassVar[type] = NoParams
    reads: ClassVar[tuple[str, ...]] = ("phone", "name", "epic")

    def run(self, cell: Cell, params: NoParams) -> Outcome:
        if not cell.rows_are_people:
            raise NotApplicable(f"attack '{ATTACK_ID}': the release's rows are not people (synthetic or aggregate)")
        return Outcome(reach(cell.view, cell.aux, cell.rng, cell.knowledge), None, cell.knowledge)

    def score(self, outcome: Outcome, truth: Truth, params: NoParams) -> Scored:
        marks = outcome.guesses
        strata = truth.strata.join(truth.release.select("row_id"), on="row_id", how="semi")
        by_group = [
            breakdown_rows(marks.filter(pl.col(mark)).select("row_id"), strata, mark)
            for mark in ("contactable", "fraud_ready")
        ]
        return Scored((score_reach(marks, truth.release),), pl.concat(by_group))


ATTACK = Reach()
