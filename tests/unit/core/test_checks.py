"""One whole-number check and one seed rule for every package."""

from __future__ import annotations

import numpy as np
import pytest

from synth.checks import SEED_LIMIT, number, seed_problem, whole


def test_whole_numbers_and_their_bounds() -> None:
    assert [whole(v) for v in (0, -3, np.int32(2), True, 2.0, "2", None)] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert (whole(5, 1, 5), whole(6, 1, 5), whole(0, 1)) == (True, False, False)


def test_real_numbers() -> None:
    assert [number(v) for v in (0, 0.5, np.float32(1.5), np.int8(1), False, "0.5", None)] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize("seed", [0, 7, SEED_LIMIT - 1, np.uint32(5)])
def test_a_seed_from_0_to_2_to_the_32_minus_1(seed: object) -> None:
    assert seed_problem(seed) is None


@pytest.mark.parametrize("seed", [-1, SEED_LIMIT, 1.5, True, "7"])
def test_any_other_seed_is_refused_by_the_one_rule(seed: object) -> None:
    assert seed_problem(seed, "world.seed") == f"world.seed = {seed!r}: must be a whole number from 0 to 2**32 - 1"
