"""Re-identification by the strongest attacker: any chain of attacks that links a released row to its person.

A real adversary does not stop at one method. It links on released names, on names read from caller-ID
labels of released or recovered numbers, exactly and probabilistically; a row is re-identified when any
of those chains links it to the right roll entry. This attack adds nothing of its own: it gathers every
link the linkage attacks of the scenario made (the attacker's knowledge keeps them, one per chain) and
the scorer counts a released row as re-identified when any chain's link is its person's entry, crediting
each chain with the rows it got right (``chain=...`` groups). Each linkage attack's own figures stay in the
results beside it.

The claims are the rows with at least one link (``guesses``), so precision is the share of them that
some chain got right. For a release of a registry's own rows, a correct re-identification also tells
the attacker that the person is in the registry (draws a pension, is in the women's scheme):
``membership_disclosed`` counts those rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from synth.attacks.base import Attack, Cell, NoParams, NotApplicable, Outcome, Scored, Truth
from synth.attacks.linking import chain_rows
from synth.release.spec import OTHER_RESIDENT
from synth.scoring.breakdown import breakdown_rows
from synth.scoring.linkage import LinkageScore
from synth.scoring.stats import risk, wilson

ATTACK_ID = "reidentification"


@dataclass(frozen=True)
class ReidentificationScore(LinkageScore):
    """A linkage score over every chain (a row is right when any chain's link is its person's entry), against
    the union of the linkage baselines; and the memberships so disclosed."""

    membership_disclosed: int


def right_links(links: pl.DataFrame, release_truth: pl.DataFrame, roll_truth: pl.DataFrame) -> pl.DataFrame:
    """Every link (``row_id, epic, chain``) with ``right``: whether the entry is the row's person."""
    people = release_truth.select("row_id", "person_id")
    entries = roll_truth.select("epic", guessed="person_id")
    joined = links.join(people, on="row_id", how="left").join(entries, on="epic", how="left")
    return joined.select("row_id", "epic", "chain", right=(pl.col("person_id") == pl.col("guessed")).fill_null(False))


class Reidentification(Attack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = (
        "The strongest attacker: a released row is re-identified when any chain of attacks (hash reversal, "
        "caller-ID lookup, exact or probabilistic linkage) links it to its person."
    )
    Params: ClassVar[type] = NoParams
    reads: ClassVar[tuple[str, ...]] = ("epic",)
    needs: ClassVar[tuple[str, ...]] = ("epic",)

    def run(self, cell: Cell, params: NoParams) -> Outcome:
        if not cell.rows_are_people:
            raise NotApplicable(f"attack '{ATTACK_ID}': the release's rows are not people (synthetic or aggregate)")
        baseline = cell.baseline_links if cell.baseline_links is not None else cell.knowledge.links.clear()
        return Outcome(guesses=cell.knowledge.links, baseline=baseline, knowledge=cell.knowledge)

    def score(self, outcome: Outcome, truth: Truth, params: NoParams) -> Scored:
        assert outcome.baseline is not None
        rows = truth.release.height
        marked = right_links(outcome.guesses, truth.release, truth.roll)
        right = marked.filter(pl.col("right")).select("row_id").unique().sort("row_id")
        guesses = marked["row_id"].n_unique()
        base = right_links(outcome.baseline, truth.release, truth.roll).filter(pl.col("right"))["row_id"].n_unique()
        recall = wilson(right.height, rows)
        baseline = wilson(base, rows)
        members = truth.strata.filter(pl.col("registry") != OTHER_RESIDENT).select("row_id")
        score = ReidentificationScore(
            guesses=guesses,
            correct=right.height,
            rows=rows,
            precision=wilson(right.height, guesses),
            recall=recall,
            baseline=baseline,
            risk=risk(recall, baseline),
            membership_disclosed=right.join(members, on="row_id", how="semi").height,
        )
        strata = truth.strata.join(truth.release.select("row_id"), on="row_id", how="semi")
        by_chain = chain_rows(marked)
        return Scored((score,), pl.concat([breakdown_rows(right, strata, "recall"), by_chain], how="diagonal_relaxed"))


ATTACK = Reidentification()
