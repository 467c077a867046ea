"""Probabilistic linkage: the name key, the choice of guesses, and bad input (hand-built tables)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.probabilistic_linkage import (
    ProbabilisticLinkageParams,
    _best_pairs,
    _training_districts,
    name_key,
    probabilistic_linkage,
)
from synth.errors import SpecError
from synth.release.build import AttackerView

RNG = np.random.default_rng(0)
ROLL = pl.DataFrame({"epic": ["SYN1"], "name": ["Sooraj K"], "sex": ["M"], "age": [30], "local_body": ["Meppadi"]})


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sooraj K", "Suraj K"),
        ("Rohith P", "Roheeth P"),
        ("Shyam P Nair", "Syam P Nair"),
        ("Sreedevi", "Sridevi"),
        ("Jayadev C", "Jayadew C"),
        ("Aadhidev V", "Aadidev V"),
        ("Irshad", "Irsad"),
    ],
)
def test_transliteration_variants_share_a_name_key(a: str, b: str) -> None:
    keys = pl.DataFrame({"n": [a, b]}).select(name_key(pl.col("n")))["n"].to_list()
    assert keys[0] == keys[1]


def test_different_names_keep_different_keys() -> None:
    keys = pl.DataFrame({"n": ["Anil K", "Anil P", "Sunil K", "Mary"]}).select(name_key(pl.col("n")))["n"]
    assert keys.to_list() == ["anil k", "anil p", "sunil k", "mari"]


def test_best_pair_per_row_and_ties_get_no_guess() -> None:
    pred = pa.table(
        {
            "uid_l": ["r0", "r0", "eSYN9", "r2", "r2"],
            "uid_r": ["eSYN1", "eSYN2", "r1", "eSYN3", "eSYN4"],
            "match_probability": [0.99, 0.95, 0.97, 0.96, 0.96],
        }
    )
    # row 0: SYN1 beats SYN2; row 1 (on the right side of its pair): SYN9; row 2: a tie, no guess
    assert _best_pairs(pred).rows() == [(0, "SYN1", 0.99), (1, "SYN9", 0.97)]


def test_bad_input_names_the_attack_and_the_column() -> None:
    release = pl.DataFrame({"row_id": [0], "age": [30], "gender": ["M"]})
    with pytest.raises(
        SpecError,
        match=r"^attack 'probabilistic_linkage': needs the column 'name', which the release lacks "
        r"\(it has row_id, age, gender\)$",
    ):
        probabilistic_linkage(AttackerView(release), AuxiliaryData(electoral_roll=ROLL), RNG)
    with pytest.raises(
        SpecError, match="needs the auxiliary source 'electoral_roll', which the scenario did not grant"
    ):
        probabilistic_linkage(AttackerView(release), AuxiliaryData(), RNG)
    with pytest.raises(SpecError, match=r"^attack 'probabilistic_linkage': the release is empty; nothing to link$"):
        probabilistic_linkage(AttackerView(release.clear()), AuxiliaryData(electoral_roll=ROLL), RNG)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 1.0}, "threshold = 1.0; allowed is a probability in (0, 1)"),
        ({"recall": 0.0}, "recall = 0.0; allowed is a share in (0, 1]"),
        ({"max_pairs": 10.0}, "max_pairs = 10.0; allowed is at least 1000"),
        ({"train_rows": 0}, "train_rows = 0; allowed is a whole number above 0"),
        ({"train_rows": 1.5}, "train_rows = 1.5; allowed is a whole number above 0"),
    ],
)
def test_bad_parameters(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(SpecError) as err:
        ProbabilisticLinkageParams(**kwargs)
    assert str(err.value) == f"attack 'probabilistic_linkage': {message}"


def _parts(sizes: dict[str, int]) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    return {d: (pl.DataFrame({"row_id": range(n)}), ROLL) for d, n in sizes.items()}


def test_training_districts_are_drawn_until_they_hold_enough_rows() -> None:
    parts = _parts({"A": 50, "B": 100, "C": 150, "D": 200})
    everything = _training_districts(parts, 10_000, seed=3)
    assert everything == ["A", "B", "C", "D"]  # fewer rows than asked: every district
    for seed in range(20):
        chosen = _training_districts(parts, 120, seed)
        held = [parts[d][0].height for d in chosen]
        # enough rows, and without the last district drawn (at most the largest) there were too few
        assert sum(held) >= 120 and sum(held) - max(held) < 120
        assert chosen == _training_districts(parts, 120, seed)  # seeded twins
    assert len({tuple(_training_districts(parts, 1, s)) for s in range(20)}) == 4  # every district can be drawn
