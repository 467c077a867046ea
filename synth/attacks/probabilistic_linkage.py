"""Probabilistic linkage: Fellegi-Sunter record linkage of the release to the electoral roll, with Splink.

Exact linkage misses everyone whose roll entry differs from the release in any detail: a name spelt
another way (Sooraj and Suraj), an age a year off, a voter still listed in the ward they left. A real
adversary uses the field's tool instead. Splink (DuckDB backend) compares each release row with the
roll entries of its block on every shared field, learns how much agreement on each field is worth
without any labels (u by random sampling, m by expectation maximisation), and scores each pair with a
match probability. An exact name counts for more the rarer it is (term frequencies of release and roll
together, computed once over the whole input).

Training learns every comparison's m and u, sex included, with or without wards. Expectation
maximisation assumes fields agree independently given match status, and names are not independent of
sex or of birth cohort: among pairs that share a common name, namesakes outnumber true matches and
agree on sex, so a pass that learns age or sex from them learns the namesakes' ages instead (without
wards, the m of "same age" came out at 0.08). Each pass therefore blocks on fields that make true
matches a large share of its pairs (see :func:`synth.attacks.splink_model._training_blocks`), and the passes that
block on the name keep only names that at most :data:`~synth.attacks.splink_model.MAX_NAMESAKES` voters of the roll
hold (more where that leaves the pass no pair to train on: :func:`~synth.attacks.splink_model.rarity`).

A row gets a guess (the roll entry with the highest match probability) where that probability reaches
the scenario's threshold and no other entry ties with it.

Linkage runs district by district, as rolls are published: every block lies inside one district, so no
candidate pair is lost. The model is trained once, on districts drawn at random (seeded) until they hold
``train_rows`` release rows (a one-district release: that district, whole), and scores every district;
each district is then scored in batches of release rows whose blocks hold at most ``batch_pairs`` pairs the
model can keep, with the roll entries of the places those rows lie in. Every block lies inside one place, and a row's
guess depends only on its own pairs, so batching changes no guess; it bounds memory by the batch, not by
the district (5-year age bands or a release without wards make blocks of hundreds of voters).

The attacker reads a name across the formats sources write it in (:mod:`synth.core.name_parts`): its given
name, and initials that must fit those a roll entry supports (of its printed name, house name and relative). It
normalises the given name with a public transliteration key (``name_key``): lower case, aspirates and long vowels
folded (th -> t, sh -> s, ee -> i, oo -> u, w -> v, y -> i), doubled letters single. Sreedevi and Sridevi, Shyam
and Syam, Rohith and Roheeth share a key. The agreement of a given name is weighed by how common it is (Splink's
term frequencies of the key).

Splink scores each pair on its own; the attacker then lets a row's candidates compete, since the roll lists a
person once (:func:`~synth.attacks.splink_model.predict_links`, with ``roll_coverage``): the match probability
of a link is the probability that the entry is the row's person among its rivals.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Cell, NotApplicable, Outcome, Scored, Truth, raise_problems
from synth.attacks.knowledge import LINK_SCHEMA, chain
from synth.attacks.linkage_inputs import (
    ROLL_NAMES,
    SUPPORTED,
    blocking_rules,
    by_district,
    features_with,
    linkage_inputs,
    name_frequencies,
    pair_batches,
    paired_entries,
    place_columns,
    training_districts,
)
from synth.attacks.linking import (
    LinkageAttack,
    one_per_printed_person,
    one_per_row,
    scope_for_names,
)
from synth.attacks.live_pairs import least_frequencies, live_shares, narrowed
from synth.attacks.splink_model import (
    GUESSES,
    PAIR_FLOOR,
    counted_levels,
    fit_model,
    most_blocked_first,
    predict_links,
)
from synth.checks import whole
from synth.core.coding import present
from synth.core.name_parts import INITIALS, given_only
from synth.engine.io import Memo, content_key
from synth.release.build import AttackerView
from synth.scoring.linkage import (
    PRECISIONS,
    ProbabilisticLinkageScore,
    RightEntries,
    precision_curve,
    recall_at_precision,
)
from synth.version import __version__

ATTACK_ID = "probabilistic_linkage"
COMPARED = ("name", "relative_name", "age", "gender", "district", "taluk", "local_body", "ward")
# Links are scored down to this match probability, to find the recall at each precision an attacker might
# accept; the guesses are those at the scenario's threshold.
SCAN_FLOOR = 0.01


@dataclass(frozen=True)
class ProbabilisticLinkageParams:
    """What the scenario sets for this attack.

    Parameters
    ----------
    threshold
        Smallest match probability that makes a guess, in (0, 1).
    recall
        The attacker's prior for the share of true matches that a strict deterministic rule finds,
        used to estimate the share of pairs that match; in (0, 1].
    max_pairs
        Pairs sampled to estimate the u probabilities, and at most in each training pass. At 3 x 10^6 the
        recall of five training seeds on Wayanad spans half a point; at 10^6 it spanned 1.6 points.
    train_rows
        Release rows the model is trained on, at least: whole districts drawn at random until they hold
        this many (all districts when the release has no more).
    batch_pairs
        Candidate pairs compared at once: a batch closes once it holds this many, so it exceeds them by at
        most one row's pairs. The pairs of a blocking rule are counted at the share of them the trained model
        can keep, less those that predictions count one a row and level of the names
        (:func:`~synth.attacks.live_pairs.live_shares`, from a sample). Bounds memory without changing any guess.
    roll_coverage
        The attacker's prior that a released person has an entry on the roll, in (0, 1): a row's candidates
        compete for it (:func:`~synth.attacks.splink_model.predict_links`). Public figures give about 0.97 in
        Kerala 2026 (26,953,644 electors against about 2.78 crore people aged 18 and over); 0.95 allows for the
        entries of the dead and the duplicates.
    """

    threshold: float = 0.9
    recall: float = 0.7
    max_pairs: float = 3e6
    train_rows: int = 200_000
    batch_pairs: int = 4_000_000
    roll_coverage: float = 0.95

    def __post_init__(self) -> None:
        problems = []
        if not (isinstance(self.threshold, int | float) and 0 < self.threshold < 1):
            problems.append(f"threshold = {self.threshold!r}; allowed is a probability in (0, 1)")
        if not (isinstance(self.roll_coverage, int | float) and 0 < self.roll_coverage < 1):
            problems.append(f"roll_coverage = {self.roll_coverage!r}; allowed is a share in (0, 1)")
        if not (isinstance(self.recall, int | float) and 0 < self.recall <= 1):
            problems.append(f"recall = {self.recall!r}; allowed is a share in (0, 1]")
        if not (isinstance(self.max_pairs, int | float) and self.max_pairs >= 1_000):
            problems.append(f"max_pairs = {self.max_pairs!r}; allowed is at least 1000")
        if not whole(self.train_rows, 1):
            problems.append(f"train_rows = {self.train_rows!r}; allowed is a whole number above 0")
        if not whole(self.batch_pairs, 1_000):
            problems.append(f"batch_pairs = {self.batch_pairs!r}; allowed is a whole number of at least 1000")
        raise_problems(ATTACK_ID, problems)


def probabilistic_linkage(
    view: AttackerView,
    aux: AuxiliaryData,
    rng: np.random.Generator,
    params: ProbabilisticLinkageParams | None = None,
    floor: float | None = None,
    memo: Memo | None = None,
    scope: RightEntries | None = None,
) -> pl.DataFrame:
    """Guesses ``row_id -> epic`` (with ``match_probability``) from a Fellegi-Sunter model fitted by Splink.

    Parameters
    ----------
    view
        The attacker's view of the release; needs names.
    aux
        Auxiliary data; needs the electoral roll.
    rng
        Seeds the random sampling of pairs for the u probabilities.
    params
        Threshold and training settings (defaults: :class:`ProbabilisticLinkageParams`).
    floor
        The lowest match probability a best pair is kept at (default: the threshold). Lower, it returns the
        pairs below the threshold too, to score the recall the model reaches at other thresholds; a row's best
        pair does not depend on it.
    memo
        Keeps the result under the content key of everything it depends on (the released columns it compares,
        the roll, the parameters, the floor, the seed drawn from ``rng`` and this code's version) and reuses it
        for equal inputs: the policies that release the same quasi-identifiers (``hmac``, ``tokenize``,
        ``as_exported``) share one model and one scan. ``rng`` is drawn from the same way either way.
    scope
        For a baseline: the model is trained as without it, but only the rows whose person has an entry in the
        place their blocks lie in are scored (:class:`~synth.scoring.linkage.RightEntries`; the others could make
        no right link), against the entries a blocking rule pairs them with (the only ones they are compared with).

    Returns
    -------
    polars.DataFrame
        ``row_id``, ``epic``, ``match_probability``: one row per guessed release row, by ``row_id``.
    """
    params = params or ProbabilisticLinkageParams()
    roll = aux.require("electoral_roll", ATTACK_ID)
    data = view.data
    if data.height == 0:
        raise NotApplicable(f"attack '{ATTACK_ID}': the release is empty; nothing to link")
    if "name" not in data.columns:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': needs the column 'name', which the release lacks (it has {', '.join(data.columns)})"
        )
    cols = present(data, COMPARED)
    seed = int(rng.integers(2**31 - 1))
    compared = data.select("row_id", *cols)  # everything of the release the result depends on

    def compute() -> pl.DataFrame:
        read = roll.with_columns(aux.roll_initials[INITIALS].alias(SUPPORTED))  # read once per source
        parts = by_district(compared, roll, cols)
        training = training_districts(parts, params.train_rows, seed)
        ages = compared["age"] if "age" in cols else None
        features = features_with(aux.roll_name_features, compared["name"])
        tf = name_frequencies(compared, roll, features, aux.roll_name_counts)
        # the keys hold the district, so a district's entries merge among themselves, as in the whole roll
        shared = aux.roll_printed_twice
        keys = [ROLL_NAMES[c] for c in cols]

        def entries(district: str) -> pl.DataFrame:
            here = parts[district][1]
            if here is None:
                return one_per_printed_person(read, read, keys, shared)
            part = read.filter(here)
            return one_per_printed_person(part, part, keys, shared.filter(here))

        place = place_columns(cols)

        def inputs(districts: list[str], scoped: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
            rel = pl.concat([parts[d][0] for d in districts])
            rol = pl.concat([entries(d) for d in districts])
            if not (scoped and scope is not None):
                return linkage_inputs(rel, rol, cols, ages, features)
            rel, rol = reachable_only(scope, rel, rol, place)
            if rel.height == 0:
                return rel, rol  # nothing to score in these districts
            rel, rol = linkage_inputs(rel, rol, cols, ages, features)
            return rel, paired_entries(rel, rol, cols)

        trained_on = inputs(training)  # the model learns from every row, scope or not
        model = fit_model(*trained_on, cols, params, seed, tf)
        # a model trained on one district scores it from the same inputs (those of that district), read once;
        # those of several districts are let go
        reuse = dict.fromkeys(training, trained_on) if len(training) == 1 and scope is None else {}
        del trained_on
        # batches are cut by the pairs compared: those the model, narrowed, can keep, less those predictions count
        live = narrowed(model, PAIR_FLOOR, least_frequencies(tf))
        guesses = []
        for d in sorted(parts):
            rel, rol = reuse.pop(d) if d in reuse else inputs([d], scoped=True)
            if rel.height == 0:
                continue
            shares = compared_shares(model, live, tf, rel, rol, cols, seed)
            scan = most_blocked_first(model, rel, rol, cols)
            for left, right in pair_batches(rel, rol, cols, params.batch_pairs, shares):
                cut = params.threshold if floor is None else floor
                guesses.append(predict_links(scan, left, right, cut, tf, params.roll_coverage))
            del rel, rol  # before the next district's inputs are read
        return pl.concat(guesses).sort("row_id") if guesses else pl.DataFrame(schema=GUESSES)

    if memo is None:
        return compute()
    truth = None if scope is None else scope.key
    return memo(content_key(ATTACK_ID, __version__, compared, aux.roll_key, params, floor, seed, truth), compute)


def compared_shares(
    model: dict[str, Any],
    live: dict[str, Any],
    tf: dict[str, pl.DataFrame],
    rel: pl.DataFrame,
    rol: pl.DataFrame,
    cols: list[str],
    seed: int,
) -> list[float]:
    """The share of each blocking rule's pairs that predictions compare, from a sample seeded by ``seed``
    (:func:`~synth.attacks.live_pairs.live_shares`): those the model, narrowed (``live``), can keep, less those they
    count one a row and level of the names (:func:`~synth.attacks.splink_model.counted_levels`, under the term
    frequencies ``tf`` of the whole input). Batches are cut by them (``pair_batches``)."""
    counting = counted_levels(model, least_frequencies(tf), cols)
    rules = blocking_rules(cols)
    counted = (rules.index(counting[0]), *counting[1:]) if counting and counting[0] in rules else None
    return live_shares(model, rel, rol, place_columns(cols), live, seed, counted)


def reachable_only(
    scope: RightEntries, rows: pl.DataFrame, entries: pl.DataFrame, place: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The release ``rows`` whose person has one of the roll's ``entries`` (its duplicates merged) in the place their
    blocks lie in (``place``: one column, or none), and the entries of those rows' places.

    A row's guess depends only on its pairs, all inside its place: the rows kept get the guesses they get beside
    every other row, and the others could make no right link. The entries of other places would pair with none of
    the rows kept; they count only in training (how many voters hold a name), which saw every entry."""
    if not place:
        return rows, entries
    (column,) = place
    listed = pl.col(ROLL_NAMES[column]).cast(pl.String)
    kept = rows.filter(
        scope.reachable(
            rows.select("row_id", pl.col(column).cast(pl.String)), entries.select("epic", listed.alias(column)), place
        )
    )
    return kept, entries.filter(listed.is_in(kept[column].cast(pl.String).unique().implode()))


class ProbabilisticLinkage(LinkageAttack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = (
        "Fellegi-Sunter linkage to the roll with Splink (names with their spelling variants, age, gender, "
        "place), on the released names or those an earlier attack found."
    )
    Params: ClassVar[type] = ProbabilisticLinkageParams

    def link(
        self,
        view: AttackerView,
        names: pl.DataFrame,
        aux: AuxiliaryData,
        rng: np.random.Generator,
        params: ProbabilisticLinkageParams,
        memo: Memo | None = None,
        scope: RightEntries | None = None,
    ) -> pl.DataFrame:
        """Links on the released names (one model), and links of the rows named by an earlier attack on their
        given name (a model of their own: a caller-ID label gives a given name, seldom the initials and
        titles the roll prints, so those rows and the roll are compared on the given name)."""
        data = view.data
        if "name" not in data.columns and names.height == 0:
            raise NotApplicable(
                f"attack '{ATTACK_ID}': the release has no names and no earlier attack found any "
                f"(it has {', '.join(data.columns)})"
            )
        floor = min(params.threshold, SCAN_FLOOR)
        parts = []
        if "name" in data.columns:
            direct = probabilistic_linkage(view, aux, rng, params, floor, memo, scope)
            parts.append(direct.with_columns(chain=pl.lit(ATTACK_ID)))
        if names.height:
            aux.require("electoral_roll", ATTACK_ID)  # an error that names this attack, not the roll's reading
            named = data.drop("name", strict=False).join(names.select("row_id", "name"), on="row_id")
            found = probabilistic_linkage(
                AttackerView(data=given_only(named), metadata=view.metadata),
                aux.given_names_only,
                rng,
                params,
                floor,
                memo,
                scope_for_names(view, names, scope),
            )
            by = names.select("row_id", chain=chain(pl.col("name_by"), ATTACK_ID))
            parts.append(found.join(by, on="row_id"))
        schema = pl.Schema({**LINK_SCHEMA, "match_probability": pl.Float64})
        return pl.concat(parts).select(schema.names()).cast(schema).sort("row_id", "chain")

    def run(self, cell: Cell, params: ProbabilisticLinkageParams) -> Outcome:
        """:meth:`LinkageAttack.run`, with the roll of given names (:attr:`AuxiliaryData.given_names_only`) read once
        for the attack and its baseline, and let go after them (the attacks after it never read it)."""
        try:
            return super().run(cell, params)
        finally:
            cell.aux.let_go("given_names_only")

    def accepted(self, links: pl.DataFrame, params: ProbabilisticLinkageParams) -> pl.DataFrame:
        """The links at or above the scenario's threshold (:meth:`link` scores them down to
        :data:`SCAN_FLOOR`)."""
        return links.filter(pl.col("match_probability") >= params.threshold).select(LINK_SCHEMA.keys())

    def score(self, outcome: Outcome, truth: Truth, params: ProbabilisticLinkageParams) -> Scored:
        """The linkage score at the threshold, with the recall at each precision of :data:`PRECISIONS`."""
        scored = super().score(outcome, truth, params)
        at: dict[str, Any] = {}
        base = scored.scores[0]
        scanned = one_per_row(outcome.extra, self.id).select("row_id", "epic", "match_probability")
        curve = precision_curve(scanned, truth.release, truth.roll)
        for precision in PRECISIONS:
            level = round(precision * 100)
            at[f"recall_at_precision_{level}"], at[f"threshold_at_precision_{level}"] = recall_at_precision(
                curve, precision, base.rows
            )
        fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
        return Scored((ProbabilisticLinkageScore(**fields, **at),), scored.breakdown)

    def caveats(self, outcome: Outcome, params: ProbabilisticLinkageParams) -> tuple[str, ...]:
        if outcome.guesses.height:
            return ()
        return (
            f"made no guess: no pair reached the match-probability threshold of {params.threshold} under the model "
            "it trained, so its figures (0) are a lower bound of what a calibrated attacker links",
        )


ATTACK = ProbabilisticLinkage()
