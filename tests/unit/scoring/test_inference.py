"""Scoring attribute inference: one lookup of the truth for an attack and its baseline gives what two give."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synth.scoring.inference import right_labels, score_inference, scored_with_right_labels

LABELS = ["none", "widow", "old_age"]


def _voters(seed: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Predictions of 400 voters, the baseline's of the same voters in the same order, and a truth that knows 300 of
    them and 50 nobody labelled (ghosts and voters outside the roll read)."""
    rng = np.random.default_rng(seed)
    epics = [f"SYN{i}" for i in rng.permutation(450)]
    predictions = pl.DataFrame({"epic": epics[:400], "prediction": rng.choice(LABELS, 400)})
    baseline = predictions.with_columns(prediction=pl.lit(str(rng.choice(LABELS))))
    known = rng.permutation(epics[:400])[:300].tolist() + epics[400:]
    truth = pl.DataFrame({"epic": known, "truth": rng.choice(LABELS, len(known), p=[0.7, 0.1, 0.2])})
    return predictions, baseline, truth


def _recount(predictions: pl.DataFrame, baseline: pl.DataFrame, truth: pl.DataFrame) -> dict[str, int]:
    attack = truth.join(predictions, on="epic")
    base = truth.join(baseline, on="epic")
    right = attack.filter(pl.col("prediction") == pl.col("truth"))
    return {
        "targets": attack.height,
        "guesses": attack.filter(pl.col("prediction") != "none").height,
        "correct": right.filter(pl.col("prediction") != "none").height,
        "right": right.height,
        "base_right": base.filter(pl.col("prediction") == pl.col("truth")).height,
        "base_targets": base.height,
    }


def _counts(predictions: pl.DataFrame, baseline: pl.DataFrame, truth: pl.DataFrame) -> dict[str, int]:
    score, _ = scored_with_right_labels(predictions, baseline, truth)
    return {
        "targets": score.targets,
        "guesses": score.guesses,
        "correct": score.correct,
        "right": score.accuracy.successes,
        "base_right": score.baseline.successes,
        "base_targets": score.baseline.trials,
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_lookup_for_both_labels_counts_what_two_lookups_count(seed: int) -> None:
    predictions, baseline, truth = _voters(seed)
    expected = _recount(predictions, baseline, truth)
    assert expected["targets"] == 300 and expected["base_targets"] == 300
    assert _counts(predictions, baseline, truth) == expected
    score, marks = scored_with_right_labels(predictions, baseline, truth)
    assert score == score_inference(predictions, baseline, truth)
    # every voter of the truth, in its order, marked where labelled right, as right_labels gives them alone
    assert marks["epic"].equals(truth["epic"])
    right = marks.filter(pl.col("success")).select("epic")
    assert right.equals(right_labels(predictions, truth))
    recounted = truth.join(predictions, on="epic").filter(pl.col("prediction") == pl.col("truth"))
    assert right["epic"].to_list() == [e for e in truth["epic"] if e in set(recounted["epic"])]
    assert 0 < right.height < 300


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_labels_held_as_categoricals_count_as_their_strings(seed: int) -> None:
    """The attack, its baseline and the truth hold their labels as categoricals (4 bytes a voter, not 16: the whole
    state's 2.7 crore voters, three labels each); the truth here has a label no prediction makes."""
    predictions, baseline, truth = _voters(seed)
    truth = truth.with_columns(
        truth=pl.when(pl.col("epic") == truth["epic"][0]).then(pl.lit("disability")).otherwise("truth")
    )
    expected = _recount(predictions, baseline, truth)
    coded = [
        f.with_columns(pl.col(c).cast(pl.Categorical))
        for f, c in [(predictions, "prediction"), (baseline, "prediction"), (truth, "truth")]
    ]
    assert _counts(*coded) == expected
    assert scored_with_right_labels(*coded)[1].equals(scored_with_right_labels(predictions, baseline, truth)[1])
    assert _counts(coded[0], coded[1], truth) == expected  # categoricals against strings


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_voter_labelled_twice_counts_twice(seed: int) -> None:
    """Five voters the truth knows are labelled twice: each label counts (as two joins count them), and the marks are
    the right labels, a voter labelled right twice listed twice (the breakdown looks them up)."""
    predictions, baseline, truth = _voters(seed)
    twice = pl.concat([predictions, predictions.filter(pl.col("epic").is_in(truth["epic"].implode())).head(5)])
    assert _recount(twice, baseline, truth)["targets"] == 305
    assert _counts(twice, baseline, truth) == _recount(twice, baseline, truth)
    _, marks = scored_with_right_labels(twice, baseline, truth)
    assert marks["success"].all()
    assert marks.select("epic").equals(right_labels(twice, truth))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_baseline_of_other_voters_or_another_order_is_looked_up_on_its_own(seed: int) -> None:
    predictions, baseline, truth = _voters(seed)
    shuffled = baseline.sample(fraction=1.0, shuffle=True, seed=seed)
    fewer = baseline.head(250).with_columns(prediction=pl.lit("widow"))
    for other in (shuffled, fewer):
        assert not other["epic"].equals(predictions["epic"])
        assert _counts(predictions, other, truth) == _recount(predictions, other, truth)
    assert _recount(predictions, fewer, truth)["base_targets"] < 300
