import numpy as np
import phonenumbers
import polars as pl
import pytest

from synth.core.numbering import e164, load_plan
from synth.world.phones import permute


def test_plans_have_the_same_search_space() -> None:
    safe, real = load_plan("safe"), load_plan("realistic")
    assert safe.size == real.size == 3_392_500_000


def test_permute_is_a_seeded_bijection() -> None:
    x = np.arange(10_000)
    y = permute(x, 10_000, seed=3, salt=1)
    assert sorted(y.tolist()) == x.tolist()
    assert np.array_equal(y, permute(x, 10_000, seed=3, salt=1))
    assert not np.array_equal(y, permute(x, 10_000, seed=4, salt=1))


def _numbers(plan_name: str, n: int, seed: int) -> list[str]:
    plan = load_plan(plan_name)
    national = plan.number(permute(np.arange(n), plan.size, seed, 0x504E))
    return ["+91" + str(v).zfill(10) for v in national.tolist()]


@pytest.mark.slow
def test_a_million_safe_numbers_ring_nobody() -> None:
    numbers = _numbers("safe", 1_000_000, seed=2026)
    assert len(set(numbers)) == 1_000_000
    # Parsing a million strings is most of the cost. What parse gives for +91 and ten digits is the number
    # itself, its national prefix 0 dropped (int() drops it), except after "00", where parse keeps a leading
    # zero: those are parsed. The first 20,000 built are checked against parse.
    simple = [s for s in numbers if not s.startswith("+9100")]
    built = [phonenumbers.PhoneNumber(country_code=91, national_number=int(s[3:])) for s in simple]
    assert [phonenumbers.parse(s) for s in simple[:20_000]] == built[:20_000]
    assert sum(s[3] == "0" for s in simple[:20_000]) > 4_000  # the rule for the national prefix is checked too
    parsed = [phonenumbers.parse(s) for s in numbers if s.startswith("+9100")]
    assert len(built) + len(parsed) == 1_000_000
    assert phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=91, national_number=9_847_012_345))
    valid = [n for n in built + parsed if phonenumbers.is_valid_number(n)]
    assert valid == []


def test_realistic_plan_is_really_realistic() -> None:
    numbers = _numbers("realistic", 2_000, seed=1)
    valid = sum(phonenumbers.is_valid_number(phonenumbers.parse(s)) for s in numbers)
    assert valid / len(numbers) > 0.95


def test_contains() -> None:
    plan = load_plan("safe")
    inside = plan.number(np.array([0, plan.size - 1]))
    assert plan.contains(inside).all()
    assert not plan.contains(np.array([9_847_012_345])).any()


@pytest.mark.parametrize("name", ["safe", "realistic"])
def test_numbers_between_are_the_numbers_of_the_indices(name: str) -> None:
    plan = load_plan(name)
    edge = int(plan.cumulative[3])
    ranges = [(0, 1 << 16), (edge - 5, edge + 5), (int(plan.cumulative[2]) - 1, int(plan.cumulative[6]) + 1)]
    ranges += [(plan.size - 7, plan.size), (0, 1), (plan.size - 1, plan.size), (12_345, 12_345)]
    for lo, hi in ranges:
        got = plan.numbers_between(lo, hi)
        assert got.dtype == np.int64
        assert np.array_equal(got, plan.number(np.arange(lo, hi, dtype=np.int64))), (lo, hi)
    assert len(plan.numbers_between(edge - 5, edge + 5)) == 10


def test_numbers_between_a_range_outside_the_plan() -> None:
    plan = load_plan("safe")
    with pytest.raises(ValueError) as error:
        plan.numbers_between(5, plan.size + 1)
    assert str(error.value) == "plan 'safe': indices 5 to 3392500001; allowed is 0 <= lo <= hi <= 3392500000"
    with pytest.raises(ValueError, match=r"^plan 'safe': indices 7 to 6; allowed"):
        plan.numbers_between(7, 6)


def test_unknown_plan() -> None:
    from synth.errors import SpecError

    with pytest.raises(SpecError, match="phone plan 'x': allowed are safe, realistic"):
        load_plan("x")


def test_every_safe_block_edge_rings_nobody() -> None:
    """First, last and middle number of every block of the safe plan (covers the smallest blocks too)."""
    plan = load_plan("safe")
    edges = np.concatenate([plan.starts, plan.starts + plan.sizes - 1, plan.starts + plan.sizes // 2])
    valid = [n for n in edges.tolist() if phonenumbers.is_valid_number(phonenumbers.parse("+91" + str(n).zfill(10)))]
    assert valid == []


def test_e164_writes_the_country_code_and_ten_digits_with_their_leading_zeros() -> None:
    national = pl.Series([0, 1, 123_456_789, 9_999_999_999, None], dtype=pl.Int64)
    written = pl.select(e164(pl.lit(national))).to_series().to_list()
    assert written == ["+910000000000", "+910000000001", "+910123456789", "+919999999999", None]
    assert all(phonenumbers.parse(w).national_number == n for w, n in zip(written[:4], national[:4], strict=True))
