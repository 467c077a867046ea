"""Hash reversal on a small numbering plan enumerated in full: plain and released-salt hashes fall,
HMAC and tokens do not, by measurement; budget "full" scores the whole plan exactly by equivalence."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import synth.attacks.hash_reversal as hash_reversal_module
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import NotApplicable
from synth.attacks.hash_reversal import (
    ATTACK,
    GPU_RATE,
    REAL_MOBILE_SPACE,
    HashReversal,
    HashReversalParams,
    check_budget,
    hash_reversal,
    numbers_in_use,
    random_guesses,
)
from synth.errors import SpecError
from synth.measure.hash_reversal import score_hash_reversal
from synth.measure.names import MEASURES, TIMED, measure_rows
from synth.policies.hashing import HashColumn
from synth.policies.tokenize import Tokenize
from synth.release.build import AttackerView
from synth.world.phones import NumberingPlan

PLAN = NumberingPlan(
    name="test",
    starts=np.array([55_500_000, 1_000_000]),
    sizes=np.array([10_000, 5_000]),
    cumulative=np.array([0, 10_000]),
)
PHONES = ["+910055501234", "+910001004999", "+910055509999"]
RELEASE = pl.DataFrame({"row_id": [0, 1, 2, 3], "phone": [*PHONES, None]})
RNG = np.random.default_rng(0)


def _attack(data: pl.DataFrame, metadata: dict[str, str] | None = None, **kwargs: object) -> HashReversal:
    kwargs.setdefault("budget", PLAN.size)
    return hash_reversal(AttackerView(data, metadata or {}), AuxiliaryData(), RNG, PLAN, **kwargs)  # type: ignore[arg-type]


def test_plain_sha256_is_reversed_in_full() -> None:
    hashed = HashColumn(method="sha256").fit_transform(RELEASE)
    r = _attack(hashed)
    assert r.guesses.rows() == [(0, PHONES[0]), (1, PHONES[1]), (2, PHONES[2])]
    assert r.candidates == 15_000 and r.rate > 0 and not r.full
    assert r.cost()["real_space"] == REAL_MOBILE_SPACE


def test_released_salt_is_no_protection_but_a_secret_one_is() -> None:
    step = HashColumn(method="salted", salt_released=True, random_state=3).fit(RELEASE)
    hashed = step.transform(RELEASE)
    assert len(_attack(hashed, step.released_metadata()).guesses) == 3
    assert len(_attack(hashed).guesses) == 0  # without the salt nothing matches


def test_hmac_and_tokens_are_not_reversible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "secret")
    r = _attack(HashColumn(method="hmac").fit_transform(RELEASE))
    assert len(r.guesses) == 0 and r.candidates == 15_000  # enumerated everything, found nothing
    tokens = _attack(Tokenize().fit_transform(RELEASE))
    assert len(tokens.guesses) == 0 and tokens.candidates == 15_000


def test_compiled_hash_matches_hashlib() -> None:
    numbers = [f"+91{v:010d}" for v in range(55_500_000, 55_510_000)]
    data = pl.DataFrame(
        {"row_id": range(len(numbers)), "phone": [hashlib.sha256(n.encode()).hexdigest() for n in numbers]}
    )
    assert len(_attack(data).guesses) == 10_000


def test_a_numeric_budget_is_a_slice() -> None:
    hashed = HashColumn(method="sha256").fit_transform(RELEASE)
    r = _attack(hashed, budget=10_000)  # the first block only
    assert r.guesses.rows() == [(0, PHONES[0]), (2, PHONES[2])]
    assert (r.candidates, r.plan_size, r.full) == (10_000, 15_000, False)


def test_scoring_by_hand() -> None:
    hashed = HashColumn(method="sha256").fit_transform(RELEASE)
    r = _attack(hashed)
    exported = RELEASE.with_columns(phone=pl.Series([PHONES[0], "+910001000000", PHONES[2], None]))
    baseline = random_guesses(AttackerView(hashed), np.random.default_rng(1), PLAN)
    assert baseline.height == 3 and baseline["phone"].str.len_chars().to_list() == [13, 13, 13]
    s = score_hash_reversal(r, baseline.with_columns(phone=pl.lit(PHONES[1])), exported)
    # three digests; the second row's exported number differs from the one its digest gives back
    assert (s.rows, s.guesses, s.correct, s.precision.value, s.recall.value) == (3, 3, 2, 2 / 3, 2 / 3)
    assert (s.baseline.value, s.risk.value, s.candidates, s.plan_size) == (0.0, 2 / 3, 15_000, 15_000)
    assert s.full_plan == 1  # a numeric budget of the plan's size covers it all
    assert s.real_space_cpu_core_seconds == pytest.approx(REAL_MOBILE_SPACE / r.rate)
    assert s.plan_cpu_core_seconds == pytest.approx(15_000 / r.rate)
    assert s.plan_gpu_seconds == pytest.approx(15_000 / GPU_RATE)
    names = {row.measure for row in measure_rows(s)}
    assert {"full_plan", "plan_cpu_core_seconds", "plan_gpu_seconds"} <= names <= set(MEASURES)
    assert "plan_cpu_core_seconds" in TIMED and "plan_gpu_seconds" not in TIMED
    sliced = score_hash_reversal(_attack(hashed, budget=10), baseline, exported)
    assert (sliced.full_plan, sliced.candidates) == (0, 10)


def test_not_applicable_names_the_attack() -> None:
    hashed = HashColumn(method="sha256").fit_transform(RELEASE)
    cases = [
        (RELEASE.drop("phone"), {}, "attack 'hash_reversal': the release has no column 'phone' (it has row_id)"),
        (
            RELEASE.filter(pl.col("phone").is_null()),
            {},
            "attack 'hash_reversal': column 'phone' is empty; nothing to reverse",
        ),
        (
            hashed,
            {"phone_salt": "ab" * 43},
            "attack 'hash_reversal': the released salt has 43 bytes; at most 42 are supported",
        ),
    ]
    for data, metadata, message in cases:
        with pytest.raises(NotApplicable) as err:
            _attack(data, metadata)
        assert err.type is NotApplicable and str(err.value) == message


# --- budget -------------------------------------------------------------------------------------


def test_budget_is_full_or_a_positive_whole_number() -> None:
    assert check_budget("full") == "full"
    assert check_budget(5) == 5
    for bad, shown in ((0, "0"), (-1, "-1"), (2.5, "2.5"), (True, "True"), ("half", "'half'"), (None, "None")):
        with pytest.raises(SpecError) as err:
            check_budget(bad)
        assert str(err.value) == (
            f"attack 'hash_reversal': budget = {shown}; allowed is \"full\" or a positive whole number of candidates"
        )
    with pytest.raises(SpecError) as err:
        _attack(HashColumn(method="sha256").fit_transform(RELEASE), budget="half")
    assert str(err.value) == (
        "attack 'hash_reversal': budget = 'half'; allowed is \"full\" or a positive whole number of candidates"
    )
    assert HashReversalParams().budget == "full" and HashReversalParams(budget=5).budget == 5
    with pytest.raises(SpecError) as err:
        HashReversalParams(budget=0)
    assert str(err.value) == (
        "attack 'hash_reversal': budget = 0; allowed is \"full\" or a positive whole number of candidates"
    )


def test_every_bad_parameter_is_reported_at_once() -> None:
    """The one parameter's bad value and an unknown key, in one error (the attack's parameters collect all)."""
    with pytest.raises(SpecError) as err:
        ATTACK.parameters({"budget": "half", "bugdet": 10})
    assert str(err.value).splitlines() == [
        "attack 'hash_reversal': bugdet = 10: unknown parameter; allowed are budget (did you mean 'budget'?)",
        "attack 'hash_reversal': budget = 'half'; allowed is \"full\" or a positive whole number of candidates",
    ]


def test_full_needs_the_universe() -> None:
    with pytest.raises(SpecError) as err:
        hash_reversal(AttackerView(RELEASE), AuxiliaryData(), RNG, PLAN)  # budget "full" is the default
    assert str(err.value).startswith("attack 'hash_reversal': budget \"full\" needs the universe of numbers in use")


# --- "full": the whole plan, scored by equivalence ------------------------------------------------

SMALL = NumberingPlan(  # 200,000 numbers in two blocks, listed out of order
    name="small",
    starts=np.array([7_123_400_000, 98_700_000]),
    sizes=np.array([150_000, 50_000]),
    cumulative=np.array([0, 150_000]),
)
SALT = bytes(range(16))
IN_PLAN = [7_123_400_000, 7_123_400_001, 7_123_471_234, 7_123_549_999, 98_700_000, 98_712_345, 98_749_999]
OUTSIDE = [7_123_399_999, 7_123_550_000, 98_699_999, 98_750_000, 9_999_999_999, 0]  # just off each block
UNUSED = [7_123_412_345, 98_720_000, 5_555_555_555]  # in use but released by nobody


def _sha(number: int, salt: bytes = b"") -> str:
    return hashlib.sha256(salt + f"+91{number:010d}".encode()).hexdigest()


def _mixed_release() -> pl.DataFrame:
    """Digests of numbers in the plan and outside it (plain and salted), HMACs, random tokens, a null."""
    values: list[str | None] = []
    values += [_sha(n) for n in IN_PLAN]  # rows 0-6: recoverable
    values += [_sha(n) for n in OUTSIDE]  # rows 7-12: not in the plan
    values += [_sha(n, SALT) for n in IN_PLAN[:3]]  # rows 13-15: salted, found only with the salt
    values += [hmac.new(b"key", f"+91{n:010d}".encode(), hashlib.sha256).hexdigest() for n in IN_PLAN[:3]]
    values += [np.random.default_rng(5).bytes(32).hex(), "tok_00017", None]  # rows 19-21
    values += [_sha(IN_PLAN[0])]  # row 22: the same number as row 0
    return pl.DataFrame(
        {"row_id": range(len(values)), "phone": values}, schema={"row_id": pl.Int64, "phone": pl.String}
    )


def _expected(salted: bool) -> pl.DataFrame:
    """Worked out by hand: the plain in-plan digests (rows 0-6, 22), or the salted ones (rows 13-15)."""
    rows = [(13 + i, n) for i, n in enumerate(IN_PLAN[:3])] if salted else [*enumerate(IN_PLAN), (22, IN_PLAN[0])]
    frame = pl.DataFrame(
        {"row_id": [r for r, _ in rows], "phone": [f"+91{n:010d}" for _, n in rows]},
        schema={"row_id": pl.Int64, "phone": pl.String},
    )
    return frame.sort("row_id")


def _run(budget: str | int, metadata: dict[str, str] | None = None, universe: np.ndarray | None = None) -> HashReversal:
    view = AttackerView(_mixed_release(), metadata or {})
    return hash_reversal(view, AuxiliaryData(), RNG, SMALL, budget=budget, universe=universe)


UNIVERSE = np.array([*IN_PLAN, *OUTSIDE, *UNUSED, *IN_PLAN[:2]], dtype=np.int64)  # with repeats


@pytest.mark.parametrize("slice_", [1, 1_000, 1 << 24])  # the measured slice: a number, a few, the whole plan
@pytest.mark.parametrize("salted", [False, True])
def test_full_scoring_equals_a_real_full_enumeration(
    salted: bool, slice_: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hash_reversal_module, "MEASURED_SLICE", slice_)
    assert SMALL.size == 200_000 and SMALL.contains(np.array(IN_PLAN)).all()
    assert not SMALL.contains(np.array(OUTSIDE)).any()
    metadata = {"phone_salt": SALT.hex()} if salted else {}
    enumerated = _run(SMALL.size, metadata)  # hashes every number of the plan
    scored = _run("full", metadata, UNIVERSE)
    assert_frame_equal(enumerated.guesses, scored.guesses)
    assert_frame_equal(scored.guesses, _expected(salted))
    assert (enumerated.full, enumerated.candidates) == (False, SMALL.size)
    hashed = min(slice_, SMALL.size)
    assert (scored.full, scored.candidates, scored.plan_size, scored.hashed) == (True, SMALL.size, SMALL.size, hashed)
    assert scored.rate > 0 and scored.seconds > 0


def test_full_is_deterministic() -> None:
    first, second = _run("full", universe=UNIVERSE), _run("full", universe=UNIVERSE[::-1].copy())
    assert_frame_equal(first.guesses, second.guesses)
    cost = first.cost()
    assert cost["plan_cpu_core_seconds"] == pytest.approx(SMALL.size / first.rate)
    assert cost["plan_gpu_seconds"] == pytest.approx(SMALL.size / GPU_RATE)


def test_full_scores_beyond_the_measured_slice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The slice timed is the start of the plan; numbers far past it are still found, as in a full run."""
    monkeypatch.setattr(hash_reversal_module, "MEASURED_SLICE", 1_000)
    scored = _run("full", universe=UNIVERSE)
    assert_frame_equal(scored.guesses, _expected(False))
    assert (scored.candidates, scored.hashed) == (SMALL.size, 1_000)
    assert scored.rate == pytest.approx(1_000 / scored.seconds)
    in_slice = _expected(False).filter(pl.col("phone").is_in(["+917123400000", "+917123400001"]))
    assert_frame_equal(_run(1_000).guesses, in_slice)  # rows 0, 1 and 22
    # the rest is found through the numbers in use: without them, only what the slice itself hashed
    assert_frame_equal(_run("full", universe=np.zeros(0, dtype=np.int64)).guesses, in_slice)


class _People:
    def __init__(self, frame: pl.DataFrame) -> None:
        self.people = frame.lazy()


def test_numbers_in_use() -> None:
    people = pl.DataFrame(
        {
            "phone": ["+917123400001", None, "+910098700000", "+917123400001"],
            "contact_phone": [None, "+915555555555", "+917123400001", None],
        }
    )
    expected = [98_700_000, 5_555_555_555, 7_123_400_001]
    assert numbers_in_use(_People(people)).tolist() == expected  # type: ignore[arg-type]
    assert numbers_in_use(_People(people.drop("contact_phone"))).tolist() == [98_700_000, 7_123_400_001]  # type: ignore[arg-type]
    assert numbers_in_use(_People(people)).dtype == np.int64  # type: ignore[arg-type]
