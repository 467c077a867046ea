"""The rows each attack got right, by hand: what breakdowns count."""

from __future__ import annotations

import polars as pl

from synth.engine.relational import key_counts
from synth.scoring.hash_reversal import recovered_rows
from synth.scoring.inference import right_labels
from synth.scoring.linkage import correct_rows
from synth.scoring.singling_out import singled_out_rows


def test_correct_links() -> None:
    guesses = pl.DataFrame({"row_id": [3, 1], "epic": ["SYN5", "SYN3"]})
    release_truth = pl.DataFrame({"row_id": [0, 1, 2, 3], "person_id": [10, 11, 12, 13]})
    roll_truth = pl.DataFrame({"epic": ["SYN3", "SYN5"], "person_id": [11, 77]})
    assert correct_rows(guesses, release_truth, roll_truth)["row_id"].to_list() == [1]


def test_singled_out_in_the_population() -> None:
    guesses = pl.DataFrame({"row_id": [2, 3], "age": [67, 80], "gender": ["M", "M"]})
    population = pl.DataFrame({"age": [40, 67, 80, 80], "gender": ["F", "M", "M", "M"]})
    counts = key_counts(population, ["age", "gender"], "n_pop")
    assert singled_out_rows(guesses, counts)["row_id"].to_list() == [2]


def test_recovered_numbers_and_right_labels() -> None:
    guesses = pl.DataFrame({"row_id": [0, 1], "phone": ["+910055501234", "+910001000000"]})
    exported = pl.DataFrame({"row_id": [0, 1, 2], "phone": ["+910055501234", "+910001004999", "+910055509999"]})
    assert recovered_rows(guesses, exported)["row_id"].to_list() == [0]
    predictions = pl.DataFrame({"epic": ["A", "B", "C"], "prediction": ["widow", "none", "none"]})
    truth = pl.DataFrame({"epic": ["A", "B", "C"], "truth": ["widow", "old_age", "none"]})
    assert right_labels(predictions, truth)["epic"].to_list() == ["A", "C"]
