"""The cost of reversing every hash a data holder might choose (the time-to-reverse model and its published
rates), shared by the hash-reversal attack, its scorer, the report and the benchmarks.

GPU rates are hashcat's published benchmark of one NVIDIA GeForce RTX 4090 (hashcat v6.2.6, stock clocks, run by
Sam Croley: https://gist.github.com/Chick3nman/32e662a5bb63bc4f51b847bb422222fd, file
RTX_4090_v6.2.6.Benchmark), each with its hashcat mode and the line it prints. A slow hash's rate is quoted at
the benchmark's work factor and scales inversely with it: PBKDF2 (mode 10900) at 999 iterations, bcrypt (mode
3200) at 32 rounds, i.e. cost 5 (``2**cost`` rounds).

Time to reverse, worst case (the whole space; half that on average), for a space of ``N`` numbers:

- no salt, or one salt or key released with the data: one enumeration of ``N`` candidates recovers every record;
- a salt per record, released beside it (bcrypt's is in every digest): one enumeration per record;
- the phone followed by the birth date: ``N`` times the birth dates tried: 366 for one record where the release
  gives the age in whole years (the dates of that year of life), a century and more (:data:`DOB_YEARS`) where it
  does not, and for every record the union of the years of life of the released ages (the same century, once);
- a truncated digest costs what the full one does but is ambiguous: ``1 + (N - 1) / 2**bits`` numbers of the
  space per digest, on average;
- a secret salt (a pepper) or an HMAC key kept by the controller: not reversible by enumeration. The attacker
  would have to guess the secret (2**128 for a 16-byte salt, 2**256 for a key of 32 random bytes) for every
  candidate number: infeasible, never a figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

REAL_MOBILE_SPACE = 4_000_000_000  # ten digits starting 6-9
RECORDS = 10_000_000  # the reference table's release: about 1 crore people were messaged
DOB_YEARS = 110  # without released ages the attacker tries every birth date of 110 years (ages 0 to 109)
DOB_DAYS = 40_178  # the dates of those 110 years, up to the default release date (1 February 2026)
AGE_DAYS = 366  # the dates of one year of life (365 where it holds no 29 February)
TRUNCATED_BITS = 32
HASHCAT_URL = "https://gist.github.com/Chick3nman/32e662a5bb63bc4f51b847bb422222fd"


@dataclass(frozen=True)
class GpuRate:
    """A published hashcat rate on one RTX 4090: the mode, its name as hashcat prints it, the hashes per second
    of its ``Speed.#1`` line, and the work factor it was measured at (iterations or bcrypt rounds; 1 for a fast
    hash)."""

    mode: int
    name: str
    rate: float
    printed: str
    work: int = 1

    def at(self, work: int = 0) -> float:
        """Hashes per second at ``work`` iterations or rounds (the published rate scaled by its work factor)."""
        return self.rate * self.work / (work or self.work)

    @property
    def source(self) -> str:
        at = f" at {self.work} {'iterations' if self.mode == 10900 else 'rounds (cost 5)'}" if self.work > 1 else ""
        return f"hashcat v6.2.6, RTX 4090, mode {self.mode} ({self.name}): {self.printed}{at} [{HASHCAT_URL}]"


GPU_SHA1 = GpuRate(100, "SHA1", 50_638.7e6, "50638.7 MH/s")
GPU_SHA256 = GpuRate(1400, "SHA2-256", 21_975.5e6, "21975.5 MH/s")
GPU_SALTED_SHA256 = GpuRate(1420, "sha256($salt.$pass)", 19_450.8e6, "19450.8 MH/s")
GPU_HMAC_KEY_PASS = GpuRate(1450, "HMAC-SHA256 (key = $pass)", 4_333.9e6, "4333.9 MH/s")
# HMAC with a known key over candidate messages is hashcat's "key = $salt" (the inner and outer key blocks are
# computed once): the rate an attacker holding a leaked key gets. Mode 1450 (the candidate as key) is slower.
GPU_HMAC_KEY_SALT = GpuRate(1460, "HMAC-SHA256 (key = $salt)", 9_387.1e6, "9387.1 MH/s")
GPU_PBKDF2 = GpuRate(10900, "PBKDF2-HMAC-SHA256", 8_865.7e3, "8865.7 kH/s", work=999)
GPU_BCRYPT = GpuRate(3200, "bcrypt $2*$, Blowfish (Unix)", 184.0e3, "184.0 kH/s", work=32)


@dataclass(frozen=True)
class Primitive:
    """A way to hash a phone number, and what reversing it takes.

    ``salt``: ``"none"``, ``"released"`` (one salt or key for every record, published), ``"per_record"``
    (published beside each record) or ``"secret"``. ``birth_dates``: candidates of the birth date per number for
    one record; ``birth_dates_all``: for every record (the union of the windows). ``work``: iterations or bcrypt
    rounds for :meth:`GpuRate.at`. ``infeasible``: why it cannot be reversed by enumeration (``gpu`` is None).
    """

    key: str
    label: str
    gpu: GpuRate | None
    work: int = 0
    salt: str = "none"
    birth_dates: int = 1
    birth_dates_all: int = 1
    truncated_bits: int | None = None
    infeasible: str = ""

    @property
    def reversible(self) -> bool:
        return self.gpu is not None

    @property
    def gpu_rate(self) -> float:
        """Candidates per second on one GPU (NaN when not reversible)."""
        return self.gpu.at(self.work) if self.gpu is not None else math.nan

    def candidates(self, space: int, records: int) -> tuple[float, float]:
        """Candidates to hash to recover one record, and every one of ``records`` (NaN when not reversible)."""
        if not self.reversible:
            return math.nan, math.nan
        one = float(space) * self.birth_dates
        every = one * records if self.salt == "per_record" else float(space) * self.birth_dates_all
        return one, every

    def seconds(self, rate: float, space: int = REAL_MOBILE_SPACE, records: int = RECORDS) -> tuple[float, float]:
        """Seconds to recover one record and every record at ``rate`` candidates per second (NaN: not reversible
        or no rate)."""
        one, every = self.candidates(space, records)
        if not rate or math.isnan(rate):
            return math.nan, math.nan
        return one / rate, every / rate

    def ambiguity(self, space: int = REAL_MOBILE_SPACE) -> float:
        """Numbers of the space expected per digest: 1, or ``1 + (space - 1) / 2**bits`` for a truncated one."""
        return 1.0 if self.truncated_bits is None else 1.0 + (space - 1) / 2.0**self.truncated_bits


PEPPER = "a secret salt of 16 random bytes: 2^128 salts to try for every number"
KEPT_KEY = "a key kept by the controller (32 random bytes): 2^256 keys to try for every number"
PRIMITIVES: tuple[Primitive, ...] = (
    Primitive("sha1", "SHA-1(phone)", GPU_SHA1),
    Primitive("sha256", "SHA-256(phone)", GPU_SHA256),
    Primitive("sha256_released_salt", "SHA-256(salt + phone), one salt released with the data", GPU_SALTED_SHA256),
    Primitive(
        "sha256_per_record_salt",
        "SHA-256(salt + phone), a salt per record released beside it",
        GPU_SALTED_SHA256,
        salt="per_record",
    ),
    Primitive("pepper", "SHA-256(pepper + phone), the salt kept secret", None, salt="secret", infeasible=PEPPER),
    Primitive(
        "pbkdf2_1e4",
        "PBKDF2-HMAC-SHA-256, 10^4 iterations, one salt released",
        GPU_PBKDF2,
        work=10_000,
        salt="released",
    ),
    Primitive(
        "pbkdf2_1e5",
        "PBKDF2-HMAC-SHA-256, 10^5 iterations, one salt released",
        GPU_PBKDF2,
        work=100_000,
        salt="released",
    ),
    Primitive(
        "pbkdf2_1e5_per_record",
        "PBKDF2-HMAC-SHA-256, 10^5 iterations, a salt per record",
        GPU_PBKDF2,
        work=100_000,
        salt="per_record",
    ),
    Primitive("bcrypt_10", "bcrypt, cost 10 (a salt in every digest)", GPU_BCRYPT, work=2**10, salt="per_record"),
    Primitive(
        "sha256_truncated",
        f"SHA-256(phone) truncated to {TRUNCATED_BITS} bits",
        GPU_SHA256,
        truncated_bits=TRUNCATED_BITS,
    ),
    Primitive(
        "sha256_phone_dob",
        "SHA-256(phone + birth date), age released in years",
        GPU_SHA256,
        birth_dates=AGE_DAYS,
        birth_dates_all=DOB_DAYS,
    ),
    Primitive(
        "sha256_phone_dob_no_age",
        "SHA-256(phone + birth date), no age released",
        GPU_SHA256,
        birth_dates=DOB_DAYS,
        birth_dates_all=DOB_DAYS,
    ),
    Primitive("hmac_leaked", "HMAC-SHA-256(key, phone), the key leaked", GPU_HMAC_KEY_SALT, salt="released"),
    Primitive("hmac_kept", "HMAC-SHA-256(key, phone), the key kept", None, salt="secret", infeasible=KEPT_KEY),
)
PRIMITIVE = {p.key: p for p in PRIMITIVES}


def duration(seconds: float) -> str:
    """Seconds in the largest unit that keeps the figure readable (``"infeasible"`` for NaN or infinity)."""
    if seconds is None or math.isnan(seconds) or math.isinf(seconds):
        return "infeasible"
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.1f} {unit}"
    return f"{seconds:.3g} s"
