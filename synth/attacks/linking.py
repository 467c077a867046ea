"""What exact and probabilistic linkage share: names from the chain, links by chain, and their scoring.

A release without names (``drop_names``) is not safe from linkage when the attacker can learn names
elsewhere: a caller-ID label read from a released or recovered number gives a given name, and a given
name with the release's age, sex and ward picks out a roll entry. Both linkage attacks therefore link
every row on the name the attacker knows (:class:`~synth.attacks.knowledge.Knowledge`), released or
found, and record for each link the chain that made it (``caller_id_lookup>exact_linkage``).

A person listed twice on the roll (at home and at an old address) is two entries a row can meet. Both attacks
take entries alike in what they compare and in all the roll prints of a person (:data:`PRINTED_PERSON`) as one
person, and link to the first (:func:`one_per_printed_person`); two namesakes alike in all of that are guessed
at, as a real attacker would.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NotApplicable, Outcome, Scored, Truth
from synth.attacks.knowledge import LINK_SCHEMA, RELEASED, chain
from synth.attacks.printed import PRINTED_PERSON, printed_twice
from synth.core.coding import shared_columns
from synth.engine.io import Memo
from synth.release.build import AttackerView
from synth.scoring.breakdown import breakdown_rows
from synth.scoring.linkage import RightEntries, correct_rows, score_linkage


def one_per_printed_person(
    roll: pl.DataFrame, coded: pl.DataFrame, keys: list[str], shared: pl.Series | None = None
) -> pl.DataFrame:
    """``coded`` (the roll in the release's coding, aligned with ``roll``) with one entry, the lowest EPIC, of
    each group agreeing on ``keys`` and on :data:`PRINTED_PERSON`: a duplicate entry is not a second candidate.
    A roll that does not print all of them (no relative names) cannot tell a duplicate from a namesake: it is
    returned as it is.

    ``shared``: :func:`printed_twice` of a larger roll that ``roll`` is a part of (aligned with ``roll``; default:
    read from ``roll``). Where ``keys`` include the column the part was cut on (its district), no group spans two
    parts, and the part comes out as the larger roll's result does, cut the same way: the same entries in the same
    order.
    """
    if shared is None:
        shared = printed_twice(roll)
    if not shared.any():
        return coded
    printed = roll.filter(shared).select([pl.col(c).alias(f"printed_{c}") for c in PRINTED_PERSON])
    both = pl.concat([coded.filter(shared), printed], how="horizontal").sort("epic")
    one = both.unique(subset=sorted({*keys, *printed.columns}), keep="first", maintain_order=True)
    return pl.concat([coded.filter(~shared), one.select(coded.columns)])


def named_rows(view: AttackerView, names: pl.DataFrame) -> pl.DataFrame:
    """``row_id`` and ``name``/``name_by`` of the rows whose name the attacker learnt elsewhere (the release
    does not name them)."""
    data = view.data
    found = names.filter(pl.col("by") != RELEASED).select("row_id", "name", name_by="by")
    if "name" in data.columns:
        unnamed = data.filter(pl.col("name").is_null()).select("row_id")
        found = found.join(unnamed, on="row_id", how="semi")
    return found


def shuffled_view(view: AttackerView, rng: np.random.Generator) -> AttackerView:
    """The naive baseline's input: each quasi-identifier column permuted on its own, so the marginals
    stay and the link between a row's values and a real person is broken."""
    data = view.data
    cols = {c: data[c].gather(rng.permutation(data.height)) for c in shared_columns(data)}
    return AttackerView(data=data.with_columns(**cols), metadata=view.metadata)


def blinded(view: AttackerView, names: pl.DataFrame, rng: np.random.Generator) -> tuple[AttackerView, pl.DataFrame]:
    """:func:`shuffled_view`, and the learnt names permuted on their own too."""
    view = shuffled_view(view, rng)  # the columns first, then the names: the draws in that order
    return view, names.with_columns(pl.col("name", "name_by").gather(rng.permutation(names.height)))


def scope_for_names(view: AttackerView, names: pl.DataFrame, scope: RightEntries | None) -> RightEntries | None:
    """``scope`` for the links on learnt names, unless a row named there is also named by ``view``: then None.

    A row with links of both kinds is guessed by its link on the learnt name (:func:`one_per_row`), right or
    wrong. Leaving out such a link that cannot be right would let the row's direct link (which may be right) stand
    in for it, and change the baseline's figure; the direct links need no such care (a row's link on a learnt name,
    where it has one, is chosen either way). Only a baseline names a row both ways: it shuffles the released names
    apart from the rows the learnt names are of.
    """
    if scope is None or "name" not in view.data.columns:
        return scope
    named = view.data.filter(pl.col("name").is_not_null()).select("row_id")
    return None if names.join(named, on="row_id", how="semi").height else scope


class LinkageAttack(Attack):
    """A linkage attack to the electoral roll: guesses ``row_id -> epic``, one per row, each by a chain."""

    sources: ClassVar[tuple[str, ...]] = ("electoral_roll",)
    reads: ClassVar[tuple[str, ...]] = ("name",)
    adds: ClassVar[tuple[str, ...]] = ("epic",)

    @abstractmethod
    def link(
        self,
        view: AttackerView,
        names: pl.DataFrame,
        aux: AuxiliaryData,
        rng: np.random.Generator,
        params: Any,
        memo: Memo | None = None,
        scope: RightEntries | None = None,
    ) -> pl.DataFrame:
        """``row_id``, ``epic`` and ``chain`` of every link made from the view and the learnt names (a row may
        have one link per chain), and any column the attack scores them by (kept in ``Outcome.extra``). ``memo``
        may keep a costly part under the content key of its inputs (:attr:`Cell.memo`). ``scope``, given for the
        baseline only: the links that cannot be right may be left out (:class:`RightEntries`; see
        :func:`scope_for_names` for those on learnt names)."""

    def run(self, cell: Cell, params: Any) -> Outcome:
        if not cell.rows_are_people:
            raise NotApplicable(f"attack '{self.id}': the release's rows are not people (synthetic or aggregate)")
        if cell.view.data.height == 0:
            raise NotApplicable(f"attack '{self.id}': the release is empty; nothing to link")
        names = named_rows(cell.view, cell.knowledge.known("name"))
        scanned = self.link(cell.view, names, cell.aux, cell.rng, params, cell.memo)
        links = self.accepted(scanned, params)
        blind_view, blind_names = blinded(cell.view, names, cell.rng)
        blind = self.link(blind_view, blind_names, cell.aux, cell.rng, params, cell.memo, cell.baseline_scope)
        blind_links = self.accepted(blind, params)
        knowledge = cell.knowledge.link(links, cell.aux.electoral_roll)
        return Outcome(
            guesses=one_per_row(links, self.id),
            baseline=one_per_row(blind_links, self.id),
            knowledge=knowledge,
            baseline_links=blind_links.select(LINK_SCHEMA.keys()),
            extra=scanned,
        )

    def accepted(self, links: pl.DataFrame, params: Any) -> pl.DataFrame:
        """The links the attacker acts on, of those :meth:`link` made (all of them, unless the attack also
        scores candidates it does not act on), in :data:`LINK_SCHEMA`."""
        return links.select(LINK_SCHEMA.keys())

    def score(self, outcome: Outcome, truth: Truth, params: Any) -> Scored:
        assert outcome.baseline is not None
        guesses = outcome.guesses.select("row_id", "epic")
        baseline = outcome.baseline.select("row_id", "epic")
        score = score_linkage(guesses, baseline, truth.release, truth.roll, rows=truth.release.height)
        right = correct_rows(guesses, truth.release, truth.roll)
        strata = truth.strata.join(truth.release.select("row_id"), on="row_id", how="semi")
        marked = outcome.guesses.with_columns(right=pl.col("row_id").is_in(right["row_id"].implode()))
        by_chain = chain_rows(marked)
        return Scored((score,), pl.concat([breakdown_rows(right, strata, "recall"), by_chain], how="diagonal_relaxed"))


def chain_rows(marked: pl.DataFrame) -> pl.DataFrame:
    """``group = chain=...`` rows: each chain's guesses and correct guesses, from links marked ``right``."""
    counts = marked.group_by("chain").agg(guesses=pl.len(), correct=pl.col("right").sum()).sort("chain")
    long = counts.unpivot(index="chain", on=["guesses", "correct"], variable_name="measure")
    return long.select(
        group=pl.format("chain={}", "chain"),
        measure="measure",
        value=pl.col("value").cast(pl.Float64),
        ci_low=pl.lit(None, pl.Float64),
        ci_high=pl.lit(None, pl.Float64),
    )


def all_links(direct: pl.DataFrame, chained: pl.DataFrame, attack_id: str) -> pl.DataFrame:
    """Every link: the direct ones (``row_id, epic``, on what the release says) and the chained ones
    (``row_id, epic, name_by``, on a name an earlier attack found), each with its chain."""
    chained = chained.select("row_id", "epic", chain=chain(pl.col("name_by"), attack_id))
    direct = direct.select("row_id", "epic", chain=pl.lit(attack_id))
    return pl.concat([direct, chained]).cast(pl.Schema(LINK_SCHEMA)).sort("row_id", "chain")


def one_per_row(links: pl.DataFrame, attack_id: str) -> pl.DataFrame:
    """The attack's own guess for each row: a link on a name an earlier attack found (it uses more of what
    the attacker knows) where there is one, else the direct link."""
    direct = pl.col("chain") == attack_id
    return links.sort("row_id", direct).unique("row_id", keep="first", maintain_order=True)
