"""Hash reversal on a small numbering plan enumerated in full: plain and released-salt hashes fall,
HMAC and tokens do not, by measurement."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
import pytest

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.hash_reversal import REAL_MOBILE_SPACE, hash_reversal, random_guesses
from synth.errors import SpecError
from synth.measure.hash_reversal import score_hash_reversal
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


def _attack(data: pl.DataFrame, metadata: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return hash_reversal(AttackerView(data, metadata or {}), AuxiliaryData(), RNG, PLAN)


def test_plain_sha256_is_reversed_in_full() -> None:
    hashed = HashColumn(method="sha256").fit_transform(RELEASE)
    r = _attack(hashed)
    assert r.guesses.rows() == [(0, PHONES[0]), (1, PHONES[1]), (2, PHONES[2])]
    assert r.candidates == 15_000 and r.rate > 0
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
    assert s.real_space_cpu_core_seconds == pytest.approx(REAL_MOBILE_SPACE / r.rate)


def test_bad_input() -> None:
    with pytest.raises(SpecError, match="attack 'hash_reversal': the release has no column 'phone'"):
        _attack(RELEASE.drop("phone"))
    with pytest.raises(SpecError, match="column 'phone' is empty"):
        _attack(RELEASE.filter(pl.col("phone").is_null()))
