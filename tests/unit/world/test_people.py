from datetime import date

import numpy as np

from synth.world.demography import build_demography
from synth.world.people import age_on, birth_dates, from_cumulative, sample_people
from synth.world.preset import load_preset

REF = date(2026, 2, 1)


def _draw(seed: int):  # type: ignore[no-untyped-def]
    demo = build_demography(load_preset())
    return sample_people(
        np.array([800, 1200, 500]), demo.district_index("12"), demo, REF, 6.0, np.random.default_rng(seed)
    )


def test_seeded_twins() -> None:
    a, b, c = _draw(1), _draw(1), _draw(2)
    for field in ("ward", "sex", "age", "dob", "community", "marital", "disabled", "occupation"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.age, c.age)


def test_ward_sizes_and_consistent_ages() -> None:
    p = _draw(3)
    assert np.bincount(p.ward).tolist() == [800, 1200, 500]
    assert np.array_equal(age_on(p.dob, REF), p.age)


def test_no_one_married_under_age() -> None:
    p = _draw(4)
    married = p.marital != 0
    assert not (married & (p.sex == 0) & (p.age < 21)).any()
    assert not (married & (p.sex == 1) & (p.age < 18)).any()


def test_birth_dates_cover_the_year_of_life() -> None:
    age = np.full(20_000, 30)
    dob = birth_dates(age, REF, np.random.default_rng(0))
    assert dob.min() > np.datetime64("1995-02-01")
    assert dob.max() <= np.datetime64("1996-02-01")
    assert np.array_equal(age_on(dob, REF), age)


def test_age_on_birthday_boundaries() -> None:
    dob = np.array(["2000-02-01", "2000-02-02", "2000-01-31", "2008-02-29"], dtype="datetime64[D]")
    assert age_on(dob, REF).tolist() == [26, 25, 26, 17]


def test_categorical_inverse_cdf() -> None:
    cum = np.cumsum(np.array([[0.2, 0.8], [1.0, 0.0]]), axis=1)
    assert from_cumulative(cum, np.array([0.1, 0.5])).tolist() == [0, 0]
    assert from_cumulative(cum, np.array([0.3, 0.99])).tolist() == [1, 0]


def test_rows_of_a_tables_cumulative_sums_are_the_cumulative_sums_of_its_rows() -> None:
    """What lets a draw sum a table once instead of once per person: equal to the last bit."""
    rng = np.random.default_rng(4)
    table = rng.dirichlet(np.full(13, 0.3), size=(2, 91))  # sex x age x categories, uneven shares
    sex, age = rng.integers(0, 2, 50_000), rng.integers(0, 91, 50_000)
    gathered_first = np.cumsum(table[sex, age], axis=1)
    summed_first = np.cumsum(table, axis=2)[sex, age]
    assert gathered_first.tobytes() == summed_first.tobytes()


def test_communities_balanced_within_strata() -> None:
    demo = build_demography(load_preset())
    p = sample_people(np.array([5000]), demo.district_index("10"), demo, REF, 6.0, np.random.default_rng(9))
    for sex in (0, 1):
        stratum = (p.sex == sex) & (p.marital == 1)
        shares = np.bincount(p.community[stratum], minlength=3) / stratum.sum()
        overall = np.bincount(p.community, minlength=3) / len(p)
        assert np.abs(shares - overall).max() < 0.01
