"""Singling out: released rows whose quasi-identifiers no other released row shares.

Each such row is a predicate ("the woman of 67 in ward 5 of Kalpetta") that the attacker believes
describes exactly one person. Whether it really does is decided by the scorer against the whole
population, which only a synthetic world can give.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.quasi_identifiers import present
from synth.errors import SpecError
from synth.measure.relational import unique_rows
from synth.release.build import AttackerView

ATTACK_ID = "singling_out"
QUASI_IDENTIFIERS = ("age", "gender", "district", "taluk", "local_body", "ward")


def quasi_identifiers(data: pl.DataFrame) -> list[str]:
    """The quasi-identifiers present in a release."""
    return present(data, QUASI_IDENTIFIERS)


def singling_out(view: AttackerView, aux: AuxiliaryData, rng: np.random.Generator) -> pl.DataFrame:
    """Rows unique in the release on its quasi-identifiers: ``row_id`` and the predicate's columns.

    Parameters
    ----------
    view
        The attacker's view of the release.
    aux
        Unused (the attack needs no auxiliary source).
    rng
        Unused (deterministic); taken so every attack has the same signature.
    """
    data = view.data
    if data.height == 0:
        raise SpecError(f"attack '{ATTACK_ID}': the release is empty; nothing to single out")
    keys = quasi_identifiers(data)
    if not keys:
        raise SpecError(f"attack '{ATTACK_ID}': the release has no quasi-identifier (it has {', '.join(data.columns)})")
    result: pl.DataFrame = unique_rows(data, keys)
    return result
