"""Score attribute inference against the truth: the real attribute of each voter the attack labelled."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from synth.core.coding import NEGATIVE, SECRETS
from synth.errors import SpecError
from synth.scoring.stats import Rate, Risk, risk, wilson
from synth.world.api import World


def true_secrets(world: World, secret: str) -> pl.DataFrame:
    """``epic`` and ``truth`` (a categorical, as the attack's labels are) for every roll entry of a living or moved
    person (ghosts have no truth), by epic."""
    if secret not in SECRETS:
        raise SpecError(f"unknown secret '{secret}'; allowed are {', '.join(SECRETS)}")
    roll = world.table("roll_truth").filter(pl.col("person_id").is_not_null() & (pl.col("person_id") >= 0))
    if secret == "widowhood":
        people = world.people.select("person_id", yes=pl.col("marital_status") == "widowed")
    elif secret == "disability":
        people = world.people.select("person_id", yes=pl.col("disabled"))
    elif secret == "womens_scheme":
        members = world.table("womens_scheme").select("person_id").unique()
        people = world.people.select("person_id").join(
            members.with_columns(yes=pl.lit(True)), on="person_id", how="left"
        )
    else:
        # A person with two pensions is not possible in the world (one welfare pension per person).
        schemes = world.table("pensioners").select("person_id", truth=pl.col("scheme").cast(pl.String))
        truth = roll.join(schemes, on="person_id", how="left").select(
            "epic", pl.col("truth").fill_null(NEGATIVE).cast(pl.Categorical)
        )
        return truth.collect().sort("epic")
    people = people.select("person_id", truth=pl.when(pl.col("yes")).then(pl.lit("yes")).otherwise(pl.lit(NEGATIVE)))
    truth = roll.join(people, on="person_id", how="left").select("epic", pl.col("truth").cast(pl.Categorical))
    return truth.collect().sort("epic")


def right_labels(predictions: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """``epic`` of the voters whose inferred label (``none`` included) is the true one (for breakdowns), in the order
    of ``truth``."""
    return _right(_labelled(truth, predictions.select("epic", "prediction")))


def _labelled(truth: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """The voters of ``truth`` that ``labels`` label, with both, in the order of ``truth``."""
    return truth.join(labels, on="epic", how="inner", maintain_order="left")


def _right(labelled: pl.DataFrame) -> pl.DataFrame:
    return labelled.filter(pl.col("prediction") == pl.col("truth")).select("epic")


@dataclass(frozen=True)
class InferenceScore:
    """How well an attribute was inferred for the voters the truth knows.

    ``guesses`` are voters given a positive label (anything but ``none``); ``correct`` those whose label
    is the true one. ``accuracy`` counts every voter, against the majority-class baseline's accuracy.
    """

    targets: int
    guesses: int
    correct: int
    accuracy: Rate
    baseline: Rate
    precision: Rate
    recall: Rate
    risk: Risk


def score_inference(predictions: pl.DataFrame, baseline: pl.DataFrame, truth: pl.DataFrame) -> InferenceScore:
    """Score an attack's labels and its baseline's (same function, majority model) against ``truth``."""
    return scored_with_right_labels(predictions, baseline, truth)[0]


def scored_with_right_labels(
    predictions: pl.DataFrame, baseline: pl.DataFrame, truth: pl.DataFrame
) -> tuple[InferenceScore, pl.DataFrame]:
    """:func:`score_inference` of the labels, and every voter of ``truth`` (``epic``, in its order) marked ``success``
    where ``predictions`` labels it right: the :func:`right_labels` as marks, which a breakdown whose strata list the
    voters in that order reads without looking an epic up (:func:`synth.scoring.breakdown.breakdown_rows`).

    Each voter is looked up in ``truth`` once for both labels where ``baseline`` labels the same voters in the same
    order, as an attack and its baseline do (every roll entry, in the roll's order). Over the whole state a lookup
    joins 2.7 crore voters by their epic. Where ``predictions`` labels a voter twice, each label counts (as in
    :func:`score_inference`), and the marks hold only the voters labelled right."""
    same_voters = baseline["epic"].equals(predictions["epic"])
    labels = predictions.select("epic", "prediction", **({"base": baseline["prediction"]} if same_voters else {}))
    # The truth's voters with their labels, without their epics (the marks take the truth's own), streamed: over the
    # whole state the join held 1.2 GiB less than in memory (the epics and the join's tables) and took about 10 s longer
    labelled = labels.lazy().with_columns(_labelled=pl.lit(True))
    joined = truth.lazy().join(labelled, on="epic", how="left", maintain_order="left")
    marked = joined.drop("epic").collect(engine="streaming")
    if marked.height != truth.height:  # a voter labelled twice: the marks cannot follow the truth's rows
        attack = _labelled(truth, predictions.select("epic", "prediction"))
        base = _labelled(truth, baseline.select("epic", "prediction"))
        return _score(attack, base), _right(attack).with_columns(success=pl.lit(True))
    attack = marked.filter(pl.col("_labelled"))
    base = (
        attack.select("truth", prediction="base")
        if same_voters
        else _labelled(truth, baseline.select("epic", "prediction"))
    )
    success = (pl.col("prediction") == pl.col("truth")).fill_null(False)
    return _score(attack, base), truth.select("epic").with_columns(success=marked.select(success).to_series())


def _score(attack: pl.DataFrame, base: pl.DataFrame) -> InferenceScore:
    right = attack["prediction"] == attack["truth"]
    flagged = attack["prediction"] != NEGATIVE
    positive = attack["truth"] != NEGATIVE
    accuracy = wilson(int(right.sum()), attack.height)
    base_accuracy = wilson(int((base["prediction"] == base["truth"]).sum()), base.height)
    correct = int((right & flagged).sum())
    return InferenceScore(
        targets=attack.height,
        guesses=int(flagged.sum()),
        correct=correct,
        accuracy=accuracy,
        baseline=base_accuracy,
        precision=wilson(correct, int(flagged.sum())),
        recall=wilson(correct, int(positive.sum())),
        risk=risk(accuracy, base_accuracy),
    )
