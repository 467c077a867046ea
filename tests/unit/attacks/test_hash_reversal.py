"""Hash reversal on a small numbering plan enumerated in full: plain and released-salt hashes fall,
HMAC and tokens do not, by measurement; budget "full" scores the whole plan exactly by equivalence."""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import synth.attacks.hash_reversal as hash_reversal_module
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import NotApplicable
from synth.attacks.birth_date_windows import birth_date_window
from synth.attacks.hash_reversal import (
    ATTACK,
    GPU_RATE,
    REAL_MOBILE_SPACE,
    HashReversal,
    HashReversalParams,
    check_budget,
    hash_reversal,
    random_guesses,
)
from synth.attacks.hash_schemes import Scheme, numbers_in_use, released_messages, scheme_of
from synth.core.hash_costs import DOB_DAYS
from synth.core.numbering import NumberingPlan
from synth.errors import SpecError
from synth.measure.names import MEASURES, TIMED, measure_rows
from synth.policies.hashing import HashColumn
from synth.policies.tokenize import Tokenize
from synth.release.build import AttackerView
from synth.scoring.hash_reversal import score_hash_reversal

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


def test_numbers_in_use() -> None:
    people = pl.DataFrame(
        {
            "phone": ["+917123400001", None, "+910098700000", "+917123400001"],
            "contact_phone": [None, "+915555555555", "+917123400001", None],
        }
    )
    expected = [98_700_000, 5_555_555_555, 7_123_400_001]
    assert numbers_in_use(people.lazy()).tolist() == expected
    assert numbers_in_use(people.drop("contact_phone").lazy()).tolist() == [98_700_000, 7_123_400_001]
    assert numbers_in_use(people.lazy()).dtype == np.int64


# --- every scheme of the hash step: a real enumeration, the universe and the oracle agree ---------------

TINY = NumberingPlan(  # 2,000 numbers in two blocks
    name="tiny",
    starts=np.array([7_123_400_000, 98_700_000]),
    sizes=np.array([1_500, 500]),
    cumulative=np.array([0, 1_500]),
)
DOB_PLAN = NumberingPlan(name="dob", starts=np.array([7_123_400_000]), sizes=np.array([20]), cumulative=np.array([0]))
AGED_PLAN = NumberingPlan(  # 30 numbers around the exported ones (7_123_401_500 just off the second block)
    name="aged",
    starts=np.array([7_123_400_000, 7_123_401_490, 98_700_120]),
    sizes=np.array([10, 10, 10]),
    cumulative=np.array([0, 10, 20]),
)
# rows 0-3 in the plan (row 3 repeats row 0's number, another person), 4 outside it, 5 held by nobody released
EXPORTED = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3, 4, 5],
        "phone": ["+917123400007", "+917123401499", "+910098700123", "+917123400007", "+917123401500", None],
        "age": [37, 81, 37, 60, 37, 50],
        "date_of_birth": [
            date(1988, 6, 15),
            date(1944, 12, 31),
            date(1988, 2, 2),  # the first day of age 37 on 1 February 2026
            date(1965, 3, 1),
            date(1988, 6, 15),
            date(1975, 5, 5),
        ],
    },
    schema_overrides={"age": pl.Int16},
)
IN_USE = np.array([7_123_400_007, 7_123_401_499, 98_700_123, 7_123_401_500, 7_123_400_009, 5_555_555_555])
FOUND = pl.DataFrame(
    {"row_id": [0, 1, 2, 3], "phone": ["+917123400007", "+917123401499", "+910098700123", "+917123400007"]},
    schema={"row_id": pl.Int64, "phone": pl.String},
)


def _hashed_view(step: HashColumn, exported: pl.DataFrame = EXPORTED, keep_dob: bool = False) -> AttackerView:
    out = step.fit_transform(exported)
    return AttackerView(out if keep_dob else out.drop("date_of_birth"), step.released_metadata())


def _three_ways(view: AttackerView, plan: NumberingPlan, exported: pl.DataFrame = EXPORTED) -> list[HashReversal]:
    """A real enumeration of the whole plan, the full attack through the numbers in use, and as the scenario runs it
    (given both: a slow scheme reads the oracle, a cheap one hashes the numbers in use)."""
    oracle = released_messages(exported, view)
    return [
        hash_reversal(view, AuxiliaryData(), RNG, plan, budget=plan.size),
        hash_reversal(view, AuxiliaryData(), RNG, plan, universe=IN_USE),
        hash_reversal(view, AuxiliaryData(), np.random.default_rng(3), plan, universe=IN_USE, preimages=lambda: oracle),
    ]


