"""k-anonymity: every class of size k or more, counted independently; generalization never shrinks a class."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from synth.errors import PolicyError
from synth.policies.kanonymity import KAnonymity, _levels, generalized


def _release(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    lbs = np.array(["Kalpetta", "Meppadi", "Muttil", "Ambalavayal"])
    taluk = {"Kalpetta": "Vythiri", "Meppadi": "Vythiri", "Muttil": "Vythiri", "Ambalavayal": "Sulthan Bathery"}
    lb = lbs[rng.integers(0, 4, n)]
    return pl.DataFrame(
        {
            "row_id": np.arange(n),
            "age": rng.integers(18, 95, n),
            "gender": np.where(rng.random(n) < 0.5, "F", "M"),
            "district": "Wayanad",
            "taluk": [taluk[x] for x in lb],
            "local_body": lb,
        }
    )


@pytest.mark.parametrize("k", [2, 5, 10, 50])
def test_every_class_has_at_least_k_rows(k: int) -> None:
    data = _release(3_000, seed=k)
    step = KAnonymity(k=k, quasi_identifiers=("local_body", "age", "gender"), max_suppression=0.02)
    out = step.fit_transform(data)
    # independent count: plain group-by on the released columns
    qi = [c for c in ("local_body", "taluk", "district", "age", "gender") if c in out.columns]
    assert out.group_by(qi).len()["len"].min() >= k
    rep = step.report()
    assert rep["suppressed_rows"] == data.height - out.height
    assert rep["suppressed_rows"] <= 0.02 * data.height


def test_hand_computed_example() -> None:
    data = pl.DataFrame(
        {
            "row_id": [0, 1, 2, 3, 4],
            "age": [30, 31, 34, 52, 52],
            "gender": ["F", "F", "F", "M", "M"],
            "district": ["W"] * 5,
            "taluk": ["V"] * 5,
            "local_body": ["K"] * 5,
        }
    )
    step = KAnonymity(k=2, quasi_identifiers=("local_body", "age", "gender"), max_suppression=0.0)
    out = step.fit_transform(data)
    assert step.report()["levels"] == {"local_body": 0, "age": 1, "gender": 0}  # 5-year bands suffice
    assert out["age"].to_list() == ["30-34", "30-34", "30-34", "50-54", "50-54"]
    assert step.report()["suppressed_rows"] == 0


def test_generalization_never_makes_a_class_smaller() -> None:
    data = _release(2_000, seed=3)
    qis = ("local_body", "age", "gender")
    heights = [_levels(q) for q in qis]

    def sizes(levels: tuple[int, ...]) -> np.ndarray:
        keys = [generalized(q, lv).alias(q) for q, lv in zip(qis, levels, strict=True)]
        return data.select("row_id", *keys).select(pl.len().over(list(qis)))["len"].to_numpy()

    for levels in itertools.product(*(range(h + 1) for h in heights)):
        base = sizes(levels)
        for i in range(len(qis)):
            if levels[i] < heights[i]:
                up = tuple(lv + (j == i) for j, lv in enumerate(levels))
                assert (sizes(up) >= base).all(), (levels, up)


def test_bad_parameters_are_all_reported() -> None:
    step = KAnonymity(k=1, quasi_identifiers=("ward",), max_suppression=2)
    problems = step.check(["row_id", "age"])
    assert problems == [
        "column 'ward' is not in the release (it has row_id, age)",
        "column 'local_body' is not in the release (it has row_id, age)",
        "column 'taluk' is not in the release (it has row_id, age)",
        "column 'district' is not in the release (it has row_id, age)",
        "k = 1: must be a whole number of at least 2",
        "max_suppression = 2: must be a number between 0 and 1",
    ]
    with pytest.raises(PolicyError):
        step.fit(_release(10, 1))
