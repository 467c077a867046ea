"""The time-to-reverse model of every primitive, worked out by hand from hashcat's published RTX 4090 rates."""

from __future__ import annotations

import math

import pytest

from synth.core.hash_costs import (
    DOB_DAYS,
    GPU_BCRYPT,
    GPU_PBKDF2,
    GPU_SHA256,
    PRIMITIVE,
    PRIMITIVES,
    REAL_MOBILE_SPACE,
    RECORDS,
    duration,
)

N = 4_000_000_000
SHA256 = 21_975.5e6  # mode 1400, Speed.#1 21975.5 MH/s


def test_the_published_rates_and_their_scaling() -> None:
    assert (REAL_MOBILE_SPACE, RECORDS) == (N, 10_000_000)
    assert GPU_SHA256.at() == SHA256
    assert GPU_PBKDF2.at(10_000) == pytest.approx(8_865.7e3 * 999 / 10_000)  # 885,683 a second
    assert GPU_BCRYPT.at(2**10) == pytest.approx(184.0e3 / 32)  # cost 5 is 32 rounds: 5,750 a second at cost 10
    assert GPU_PBKDF2.source == (
        "hashcat v6.2.6, RTX 4090, mode 10900 (PBKDF2-HMAC-SHA256): 8865.7 kH/s at 999 iterations "
        "[https://gist.github.com/Chick3nman/32e662a5bb63bc4f51b847bb422222fd]"
    )
    assert "mode 3200 (bcrypt $2*$, Blowfish (Unix)): 184.0 kH/s at 32 rounds (cost 5)" in GPU_BCRYPT.source


@pytest.mark.parametrize(
    ("key", "one", "every"),
    [
        ("sha1", N / 50_638.7e6, N / 50_638.7e6),
        ("sha256", N / SHA256, N / SHA256),  # 0.18 s: one enumeration covers every record
        ("sha256_released_salt", N / 19_450.8e6, N / 19_450.8e6),
        ("sha256_per_record_salt", N / 19_450.8e6, N / 19_450.8e6 * RECORDS),  # one enumeration per record
        ("pbkdf2_1e4", N / (8_865.7e3 * 0.0999), N / (8_865.7e3 * 0.0999)),  # 75 minutes
        ("pbkdf2_1e5", N / (8_865.7e3 * 0.00999), N / (8_865.7e3 * 0.00999)),  # 12.5 hours
        ("pbkdf2_1e5_per_record", N / (8_865.7e3 * 0.00999), N / (8_865.7e3 * 0.00999) * RECORDS),
        ("bcrypt_10", N / 5_750, N / 5_750 * RECORDS),  # its own salt in every digest: 8 days a record
        ("sha256_truncated", N / SHA256, N / SHA256),
        ("sha256_phone_dob", N * 366 / SHA256, N * DOB_DAYS / SHA256),  # a year of life; a century and more
        ("sha256_phone_dob_no_age", N * DOB_DAYS / SHA256, N * DOB_DAYS / SHA256),
        ("hmac_leaked", N / 9_387.1e6, N / 9_387.1e6),  # mode 1460: the leaked key is hashcat's salt
    ],
)
def test_time_to_reverse_on_one_gpu(key: str, one: float, every: float) -> None:
    p = PRIMITIVE[key]
    assert p.seconds(p.gpu_rate) == pytest.approx((one, every))


def test_secrets_kept_are_infeasible_never_a_number() -> None:
    for key in ("pepper", "hmac_kept"):
        p = PRIMITIVE[key]
        assert not p.reversible and math.isnan(p.gpu_rate)
        assert all(math.isnan(s) for s in p.seconds(p.gpu_rate))
        assert [duration(s) for s in p.seconds(1e12)] == ["infeasible", "infeasible"]
    assert "2^128" in PRIMITIVE["pepper"].infeasible and "2^256" in PRIMITIVE["hmac_kept"].infeasible


def test_a_truncated_digest_is_ambiguous() -> None:
    assert PRIMITIVE["sha256_truncated"].truncated_bits == 32
    assert PRIMITIVE["sha256_truncated"].ambiguity() == pytest.approx(1 + (N - 1) / 2**32)  # 1.93 numbers a digest
    assert PRIMITIVE["sha256"].ambiguity() == 1.0


def test_every_primitive_of_the_issue_is_in_the_table() -> None:
    assert [p.key for p in PRIMITIVES] == [
        "sha1",
        "sha256",
        "sha256_released_salt",
        "sha256_per_record_salt",
        "pepper",
        "pbkdf2_1e4",
        "pbkdf2_1e5",
        "pbkdf2_1e5_per_record",
        "bcrypt_10",
        "sha256_truncated",
        "sha256_phone_dob",
        "sha256_phone_dob_no_age",
        "hmac_leaked",
        "hmac_kept",
    ]


def test_durations_read_in_the_largest_unit() -> None:
    assert [duration(s) for s in (0.1820, 66.6, 4_516.0, 45_163.0, 695_652.0, 4.5e11, math.inf)] == [
        "0.182 s",
        "1.1 minutes",
        "1.3 hours",
        "12.5 hours",
        "8.1 days",
        "14,260 years",
        "infeasible",
    ]