@pytest.mark.parametrize(
    "step",
    [
        HashColumn(method="pbkdf2", iterations=2, salt_released=True, random_state=4),
        HashColumn(method="pbkdf2", iterations=2, salt_released=True, per_record_salt=True, random_state=4),
        HashColumn(method="salted", salt_released=True, per_record_salt=True, random_state=4),
        HashColumn(method="hmac", key_file="KEYFILE", key_leaked=True),
    ],
    ids=["pbkdf2", "pbkdf2_per_record", "salted_per_record", "hmac_leaked"],
)
def test_full_equals_a_real_enumeration_for_every_scheme(step: HashColumn, tmp_path: Path) -> None:
    if step.key_file:
        (tmp_path / "key").write_bytes(b"leaked key")
        step.key_file = str(tmp_path / "key")
    view = _hashed_view(step)
    enumerated, universe, oracle = _three_ways(view, TINY)
    for result in (enumerated, universe, oracle):
        assert_frame_equal(result.guesses, FOUND)
        assert result.reversible and result.birth_dates_all == 1 and result.rate > 0
    assert (enumerated.full, universe.full, oracle.full) == (False, True, True)
    assert enumerated.candidates == universe.candidates == TINY.size
    per_record = step.per_record_salt
    assert oracle.enumerations == (5 if per_record else 1)  # a salt per released digest
    gpu = oracle.primitive.gpu_rate
    assert oracle.cost()["gpu_seconds"] == pytest.approx(REAL_MOBILE_SPACE * oracle.enumerations / gpu)
    assert oracle.cost()["per_record_gpu_seconds"] == pytest.approx(REAL_MOBILE_SPACE / gpu)


def test_pbkdf2_rate_and_cost_scale_with_the_iterations() -> None:
    view = _hashed_view(HashColumn(method="pbkdf2", iterations=1_000, salt_released=True))
    result = hash_reversal(view, AuxiliaryData(), RNG, TINY, preimages=released_messages(EXPORTED, view))
    assert_frame_equal(result.guesses, FOUND)
    assert result.primitive.gpu_rate == pytest.approx(8_865.7e3 * 999 / 1_000)
    cost = result.cost()
    assert cost["gpu_seconds"] == pytest.approx(REAL_MOBILE_SPACE / (8_865.7e3 * 0.999))  # about 7.5 minutes
    assert cost["plan_gpu_seconds"] == pytest.approx(TINY.size / (8_865.7e3 * 0.999))
    assert cost["cpu_core_seconds"] == pytest.approx(REAL_MOBILE_SPACE / result.rate)
    assert 100 < result.rate < 100_000  # hashlib's PBKDF2 at 1,000 iterations: a few thousand a second
    assert "mode 10900" in str(cost["gpu_source"]) and "8865.7 kH/s at 999 iterations" in str(cost["gpu_source"])


@pytest.mark.parametrize("ages", [True, False], ids=["age_released", "no_age"])
def test_phone_and_birth_date_full_equals_a_real_enumeration(ages: bool) -> None:
    """Every number of the plan with every birth date of the window the released age leaves (or of 110 years)."""
    exported = (
        EXPORTED if ages else EXPORTED.with_columns(phone=pl.Series(["+917123400007", None, None, None, None, None]))
    )
    plan = AGED_PLAN if ages else DOB_PLAN
    view = _hashed_view(HashColumn(method="sha256", with_column="date_of_birth"), exported)
    if not ages:
        view = AttackerView(view.data.drop("age"), view.metadata)
    enumerated, universe, oracle = _three_ways(view, plan, exported)
    expected = FOUND if ages else FOUND.head(1)
    for result in (enumerated, universe, oracle):
        assert_frame_equal(result.guesses, expected)
    # one record: its year of life (366 dates: 2 February 1988 to 1 February 1989 holds 29 February 1988);
    # every record: the union of the windows of the released ages (37, 81 and 60: 1944 is a leap year, 1965 is
    # not), or the 110 years
    assert oracle.birth_dates == (366 if ages else DOB_DAYS)
    assert oracle.birth_dates_all == (366 + 366 + 365 if ages else DOB_DAYS)
    cost = oracle.cost()
    assert cost["per_record_gpu_seconds"] == pytest.approx(REAL_MOBILE_SPACE * oracle.birth_dates / GPU_RATE)
    assert cost["gpu_seconds"] == pytest.approx(REAL_MOBILE_SPACE * oracle.birth_dates_all / GPU_RATE)


def test_a_birth_date_outside_the_window_is_not_found() -> None:
    """A release whose age disagrees with the birth date hashed: the attacker's window misses it, as a real
    enumeration of that window would."""
    wrong = EXPORTED.with_columns(age=pl.Series([38, 81, 37, 60, 37, 50], dtype=pl.Int16))
    view = _hashed_view(HashColumn(method="sha256", with_column="date_of_birth"), wrong)
    enumerated, universe, oracle = _three_ways(view, AGED_PLAN, wrong)
    for result in (enumerated, universe, oracle):
        assert_frame_equal(result.guesses, FOUND.filter(pl.col("row_id") != 0))


def test_birth_date_windows() -> None:
    assert birth_date_window((40, 40)) == (date(1985, 2, 2), date(1986, 2, 1))
    assert birth_date_window((35, 39)) == (date(1986, 2, 2), date(1991, 2, 1))
    first, last = birth_date_window(None)
    assert (last - first).days + 1 == DOB_DAYS and last == date(2026, 2, 1)
    assert birth_date_window((0, 0), date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))


