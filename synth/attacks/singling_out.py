"""Singling out: released rows whose quasi-identifiers no other released row shares.

Each such row is a predicate ("the woman of 67 in ward 5 of Kalpetta") that the attacker believes
describes exactly one person. Whether it really does is decided by the scorer against the whole
population, which only a synthetic world can give.

The attack reports two figures: on age, gender and place alone (the measures ``unique_in_release``,
``unique_in_population``, ...), and, where the release prints names and ``names`` is true (the default),
again with the name among the quasi-identifiers (the same measures prefixed ``with_names_``), as a real
attacker uses every column it is given. The breakdown by stratum stays on the figure without names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NotApplicable, Outcome, Scored, Truth, raise_problems
from synth.attacks.linking import shuffled_view
from synth.core.coding import present
from synth.core.name_parts import name_parts
from synth.engine.relational import unique_rows
from synth.release.build import AttackerView
from synth.scoring.breakdown import breakdown_rows
from synth.scoring.singling_out import (
    SinglingOutWithNames,
    population_counts,
    score_singling_out,
    singled_out_rows,
)
from synth.scoring.written_names import people_name_parts, written_name_counts

ATTACK_ID = "singling_out"
QUASI_IDENTIFIERS = ("age", "gender", "district", "taluk", "local_body", "ward")
NAME = "name"  # the released full name, a quasi-identifier when the parameter ``names`` is true


@dataclass(frozen=True)
class SinglingOutParams:
    """What the scenario sets for this attack.

    Parameters
    ----------
    names
        Also single out with the released ``name`` column among the quasi-identifiers, where the release
        has one (a second set of figures, prefixed ``with_names_``); false gives only the figures on age,
        gender and place.
    """

    names: bool = True

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.names, bool):
            problems.append(f"names = {self.names!r}; allowed is true or false")
        raise_problems(ATTACK_ID, problems)


def quasi_identifiers(data: pl.DataFrame, names: bool = False) -> list[str]:
    """The quasi-identifiers present in a release (with its ``name`` first when ``names`` is true)."""
    return present(data, ((NAME,) if names else ()) + QUASI_IDENTIFIERS)


def singling_out(view: AttackerView, aux: AuxiliaryData, rng: np.random.Generator, names: bool = False) -> pl.DataFrame:
    """Rows unique in the release on its quasi-identifiers: ``row_id`` and the predicate's columns.

    Parameters
    ----------
    view
        The attacker's view of the release.
    aux
        Unused (the attack needs no auxiliary source).
    rng
        Unused (deterministic); taken so every attack has the same signature.
    names
        Count the released ``name`` among the quasi-identifiers too, where the release has one.
    """
    data = view.data
    if data.height == 0:
        raise NotApplicable(f"attack '{ATTACK_ID}': the release is empty; nothing to single out")
    keys = quasi_identifiers(data, names)
    if not keys:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': the release has no quasi-identifier (it has {', '.join(data.columns)})"
        )
    result: pl.DataFrame = unique_rows(data, keys)
    return result


class SinglingOut(Attack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = "Released rows whose quasi-identifiers no other released row shares."
    Params: ClassVar[type] = SinglingOutParams

    def run(self, cell: Cell, params: SinglingOutParams) -> Outcome:
        # Synthetic rows single people out too, when their values are unique in the population (as
        # anonymeter scores synthetic data); only the breakdown needs rows that are people.
        if "row_id" not in cell.view.data.columns:
            raise NotApplicable(f"attack '{ATTACK_ID}': the release has no rows (aggregate counts)")
        guesses = singling_out(cell.view, cell.aux, cell.rng)
        shuffled = shuffled_view(cell.view, cell.rng)  # one shuffle: both figures' baselines come from it
        baseline = singling_out(shuffled, cell.aux, cell.rng)
        named = None
        if params.names and NAME in cell.view.data.columns:
            named = (
                singling_out(cell.view, cell.aux, cell.rng, names=True),
                singling_out(shuffled, cell.aux, cell.rng, names=True),
            )
        return Outcome(guesses, baseline, cell.knowledge, extra=(cell.view.data, cell.rows_are_people, named))

    def score(self, outcome: Outcome, truth: Truth, params: Any) -> Scored:
        data, rows_are_people, named = outcome.extra
        counts = population_counts(truth.world, data, quasi_identifiers(data), truth.memo)
        assert outcome.baseline is not None
        scores: tuple[Any, ...] = (score_singling_out(outcome.guesses, outcome.baseline, data, counts),)
        if named is not None:
            guesses, baseline = named
            # counted for the keys the release and the baseline print (the predicates are rows of the release);
            # their names are read once for the counts and the score
            parts = name_parts(pl.concat([data["name"], baseline["name"]]).cast(pl.String))
            columns = quasi_identifiers(data, names=True)
            people = truth.of_world(lambda: people_name_parts(truth.world), "people_name_parts")
            # handed over, not held here: the scorer lets the counts go once it has kept the keys one person holds
            with_names = score_singling_out(
                guesses,
                baseline,
                data,
                written_name_counts(truth.world, data, columns, (data, baseline), truth.memo, parts, people),
                parts,
            )
            scores += (SinglingOutWithNames(with_names),)
        if not rows_are_people:
            return Scored(scores)
        strata = truth.strata.join(truth.release.select("row_id"), on="row_id", how="semi")
        return Scored(scores, breakdown_rows(singled_out_rows(outcome.guesses, counts), strata, "unique_in_population"))


ATTACK = SinglingOut()
