from datetime import date

import numpy as np

from synth.world.auxiliary import ROLL_GHOST, ROLL_MOVED, draw_directory, draw_roll
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
    assert (small.status == ROLL_GHOST).sum() == 20  # more adults than places: only the 2% dead or departed
    big = _roll(1, 3_600)
    assert (big.status == ROLL_GHOST).sum() == 3_600 - (big.person >= 0).sum()
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
