"""Singling out: released rows whose quasi-identifiers no other released row shares.

Each such row is a predicate ("the woman of 67 in ward 5 of Kalpetta") that the attacker believes
describes exactly one person. Whether it really does is decided by the scorer against the whole
population, which only a synthetic world can give.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NoParams, NotApplicable, Outcome, Scored, Truth
from synth.attacks.exact_linkage import shuffled_view
from synth.attacks.quasi_identifiers import present
from synth.measure.breakdown import breakdown_rows
from synth.measure.relational import unique_rows
from synth.measure.uniqueness import population_counts, score_singling_out, singled_out_rows
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
        raise NotApplicable(f"attack '{ATTACK_ID}': the release is empty; nothing to single out")
    keys = quasi_identifiers(data)
    if not keys:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': the release has no quasi-identifier (it has {', '.join(data.columns)})"
        )
    result: pl.DataFrame = unique_rows(data, keys)
    return result


class SinglingOut(Attack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = "Released rows whose quasi-identifiers no other released row shares."
    Params: ClassVar[type] = NoParams

    def run(self, cell: Cell, params: NoParams) -> Outcome:
        # Synthetic rows single people out too, when their values are unique in the population (as
        # anonymeter scores synthetic data); only the breakdown needs rows that are people.
        if "row_id" not in cell.view.data.columns:
            raise NotApplicable(f"attack '{ATTACK_ID}': the release has no rows (aggregate counts)")
        guesses = singling_out(cell.view, cell.aux, cell.rng)
        baseline = singling_out(shuffled_view(cell.view, cell.rng), cell.aux, cell.rng)
        return Outcome(guesses, baseline, cell.knowledge, extra=(cell.view.data, cell.rows_are_people))

    def score(self, outcome: Outcome, truth: Truth, params: Any) -> Scored:
        data, rows_are_people = outcome.extra
        counts = population_counts(truth.world, data, quasi_identifiers(data))
        assert outcome.baseline is not None
        score = score_singling_out(outcome.guesses, outcome.baseline, data, counts)
        if not rows_are_people:
            return Scored((score,))
        strata = truth.strata.join(truth.release.select("row_id"), on="row_id", how="semi")
        return Scored(
            (score,), breakdown_rows(singled_out_rows(outcome.guesses, counts), strata, "unique_in_population")
        )


ATTACK = SinglingOut()
