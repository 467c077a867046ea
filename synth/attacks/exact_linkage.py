"""Exact linkage: join the release to the electoral roll on every quasi-identifier both share.

A row gets a guess (a roll entry, by its EPIC number) only where exactly one roll entry matches all
shared quasi-identifiers; rows matching several entries, or none, get no guess.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.quasi_identifiers import roll_in_release_coding, shared_columns
from synth.errors import SpecError
from synth.measure.relational import unique_matches
from synth.release.build import AttackerView

ATTACK_ID = "exact_linkage"


def exact_linkage(view: AttackerView, aux: AuxiliaryData, rng: np.random.Generator) -> pl.DataFrame:
    """Guesses ``row_id -> epic`` where exactly one roll entry shares every quasi-identifier.

    Parameters
    ----------
    view
        The attacker's view of the (minimized) release.
    aux
        Auxiliary data; needs the electoral roll.
    rng
        Unused (the attack is deterministic); taken so every attack has the same signature.
    """
    roll = aux.require("electoral_roll", ATTACK_ID)
    data = view.data
    if data.height == 0:
        raise SpecError(f"attack '{ATTACK_ID}': the release is empty; nothing to link")
    keys = shared_columns(data)
    if not keys:
        raise SpecError(
            f"attack '{ATTACK_ID}': the release shares no quasi-identifier with the roll "
            f"(it has {', '.join(data.columns)})"
        )
    result: pl.DataFrame = unique_matches(data, roll_in_release_coding(roll, data, keys), keys, "epic")
    return result


def shuffled_view(view: AttackerView, rng: np.random.Generator) -> AttackerView:
    """The naive baseline's input: each quasi-identifier column permuted on its own, so the marginals
    stay and the link between a row's values and a real person is broken."""
    data = view.data
    cols = {c: data[c].gather(rng.permutation(data.height)) for c in shared_columns(data)}
    return AttackerView(data=data.with_columns(**cols), metadata=view.metadata)
