"""Score attack guesses against the hidden truth, after the attack has run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from synth.engine.io import content_key
from synth.scoring.stats import Rate, Risk, risk, wilson


@dataclass(frozen=True)
class LinkageScore:
    """How many of a linkage attack's guesses were right (``correct``), as a share of guesses
    (``precision``) and of released rows (``recall``), with Wilson intervals, against a baseline."""

    guesses: int
    correct: int
    rows: int
    precision: Rate
    recall: Rate
    baseline: Rate
    risk: Risk


def correct_rows(guesses: pl.DataFrame, release_truth: pl.DataFrame, roll_truth: pl.DataFrame) -> pl.DataFrame:
    """``row_id`` of the guesses whose roll entry is the released row's person (for breakdowns)."""
    joined = guesses.join(release_truth.select("row_id", "person_id"), on="row_id", how="inner").join(
        roll_truth.select("epic", guessed="person_id"), on="epic", how="inner"
    )
    return joined.filter(pl.col("person_id") == pl.col("guessed")).select("row_id").sort("row_id")


def correct_links(guesses: pl.DataFrame, release_truth: pl.DataFrame, roll_truth: pl.DataFrame) -> int:
    """Guesses whose roll entry is the released row's person."""
    return correct_rows(guesses, release_truth, roll_truth).height


@dataclass(frozen=True)
class RightEntries:
    """Which roll entries are a released row's person: the truth a linkage baseline is scored by, lent to the
    baseline (never to the attack) so that it scans only the rows it can get right.

    A linkage baseline (the attack on a view whose columns were shuffled one by one) counts only by its right
    links: its recall in :func:`score_linkage`, and re-identification's baseline. A row's guess depends only on
    its own candidate pairs, and a candidate shares the row's keys that every pair must agree on (the place every
    block lies in; for exact linkage, every key but the name and the age). A row whose person has no entry with
    those keys can make no right link, so leaving it unscanned changes no right link and no figure; after the
    shuffle that is nearly every row.

    Parameters
    ----------
    release
        ``row_id`` and ``person_id`` of the released rows.
    roll
        ``epic`` and ``person_id`` of the roll's entries.
    world_key
        What identifies the world the truth is of (its files), for :attr:`key`.
    """

    release: pl.DataFrame
    roll: pl.DataFrame
    world_key: str

    @cached_property
    def key(self) -> str:
        """The content key of this truth, for the keys of results kept in a result store."""
        return content_key("right_entries", self.release.select("row_id", "person_id"), self.world_key)

    def reachable(self, rows: pl.DataFrame, entries: pl.DataFrame, on: Sequence[str]) -> pl.Series:
        """Whether each of ``rows`` (``row_id`` and the columns ``on``) has its person among ``entries``
        (``epic`` and ``on``) with the same values of ``on`` (a null agrees with nothing); every row where ``on``
        is empty, since then nothing narrows a row's candidates.

        Examples
        --------
        >>> truth = RightEntries(pl.DataFrame({"row_id": [1, 2], "person_id": [7, 8]}),
        ...                      pl.DataFrame({"epic": ["A", "B"], "person_id": [7, 8]}), "w")
        >>> rows = pl.DataFrame({"row_id": [1, 2], "ward": [3, 3]})
        >>> truth.reachable(rows, pl.DataFrame({"epic": ["A", "B"], "ward": [3, 4]}), ["ward"]).to_list()
        [True, False]
        """
        if not on:
            return pl.repeat(True, rows.height, eager=True)
        people = rows.select("row_id", *on).join(self.release.select("row_id", "person_id"), on="row_id")
        theirs = self.roll.select("epic", "person_id").join(people.select("person_id").unique(), on="person_id")
        schema = rows.schema
        listed = entries.select("epic", *[pl.col(c).cast(schema[c]) for c in on]).join(theirs, on="epic")
        right = people.join(listed, on=["person_id", *on], how="semi")["row_id"]
        return rows["row_id"].is_in(right.implode())


def score_linkage(
    guesses: pl.DataFrame, baseline: pl.DataFrame, release_truth: pl.DataFrame, roll_truth: pl.DataFrame, rows: int
) -> LinkageScore:
    """Score an attack and its baseline (the same attack on a shuffled view) against the truth."""
    correct = correct_links(guesses, release_truth, roll_truth)
    base_correct = correct_links(baseline, release_truth, roll_truth)
    recall = wilson(correct, rows)
    base = wilson(base_correct, rows)
    return LinkageScore(
        guesses=guesses.height,
        correct=correct,
        rows=rows,
        precision=wilson(correct, guesses.height),
        recall=recall,
        baseline=base,
        risk=risk(recall, base),
    )


PRECISIONS = (0.9, 0.95, 0.99)  # what an attacker might accept, from a campaign's list to a fraud's


@dataclass(frozen=True)
class ProbabilisticLinkageScore(LinkageScore):
    """A :class:`LinkageScore` at the scenario's threshold, and the recall the same model reaches at each
    precision an attacker might accept (:data:`PRECISIONS`), its threshold set with the truth in hand.

    ``recall_at_precision_90`` is the largest recall of any threshold on the match probability whose
    guesses are at least 90% right (over the guesses the attack scored, down to its lowest threshold), and
    ``threshold_at_precision_90`` that threshold (None where no threshold reaches the precision).
    """

    recall_at_precision_90: Rate
    recall_at_precision_95: Rate
    recall_at_precision_99: Rate
    threshold_at_precision_90: float | None
    threshold_at_precision_95: float | None
    threshold_at_precision_99: float | None


def precision_curve(scored: pl.DataFrame, release_truth: pl.DataFrame, roll_truth: pl.DataFrame) -> pl.DataFrame:
    """For each distinct ``match_probability`` of ``scored`` (``row_id``, ``epic``, ``match_probability``,
    one guess per row), highest first: the guesses at or above it and how many are right.

    Returns
    -------
    polars.DataFrame
        ``threshold``, ``guesses``, ``correct`` (cumulative), one row per distinct probability.
    """
    right = correct_rows(scored, release_truth, roll_truth)
    marked = scored.with_columns(right=pl.col("row_id").is_in(right["row_id"].implode()))
    per = marked.group_by("match_probability").agg(guesses=pl.len(), correct=pl.col("right").sum())
    per = per.sort("match_probability", descending=True)
    return per.select(
        threshold="match_probability",
        guesses=pl.col("guesses").cum_sum(),
        correct=pl.col("correct").cast(pl.Int64).cum_sum(),
    )


def recall_at_precision(curve: pl.DataFrame, precision: float, rows: int) -> tuple[Rate, float | None]:
    """The largest recall (of ``rows``) of a threshold of ``curve`` whose precision is at least
    ``precision``, and that threshold (None, and a recall of 0, where none reaches it)."""
    reached = curve.filter(pl.col("correct") >= precision * pl.col("guesses"))
    if reached.height == 0:
        return wilson(0, rows), None
    best = reached.sort(["correct", "threshold"], descending=[True, True]).row(0, named=True)
    return wilson(int(best["correct"]), rows), float(best["threshold"])