def test_the_oracle_is_verified_by_hashing() -> None:
    view = _hashed_view(HashColumn(method="pbkdf2", iterations=2, salt_released=True))
    oracle = released_messages(EXPORTED, view)
    lying = oracle.with_columns(number=pl.col("number").reverse())
    with pytest.raises(
        RuntimeError, match=r"^attack 'hash_reversal': the oracle's message for row \d does not give its digest under"
    ):
        hash_reversal(view, AuxiliaryData(), RNG, TINY, preimages=lying)
    # the same seed verifies the same sample: seeded twins agree
    first = hash_reversal(view, AuxiliaryData(), np.random.default_rng(9), TINY, preimages=oracle)
    second = hash_reversal(view, AuxiliaryData(), np.random.default_rng(9), TINY, preimages=oracle)
    assert_frame_equal(first.guesses, second.guesses)


def test_released_messages() -> None:
    view = _hashed_view(HashColumn(method="sha256", with_column="date_of_birth"))
    oracle = released_messages(EXPORTED, view)
    assert oracle.columns == ["phone", "number", "date_of_birth"]
    assert oracle.height == 5  # rows 0 and 3 share a number but not a birth date; row 5 has no phone
    assert sorted(oracle["number"].to_list()) == sorted(
        [7_123_400_007, 7_123_401_499, 98_700_123, 7_123_400_007, 7_123_401_500]
    )
    salted = _hashed_view(HashColumn(method="salted", per_record_salt=True, salt_released=True))
    assert released_messages(EXPORTED, salted).columns == ["phone", "phone_salt", "number"]
    assert released_messages(EXPORTED, AttackerView(EXPORTED.drop("phone"))).height == 0


def test_a_secret_salt_or_a_kept_key_is_infeasible_never_a_small_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HMAC_KEY", "kept")
    steps = {
        "pepper": HashColumn(method="salted", random_state=2),
        "hmac": HashColumn(method="hmac"),
        "pbkdf2_secret": HashColumn(method="pbkdf2", iterations=2, per_record_salt=True),
    }
    exported = EXPORTED.select("row_id", "phone").drop_nulls()
    for name, step in steps.items():
        view = _hashed_view(step, EXPORTED)
        result = hash_reversal(
            view, AuxiliaryData(), RNG, TINY, universe=IN_USE, preimages=released_messages(EXPORTED, view)
        )
        assert result.guesses.height == 0 and not result.reversible, name  # enumerated with what it holds
        cost = result.cost()
        assert all(math.isnan(float(cost[k])) for k in ("gpu_seconds", "plan_gpu_seconds", "cpu_core_seconds")), name
        assert "2^128" in str(cost["gpu_source"]) or "2^256" in str(cost["gpu_source"])
        score = score_hash_reversal(result, random_guesses(view, np.random.default_rng(1), TINY), exported)
        names = {row.measure: row.value for row in measure_rows(score)}
        assert names["reversible"] == 0 and names["recall"] == 0
        assert not {"real_space_gpu_seconds", "plan_gpu_seconds", "per_record_gpu_seconds"} & set(names), name


def test_the_score_carries_the_primitive_cost() -> None:
    view = _hashed_view(HashColumn(method="sha256", with_column="date_of_birth"))
    result = hash_reversal(view, AuxiliaryData(), RNG, TINY, preimages=released_messages(EXPORTED, view))
    exported = EXPORTED.select("row_id", "phone")
    score = score_hash_reversal(result, random_guesses(view, np.random.default_rng(1), TINY), exported)
    assert (score.rows, score.correct, score.recall.value) == (5, 4, 4 / 5)
    assert (score.reversible, score.enumerations, score.birth_dates) == (1, 1, 366 + 366 + 365)
    assert score.gpu_hashes_per_second == GPU_RATE
    assert score.real_space_gpu_seconds == pytest.approx(REAL_MOBILE_SPACE * 1_097 / GPU_RATE)
    assert score.per_record_gpu_seconds == pytest.approx(REAL_MOBILE_SPACE * 366 / GPU_RATE)
    assert {"reversible", "enumerations", "birth_dates", "per_record_gpu_seconds"} <= {
        r.measure for r in measure_rows(score)
    }


def test_scheme_of_metadata() -> None:
    assert scheme_of({}) == Scheme()
    assert scheme_of({"phone_salt": "00ff"}) == Scheme("salted", "released", salt_bytes=b"\x00\xff")
    with pytest.raises(SpecError, match=r"^the release's scheme names method 'md5'; known are"):
        scheme_of({"phone_hash": {"method": "md5"}})
    view = AttackerView(pl.DataFrame({"row_id": [0], "phone": ["ab" * 32]}), {"phone_hash": {"method": "md5"}})
    with pytest.raises(SpecError, match=r"^attack 'hash_reversal': the release's scheme names method 'md5'; known are"):
        hash_reversal(view, AuxiliaryData(), RNG, TINY, budget=10)  # the attack names itself
    said = scheme_of({"phone_hash": {"method": "hmac", "key": "leaked"}})  # said to leak, but not published
    assert said.key == "kept" and not said.computable
