from datetime import date

import numpy as np

from synth.world.auxiliary import ROLL_DUPLICATE, ROLL_GHOST, ROLL_MOVED, draw_directory, draw_roll, printed_ages
from synth.world.people import birth_dates
from synth.world.preset import load_preset

PRESET = load_preset()


def _roll(seed: int, target: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    age = rng.integers(0, 95, 4_000)
    dob = birth_dates(age, date(2026, 2, 1), rng)
    ward = rng.integers(0, 4, 4_000)
    return draw_roll(
        dob,
        np.zeros(4_000, dtype=np.int8),
        ward,
        np.array([300, 250, 280, 260]),
        target,
        PRESET,
        np.random.default_rng(seed),
    )


def test_roll_has_exactly_the_target_size() -> None:
    for target in (1_000, 2_900, 3_600):
        r = _roll(1, target)
        assert len(r.person) == target
    small = _roll(1, 1_000)
    # more adults than places: only the 2% dead or departed and the 1% duplicates
    assert (small.status == ROLL_GHOST).sum() == 20
    assert (small.status == ROLL_DUPLICATE).sum() == 10
    big = _roll(1, 3_600)
    assert (big.status == ROLL_GHOST).sum() == 3_600 - (big.person >= 0).sum()
    # a duplicate is a second entry of a person listed once besides, in another ward than their own
    dups = big.person[big.status == ROLL_DUPLICATE]
    first = big.person[(big.status != ROLL_DUPLICATE) & (big.person >= 0)]
    assert len(dups) == 36 and len(np.unique(first)) == len(first) and np.isin(dups, first).all()
    assert (big.status == ROLL_MOVED).any()
    assert big.age.min() >= 18


def test_roll_seeded_twins() -> None:
    a, b = _roll(7, 3_000), _roll(7, 3_000)
    assert np.array_equal(a.person, b.person) and np.array_equal(a.age, b.age) and np.array_equal(a.ward, b.ward)


def test_directory_coverage_and_twins() -> None:
    owners = np.arange(20_000)
    a = draw_directory(owners, PRESET, np.random.default_rng(3))
    b = draw_directory(owners, PRESET, np.random.default_rng(3))
    assert np.array_equal(a.owner, b.owner) and np.array_equal(a.kind, b.kind)
    assert 0.68 < len(a.owner) / len(owners) < 0.72
    assert (a.label_person != a.owner).mean() < 0.04


def test_printed_ages_err_more_with_age_and_heap_on_fives_from_60() -> None:
    params = {"age_error_18_39": 0.04, "age_error_40_59": 0.06, "age_error_60_plus": 0.10, "age_heaping_60_plus": 0.15}
    age = np.repeat(np.array([30, 50, 61, 73]), 100_000)
    printed = printed_ages(age, params, np.random.default_rng(5))
    wrong = {a: float((printed[age == a] != a).mean()) for a in (30, 50, 61, 73)}
    assert abs(wrong[30] - 0.04) < 0.003 and abs(wrong[50] - 0.06) < 0.003
    # at 61 and 73, 15% are rounded (to 60 and 75) and 10% of the others are off by 1-3 years (by -1 at 61 with
    # weight 0.3, by +2 at 73 with weight 0.15, landing on the same multiple of 5)
    for a, fives, weight in ((61, 60, 0.3), (73, 75, 0.15)):
        assert abs(wrong[a] - (0.15 + 0.85 * 0.10)) < 0.004
        assert abs((printed[age == a] == fives).mean() - (0.15 + 0.85 * 0.10 * weight)) < 0.004
    assert (np.abs(printed - age)[age < 60] <= 3).all() and printed.min() >= 18
    twin = printed_ages(age, params, np.random.default_rng(5))
    assert np.array_equal(printed, twin)
