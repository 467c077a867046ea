"""Hashed-phone reversal: enumerate the numbering plan, hash every candidate as the policy did, invert.

A phone number has at most a few billion possible values, so a hash of it (plain SHA-256, one salted with a
released salt, a key-stretched PBKDF2, an HMAC whose key leaked, even one with the holder's birth date
appended) is a lookup, not a secret: it only costs more or less time. The attacker reads the scheme from
the release's metadata (:meth:`synth.policies.hashing.HashColumn.released_metadata`: a real attacker knows
or guesses it, as it is written in the data holder's code or SDK), with the released salt, the per-record
salts beside the digests, or a leaked key. A secret salt (a pepper) or a kept HMAC key cannot be enumerated:
the attacker still hashes the plan with what it holds, finds nothing (measured, not assumed), and the cost
figures say "infeasible" (NaN), never a small number.

For plain and released-salt SHA-256 of the number alone, the inner loop is a compiled SHA-256 of
single-block messages (``salt + "+91" + ten digits``), compared by the first 64 bits of each digest
against the sorted released digests; hits are confirmed with hashlib. Every other scheme is hashed with
hashlib (:func:`synth.policies.hashing.digest`), one call per candidate.

A real attacker enumerates the whole space (a few billion numbers, times the birth dates where the birth
date is hashed, once per record where each record has its own salt). With ``budget="full"`` the attack
does the same, scored exactly without hashing every candidate: a full enumeration recovers precisely the
released digests whose message (the number, and the birth date) lies in the space the attacker
enumerates, namely a number of the plan and, where the birth date is hashed, a date of the window the
released age leaves (see :func:`birth_date_window`). Those messages are numbers somebody holds, so:

- for cheap schemes (plain, one released salt, a leaked HMAC key) the attack hashes the numbers in use that
  lie in the plan (``universe``) and matches them against the release: the same recovered rows, exactly;
- for schemes too slow to hash every number in use (PBKDF2, a salt per record, the birth date appended:
  hours on a district) it reads the message behind each released digest from an oracle (``preimages``,
  :func:`released_messages`), keeps those that lie in the space above, and verifies the oracle on a
  seeded sample by hashing each sampled message with the released scheme (it must give the row's digest):
  by determinism, the full enumeration hashes that message and finds that digest, and (a 256-bit digest
  having no collisions within a few billion candidates) finds no other. Without an oracle it hashes the
  numbers in use (times the dates, per salt), which gives the same rows (tests prove both equalities).

The rate of the policy's primitive is measured on one core (a slice of the plan for the compiled kernel, a
timed sample of hashlib calls otherwise). The cost of recovering every digest from the world's plan and from
the real Indian mobile space is extrapolated from it, and at the published GPU rate of the primitive
(:mod:`synth.measure.hash_reversal`).
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import polars as pl
from numba import njit

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NotApplicable, Outcome, Scored, Truth
from synth.errors import SpecError
from synth.measure.breakdown import breakdown_rows
from synth.measure.hash_reversal import (
    DOB_YEARS,
    GPU_HMAC_KEY_SALT,
    GPU_PBKDF2,
    GPU_SALTED_SHA256,
    GPU_SHA256,
    PRIMITIVE,
    REAL_MOBILE_SPACE,
    GpuRate,
    Primitive,
    recovered_rows,
    score_hash_reversal,
)
from synth.policies.hashing import DATE_FORMAT, KEY_SUFFIX, METHODS, SALT_SUFFIX, SCHEME_SUFFIX, digest
from synth.release.build import AttackerView
from synth.world.phones import COUNTRY_CODE, NumberingPlan

if TYPE_CHECKING:
    from synth.world.api import World

ATTACK_ID = "hash_reversal"
# hashcat v6.2.6 benchmark, mode 1400 (SHA2-256), one NVIDIA GeForce RTX 4090 (see synth.measure.hash_reversal).
GPU_RATE = GPU_SHA256.rate
GPU_SOURCE = GPU_SHA256.source
CHUNK = 1 << 22
# With budget "full": candidates enumerated (from the start of the plan) to measure the rate on one core.
MEASURED_SLICE = 1 << 22
FULL = "full"
# The compiled scan hashes one 64-byte block: salt + "+91" + 10 digits + 0x80 + 8 length bytes.
MAX_SALT_BYTES = 64 - 13 - 1 - 8
HEX64 = re.compile(r"^[0-9a-f]{64}$")
# The ages of a release are as of its reference date; the attacker takes it from the metadata where it is
# published and otherwise assumes the default scenario's (ages on 1 February 2026, the date of the export).
DEFAULT_REFERENCE_DATE = date(2026, 2, 1)
VERIFY = 32  # oracle answers verified by hashing, per run (a seeded sample)
RATE_SECONDS = 0.05  # a hashlib rate is timed on at least this long a sample
SEARCH_BATCH = 1 << 20  # candidates hashed with hashlib and held at once (a numeric budget or the universe)

_K = np.array(
    [
        0x428A2F98,
        0x71374491,
        0xB5C0FBCF,
        0xE9B5DBA5,
        0x3956C25B,
        0x59F111F1,
        0x923F82A4,
        0xAB1C5ED5,
        0xD807AA98,
        0x12835B01,
        0x243185BE,
        0x550C7DC3,
        0x72BE5D74,
        0x80DEB1FE,
        0x9BDC06A7,
        0xC19BF174,
        0xE49B69C1,
        0xEFBE4786,
        0x0FC19DC6,
        0x240CA1CC,
        0x2DE92C6F,
        0x4A7484AA,
        0x5CB0A9DC,
        0x76F988DA,
        0x983E5152,
        0xA831C66D,
        0xB00327C8,
        0xBF597FC7,
        0xC6E00BF3,
        0xD5A79147,
        0x06CA6351,
        0x14292967,
        0x27B70A85,
        0x2E1B2138,
        0x4D2C6DFC,
        0x53380D13,
        0x650A7354,
        0x766A0ABB,
        0x81C2C92E,
        0x92722C85,
        0xA2BFE8A1,
        0xA81A664B,
        0xC24B8B70,
        0xC76C51A3,
        0xD192E819,
        0xD6990624,
        0xF40E3585,
        0x106AA070,
        0x19A4C116,
        0x1E376C08,
        0x2748774C,
        0x34B0BCB5,
        0x391C0CB3,
        0x4ED8AA4A,
        0x5B9CCA4F,
        0x682E6FF3,
        0x748F82EE,
        0x78A5636F,
        0x84C87814,
        0x8CC70208,
        0x90BEFFFA,
        0xA4506CEB,
        0xBEF9A3F7,
        0xC67178F2,
    ],
    dtype=np.uint32,
)
_H0 = np.array(
    [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19], dtype=np.uint32
)


LANES = 16  # candidates hashed side by side, so that the compiler can use SIMD registers


@njit(cache=True, boundscheck=False)
def _scan(
    prefix: np.ndarray, numbers: np.ndarray, targets: np.ndarray, k: np.ndarray, h0: np.ndarray, hits: np.ndarray
) -> int:  # pragma: no cover - compiled
    """SHA-256 of ``prefix + '+91' + 10 digits`` for each number (``len(numbers)`` a multiple of LANES);
    records the numbers whose digest's first 64 bits are among ``targets`` (sorted)."""
    plen = prefix.shape[0]
    length = plen + 13
    base = np.zeros(64, dtype=np.uint8)
    for j in range(plen):
        base[j] = prefix[j]
    base[plen] = 43  # '+'
    base[plen + 1] = 57  # '9'
    base[plen + 2] = 49  # '1'
    base[length] = 0x80
    bits = length * 8
    base[62] = (bits >> 8) & 0xFF
    base[63] = bits & 0xFF
    blocks = np.empty((LANES, 64), dtype=np.uint8)
    w = np.empty((64, LANES), dtype=np.uint32)
    a = np.empty(LANES, np.uint32)
    b = np.empty(LANES, np.uint32)
    c = np.empty(LANES, np.uint32)
    d = np.empty(LANES, np.uint32)
    e = np.empty(LANES, np.uint32)
    f = np.empty(LANES, np.uint32)
    g = np.empty(LANES, np.uint32)
    h = np.empty(LANES, np.uint32)
    found = 0
    for start in range(0, numbers.shape[0], LANES):
        for lane in range(LANES):
            v = numbers[start + lane]
            for j in range(64):
                blocks[lane, j] = base[j]
            for digit in range(9, -1, -1):
                blocks[lane, plen + 3 + digit] = 48 + v % 10
                v //= 10
        for t in range(16):
            for lane in range(LANES):
                w[t, lane] = (
                    (np.uint32(blocks[lane, 4 * t]) << np.uint32(24))
                    | (np.uint32(blocks[lane, 4 * t + 1]) << np.uint32(16))
                    | (np.uint32(blocks[lane, 4 * t + 2]) << np.uint32(8))
                    | np.uint32(blocks[lane, 4 * t + 3])
                )
        for t in range(16, 64):
            for lane in range(LANES):
                x = w[t - 15, lane]
                y = w[t - 2, lane]
                s0 = (
                    ((x >> np.uint32(7)) | (x << np.uint32(25)))
                    ^ ((x >> np.uint32(18)) | (x << np.uint32(14)))
                    ^ (x >> np.uint32(3))
                )
                s1 = (
                    ((y >> np.uint32(17)) | (y << np.uint32(15)))
                    ^ ((y >> np.uint32(19)) | (y << np.uint32(13)))
                    ^ (y >> np.uint32(10))
                )
                w[t, lane] = np.uint32(w[t - 16, lane] + s0 + w[t - 7, lane] + s1)
        for lane in range(LANES):
            a[lane], b[lane], c[lane], d[lane] = h0[0], h0[1], h0[2], h0[3]
            e[lane], f[lane], g[lane], h[lane] = h0[4], h0[5], h0[6], h0[7]
        for t in range(64):
            kt = k[t]
            for lane in range(LANES):
                ee = e[lane]
                aa = a[lane]
                big_s1 = (
                    ((ee >> np.uint32(6)) | (ee << np.uint32(26)))
                    ^ ((ee >> np.uint32(11)) | (ee << np.uint32(21)))
                    ^ ((ee >> np.uint32(25)) | (ee << np.uint32(7)))
                )
                ch = (ee & f[lane]) ^ (~ee & g[lane])
                t1 = np.uint32(h[lane] + big_s1 + ch + kt + w[t, lane])
                big_s0 = (
                    ((aa >> np.uint32(2)) | (aa << np.uint32(30)))
                    ^ ((aa >> np.uint32(13)) | (aa << np.uint32(19)))
                    ^ ((aa >> np.uint32(22)) | (aa << np.uint32(10)))
                )
                maj = (aa & b[lane]) ^ (aa & c[lane]) ^ (b[lane] & c[lane])
                h[lane] = g[lane]
                g[lane] = f[lane]
                f[lane] = ee
                e[lane] = np.uint32(d[lane] + t1)
                d[lane] = c[lane]
                c[lane] = b[lane]
                b[lane] = aa
                a[lane] = np.uint32(t1 + np.uint32(big_s0 + maj))
        for lane in range(LANES):
            key = (np.uint64(np.uint32(h0[0] + a[lane])) << np.uint64(32)) | np.uint64(np.uint32(h0[1] + b[lane]))
            pos = np.searchsorted(targets, key)
            if pos < targets.shape[0] and targets[pos] == key and found < hits.shape[0]:
                hits[found] = numbers[start + lane]
                found += 1
    return found


@dataclass(frozen=True)
class Scheme:
    """How the release says a column was hashed, and what of it the attacker holds.

    ``salt``: ``"none"``, ``"released"`` (one salt, in ``salt_bytes``), ``"per_record"`` (a column beside the
    digests), ``"secret"`` or ``"secret_per_record"``; ``key``: ``"none"``, ``"leaked"`` (in ``key_bytes``) or
    ``"kept"``; ``with_column``: the field whose text follows the number in the message (the birth date).
    """

    method: str = "sha256"
    salt: str = "none"
    key: str = "none"
    with_column: str | None = None
    iterations: int = 1
    salt_bytes: bytes = field(default=b"", repr=False)
    key_bytes: bytes = field(default=b"", repr=False)

    @property
    def computable(self) -> bool:
        """Whether the attacker holds every input but the message (no secret salt, no kept key)."""
        return not self.salt.startswith("secret") and self.key != "kept"

    @property
    def per_record(self) -> bool:
        return self.salt == "per_record"

    @property
    def compiled(self) -> bool:
        """Whether the compiled SHA-256 kernel hashes it: the number alone, plain or after one released salt (and
        every scheme the attacker cannot compute, which it tries as plain SHA-256)."""
        simple = self.method in ("sha256", "salted") and self.salt in ("none", "released")
        return not self.computable or (simple and self.with_column is None)

    @property
    def expensive(self) -> bool:
        """Too slow to hash every number in use on a district (read from the oracle where there is one)."""
        return self.method == "pbkdf2" or self.per_record or self.with_column is not None

    def digest(self, message: bytes, salt: bytes | None = None) -> bytes:
        """The digest of ``message`` under this scheme (``salt``: a per-record salt)."""
        return digest(self.method, message, self.salt_bytes if salt is None else salt, self.key_bytes, self.iterations)

    @property
    def gpu(self) -> GpuRate | None:
        """The published GPU rate of the primitive (None when the attacker cannot compute it)."""
        if not self.computable:
            return None
        return {"sha256": GPU_SHA256, "salted": GPU_SALTED_SHA256, "hmac": GPU_HMAC_KEY_SALT, "pbkdf2": GPU_PBKDF2}[
            self.method
        ]

    @property
    def label(self) -> str:
        """The primitive in words."""
        name = {
            "sha256": "SHA-256",
            "salted": "SHA-256 of a salt and",
            "hmac": "HMAC-SHA-256",
            "pbkdf2": f"PBKDF2-HMAC-SHA-256 ({self.iterations:,} iterations)",
        }[self.method]
        message = "phone + " + self.with_column.replace("_", " ") if self.with_column else "phone"
        salt = {
            "released": ", one salt released",
            "per_record": ", a salt per record released beside it",
            "secret": ", the salt kept secret",
            "secret_per_record": ", a secret salt per record",
        }.get(self.salt, "")
        key = {"leaked": ", the key leaked", "kept": ", the key kept by the controller"}.get(self.key, "")
        return f"{name}({message}){salt}{key}" if self.method != "salted" else f"{name} the {message}{salt}"

    def primitive(self, birth_dates: int = 1, birth_dates_all: int = 1) -> Primitive:
        """The cost model of this scheme (see :class:`synth.measure.hash_reversal.Primitive`)."""
        if not self.computable:
            infeasible = PRIMITIVE["hmac_kept"].infeasible if self.key == "kept" else PRIMITIVE["pepper"].infeasible
            return Primitive(self.method, self.label, None, salt="secret", infeasible=infeasible)
        return Primitive(
            self.method,
            self.label,
            self.gpu,
            work=self.iterations if self.method == "pbkdf2" else 0,
            salt="per_record" if self.per_record else "released" if self.salt == "released" else "none",
            birth_dates=birth_dates,
            birth_dates_all=birth_dates_all,
        )


def scheme_of(metadata: Any, column: str = "phone") -> Scheme:
    """The scheme the release's metadata states for ``column`` (a release without one: SHA-256, after the
    released salt ``<column>_salt`` where there is one).

    Raises
    ------
    SpecError
        The metadata names a method the attack does not know.
    """
    salt_hex = str(metadata.get(column + SALT_SUFFIX, "") or "")
    raw = metadata.get(column + SCHEME_SUFFIX)
    if raw is None:
        return Scheme("salted", "released", salt_bytes=bytes.fromhex(salt_hex)) if salt_hex else Scheme()
    method = raw.get("method")
    if method not in METHODS:
        raise SpecError(
            f"attack '{ATTACK_ID}': the release's scheme names method {method!r}; known are {', '.join(METHODS)}"
        )
    salt, key = str(raw.get("salt", "none")), str(raw.get("key", "none"))
    key_hex = str(metadata.get(column + KEY_SUFFIX, "") or "")
    if key == "leaked" and not key_hex:
        key = "kept"  # said to leak, but not in the release: the attacker does not hold it
    return Scheme(
        method=method,
        salt=salt,
        key=key,
        with_column=raw.get("with"),
        iterations=int(raw.get("iterations", 1)),
        salt_bytes=bytes.fromhex(salt_hex) if salt == "released" else b"",
        key_bytes=bytes.fromhex(key_hex) if key == "leaked" else b"",
    )


@dataclass(frozen=True)
class HashReversal:
    """Recovered numbers (``row_id -> phone``) and what it took.

    ``candidates`` are the numbers of the plan the enumeration covers: the whole plan when ``full`` (budget
    ``"full"``, scored by equivalence), else the first ``budget`` numbers of it, each really hashed (with every
    birth date and salt). ``seconds`` is the time to hash ``hashed`` candidates on one core (None: all
    ``candidates``); with ``full`` that is the measured sample, not the whole plan. ``enumerations`` of the
    space recover every record (one per distinct salt released beside a record, else one); ``birth_dates`` are
    tried with each number for one record (the window of its age), ``birth_dates_all`` for every record.
    ``reversible`` is False when the scheme needs a secret the release does not hold.
    """

    guesses: pl.DataFrame
    candidates: int
    seconds: float
    plan_size: int
    full: bool = False
    hashed: int | None = None
    reversible: bool = True
    enumerations: int = 1
    birth_dates: int = 1
    birth_dates_all: int = 1
    primitive: Primitive = PRIMITIVE["sha256"]

    @property
    def rate(self) -> float:
        """Candidates hashed per second on one core (measured)."""
        hashed = self.candidates if self.hashed is None else self.hashed
        return hashed / self.seconds if self.seconds > 0 else 0.0

    def cost(self) -> dict[str, float | str]:
        """Time to recover every digest of the release from the world's plan and from the real Indian mobile space,
        from the measured rate (one CPU core) and from the primitive's published GPU rate; NaN where the scheme
        is not reversible by enumeration (and for the CPU where no rate was measured)."""
        p, rate = self.primitive, self.rate
        gpu_rate = p.gpu_rate
        one, every = p.candidates(REAL_MOBILE_SPACE, self.enumerations)
        _, plan_every = p.candidates(self.plan_size, self.enumerations)

        def per(work: float, at: float) -> float:
            return work / at if at and not math.isnan(at) else math.nan

        return {
            "real_space": float(REAL_MOBILE_SPACE),
            "cpu_core_seconds": per(every, rate),
            "gpu_seconds": per(every, gpu_rate),
            "plan_size": float(self.plan_size),
            "plan_cpu_core_seconds": per(plan_every, rate),
            "plan_gpu_seconds": per(plan_every, gpu_rate),
            "per_record_gpu_seconds": per(one, gpu_rate),
            "gpu_rate": gpu_rate,
            "gpu_source": p.gpu.source if p.gpu is not None else p.infeasible,
        }


def check_budget(value: object) -> str | int:
    """``"full"`` or a positive whole number of candidates (an int, not a bool), as given.

    Raises
    ------
    SpecError
        Anything else.
    """
    if isinstance(value, str) and value == FULL:
        return FULL
    if isinstance(value, int | np.integer) and not isinstance(value, bool) and value > 0:
        return int(value)
    raise SpecError(
        f"attack '{ATTACK_ID}': budget = {value!r}; allowed is \"full\" or a positive whole number of candidates"
    )


def _national(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_prefix(COUNTRY_CODE).cast(pl.Int64, strict=False)


def numbers_in_use(world: World) -> np.ndarray:
    """The distinct ten-digit national numbers (int64, sorted) somebody in ``world`` holds: ``people.phone``
    and ``people.contact_phone`` where the table has it, nulls left out."""
    people = world.people
    columns = [c for c in ("phone", "contact_phone") if c in people.collect_schema().names()]
    if not columns:
        return np.zeros(0, dtype=np.int64)
    stacked = pl.concat([people.select(number=pl.col(c).cast(pl.String)) for c in columns])
    numbers = stacked.select(_national("number")).drop_nulls().unique().collect()["number"].to_numpy()
    return np.sort(numbers).astype(np.int64)


def released_messages(exported: pl.DataFrame, view: AttackerView, column: str = "phone") -> pl.DataFrame:
    """The oracle behind :attr:`synth.attacks.base.Cell.preimages`: the message behind each released digest.

    One row per distinct released digest (with its per-record salt where the release has a column of them):
    the national ``number`` (Int64) the data holder hashed, and the ``date_of_birth`` where its scheme appends
    it. It is read from the rows as exported (the truth side), and only through :func:`hash_reversal`, which
    keeps the messages a full enumeration of the attacker's space reaches and verifies a sample by hashing:
    it stands for the attacker's own enumeration, not for knowledge of who a row is.

    Parameters
    ----------
    exported
        The rows as exported before the policy (``row_id``, ``phone``, and ``date_of_birth`` where released).
    view
        The attacker's view of the release after the policy.
    column
        The hashed column.
    """
    if column not in view.data.columns or column not in exported.columns:
        return pl.DataFrame()
    keys = [column, *([column + SALT_SUFFIX] if column + SALT_SUFFIX in view.data.columns else [])]
    scheme = scheme_of(view.metadata, column)
    extra = [scheme.with_column] if scheme.with_column and scheme.with_column in exported.columns else []
    truth = exported.select("row_id", _national(column).alias("number"), *extra)
    if extra:
        truth = truth.rename({extra[0]: "date_of_birth"})
    released = view.data.select("row_id", *keys).drop_nulls(column)
    return released.join(truth, on="row_id", how="inner").drop("row_id").unique(keys, keep="first").sort(keys)


def _scan_numbers(prefix: np.ndarray, numbers: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The numbers (distinct, int64) whose salted digest starts with one of ``targets``."""
    if len(numbers) == 0:
        return np.zeros(0, dtype=np.int64)
    padded = np.concatenate([numbers, np.full(-len(numbers) % LANES, numbers[-1])])  # whole lanes
    hits = np.zeros(len(targets) + LANES, dtype=np.int64)
    n = _scan(prefix, padded, targets, _K, _H0, hits)
    return hits[:n]


def _enumerate(prefix: np.ndarray, plan: NumberingPlan, total: int, targets: np.ndarray) -> tuple[np.ndarray, float]:
    """Hash the first ``total`` numbers of ``plan``: the numbers that hit, and the seconds it took."""
    _scan_numbers(prefix, plan.number(np.zeros(LANES, dtype=np.int64)), targets)  # compile before timing
    found: list[np.ndarray] = []
    start = time.perf_counter()
    for lo in range(0, total, CHUNK):
        found.append(_scan_numbers(prefix, plan.number(np.arange(lo, min(lo + CHUNK, total), dtype=np.int64)), targets))
    seconds = time.perf_counter() - start
    return (np.concatenate(found) if found else np.zeros(0, dtype=np.int64)), seconds


def _plan_numbers(universe: np.ndarray, plan: NumberingPlan) -> np.ndarray:
    """The distinct numbers of ``universe`` that lie in ``plan``."""
    numbers = np.unique(np.asarray(universe, dtype=np.int64).ravel())
    return numbers[plan.contains(numbers)]


def _in_plan(universe: np.ndarray, plan: NumberingPlan, prefix: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The numbers of ``universe`` that lie in ``plan`` and whose digest starts with one of ``targets``."""
    numbers = _plan_numbers(universe, plan)
    found = [_scan_numbers(prefix, numbers[lo : lo + CHUNK], targets) for lo in range(0, len(numbers), CHUNK)]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


# --- birth dates ----------------------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def birth_date_window(ages: tuple[int, int] | None, reference: date = DEFAULT_REFERENCE_DATE) -> tuple[date, date]:
    """The first and last birth date (inclusive) the attacker tries for a record whose age on ``reference`` is
    between ``ages[0]`` and ``ages[1]`` whole years (None: no age released, every date of the
    :data:`~synth.measure.hash_reversal.DOB_YEARS` years before ``reference``).

    Examples
    --------
    >>> birth_date_window((40, 40))  # one year of life: 365 or 366 dates
    (datetime.date(1985, 2, 2), datetime.date(1986, 2, 1))
    """
    low, high = ages if ages is not None else (0, DOB_YEARS - 1)
    return _years_before(reference, high + 1) + timedelta(days=1), _years_before(reference, low)


def _age_range(value: object) -> tuple[int, int] | None:
    """Whole-year ages a released age stands for: ``37`` or ``"37"``, a band ``"35-39"``, an open ``"80+"``."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value), int(value)
    text = str(value) if value is not None else ""
    if text.isdigit():
        return int(text), int(text)
    if match := re.fullmatch(r"(\d+)-(\d+)", text):
        return int(match[1]), int(match[2])
    if match := re.fullmatch(r"(\d+)\+", text):
        return int(match[1]), DOB_YEARS - 1
    return None


def _windows(data: pl.DataFrame, reference: date | None) -> pl.DataFrame:
    """``first`` and ``last`` birth date tried for each row, by its released ``age`` where it has one (null for
    both where ``reference`` is None: the birth date is not hashed)."""
    if reference is None:
        return data.with_columns(first=pl.lit(None, dtype=pl.Date), last=pl.lit(None, dtype=pl.Date))
    if "age" not in data.columns:
        first, last = birth_date_window(None, reference)
        return data.with_columns(first=pl.lit(first), last=pl.lit(last))
    ages = data["age"].unique().to_list()  # one window per distinct released age
    spans = [birth_date_window(_age_range(a), reference) for a in ages]
    table = pl.DataFrame(
        {
            "age": pl.Series(ages, dtype=data.schema["age"]),
            "first": pl.Series([s[0] for s in spans], dtype=pl.Date),
            "last": pl.Series([s[1] for s in spans], dtype=pl.Date),
        }
    )
    return data.join(table, on="age", how="left", nulls_equal=True, maintain_order="left")


def _union_dates(windows: pl.DataFrame) -> list[date]:
    """Every date of the union of the rows' windows, in order."""
    days: set[date] = set()
    for first, last in windows.select("first", "last").unique().iter_rows():
        days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return sorted(days)


def _reference(view: AttackerView) -> date:
    value = view.metadata.get("reference_date")
    return date.fromisoformat(str(value)) if value else DEFAULT_REFERENCE_DATE


# --- the generic (hashlib) search -----------------------------------------------------------------


def _message(number: int, day: date | None = None) -> bytes:
    text = f"{COUNTRY_CODE}{number:010d}"
    return (text + day.strftime(DATE_FORMAT) if day is not None else text).encode()


def _hashed(scheme: Scheme, numbers: np.ndarray, days: list[date] | None, salt: bytes | None = None) -> pl.DataFrame:
    """Every candidate (number, birth date) with its hex digest under ``scheme``."""
    pairs = [(int(n), d) for n in numbers for d in days] if days is not None else [(int(n), None) for n in numbers]
    return pl.DataFrame(
        {
            "digest": [scheme.digest(_message(n, d), salt).hex() for n, d in pairs],
            "number": [n for n, _ in pairs],
            "date_of_birth": [d for _, d in pairs],
        },
        schema={"digest": pl.String, "number": pl.Int64, "date_of_birth": pl.Date},
    )


def _search(scheme: Scheme, numbers: np.ndarray, rows: pl.DataFrame, column: str) -> pl.DataFrame:
    """The rows of ``rows`` (``row_id``, the digest, its salt, its window) whose digest is that of one of
    ``numbers`` (with a birth date of the row's window): ``row_id``, ``number``, ``date_of_birth``."""
    empty = pl.DataFrame(schema={"row_id": pl.Int64, "number": pl.Int64, "date_of_birth": pl.Date})
    if rows.height == 0 or len(numbers) == 0:
        return empty
    dated = scheme.with_column is not None
    found = []
    contexts = (
        [(pl.DataFrame([row]), bytes.fromhex(row[column + SALT_SUFFIX])) for row in rows.iter_rows(named=True)]
        if scheme.per_record
        else [(rows, None)]
    )
    for targets, salt in contexts:  # one enumeration per salt released beside a record, else one
        days = _union_dates(targets) if dated else None
        step = max(1, SEARCH_BATCH // len(days)) if days else SEARCH_BATCH  # candidates held at once
        for lo in range(0, len(numbers), step):
            table = _hashed(scheme, numbers[lo : lo + step], days, salt)
            hits = targets.join(table, left_on=column, right_on="digest", how="inner")
            found.append(hits.select("row_id", "number", "date_of_birth"))
    out = pl.concat([empty, *found], how="vertical_relaxed")
    return _in_window(out.join(rows.select("row_id", "first", "last"), on="row_id"), dated)


def _in_window(found: pl.DataFrame, dated: bool) -> pl.DataFrame:
    """The hits whose birth date lies in the row's window (every hit where the birth date is not hashed)."""
    if dated:
        found = found.filter(pl.col("date_of_birth").is_between(pl.col("first"), pl.col("last")))
    return found.select("row_id", "number", "date_of_birth")


def _rate(scheme: Scheme, plan: NumberingPlan) -> tuple[int, float]:
    """Hashlib calls of ``scheme`` timed on messages of the plan's first numbers: (calls, seconds)."""
    n = 16
    while True:
        numbers = plan.number(np.arange(min(n, plan.size), dtype=np.int64))
        day = DEFAULT_REFERENCE_DATE if scheme.with_column else None
        salt = bytes(16) if scheme.per_record else None
        start = time.perf_counter()
        for number in numbers:
            scheme.digest(_message(int(number), day), salt)
        seconds = time.perf_counter() - start
        if seconds >= RATE_SECONDS or n >= plan.size or n >= 1 << 20:
            return len(numbers), seconds
        n *= 4


def _oracle(
    scheme: Scheme,
    preimages: pl.DataFrame,
    rows: pl.DataFrame,
    plan: NumberingPlan,
    column: str,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """What a full enumeration finds, read from the oracle: the messages behind the released digests that lie in
    the attacker's space, verified on a seeded sample (see the module docstring)."""
    keys = [column, *([column + SALT_SUFFIX] if scheme.per_record else [])]
    oracle = preimages.select(*keys, "number", *(["date_of_birth"] if scheme.with_column else []))
    if not scheme.with_column:
        oracle = oracle.with_columns(date_of_birth=pl.lit(None, dtype=pl.Date))
    joined = rows.join(oracle, on=keys, how="inner")
    joined = joined.filter(pl.Series(plan.contains(joined["number"].to_numpy())))
    found = _in_window(
        joined.select("row_id", "number", "date_of_birth", "first", "last"), scheme.with_column is not None
    )
    if found.height:
        check = found.join(rows, on="row_id")
        for i in np.sort(rng.choice(check.height, min(VERIFY, check.height), replace=False)):
            row = check.row(int(i), named=True)
            salt = bytes.fromhex(row[column + SALT_SUFFIX]) if scheme.per_record else None
            if scheme.digest(_message(row["number"], row["date_of_birth"]), salt).hex() != row[column]:
                raise RuntimeError(
                    f"attack '{ATTACK_ID}': the oracle's message for row {row['row_id']} does not give its digest "
                    f"under the released scheme ({scheme.label}); the full enumeration's equivalence does not hold"
                )
    return found


# --- the attack -----------------------------------------------------------------------------------


def _resolve(value: Any) -> Any:
    return value() if callable(value) else value


def hash_reversal(
    view: AttackerView,
    aux: AuxiliaryData,
    rng: np.random.Generator,
    plan: NumberingPlan,
    column: str = "phone",
    budget: str | int = FULL,
    universe: np.ndarray | Callable[[], np.ndarray] | None = None,
    preimages: pl.DataFrame | Callable[[], pl.DataFrame] | None = None,
) -> HashReversal:
    """Enumerate ``plan`` (all of it, or its first ``budget`` numbers), hashing each number as the release's
    scheme says (with the released salt, each record's salt, a leaked key, every birth date the released age
    leaves), and keep the numbers whose digest was released.

    With ``budget="full"`` the result is that of enumerating every one of the plan's N numbers (times the birth
    dates, once per salt), obtained by an equivalence instead (see the module docstring): a full enumeration
    recovers exactly the released digests whose message is a number of the plan (with a birth date of the row's
    window). Cheap schemes hash the numbers of ``universe`` that the plan contains; slow ones read the message
    behind each digest from ``preimages`` and verify a seeded sample by hashing (or, without it, hash the
    numbers of ``universe``). A digest whose message is not in that space (an HMAC under a kept key, a random
    token, a secret salt) could be found only through a collision of SHA-256, so, as by a real full
    enumeration, it is not recovered. The rate is measured on one core (the compiled kernel on the first
    :data:`MEASURED_SLICE` numbers of the plan, hashlib on a timed sample otherwise); the cost of the whole
    space is in :meth:`HashReversal.cost`.

    Parameters
    ----------
    view
        The attacker's view; ``column`` holds 64-hex-digit digests (other values never match), its metadata
        the scheme (:func:`scheme_of`), and per-record salts are in the column ``<column>_salt``.
    aux
        Unused (no auxiliary source is needed).
    rng
        Draws the sample of oracle answers verified (a generator spawned from it, so its own stream is not
        consumed); the enumeration itself is exhaustive and deterministic.
    plan
        The numbering plan to enumerate (the world's, as named in its manifest).
    column
        The released column of digests.
    budget
        ``"full"``: the whole plan, scored as above. A positive whole number: enumerate only the first
        ``budget`` numbers of the plan, really hashing each (a slice; ``full`` is False).
    universe
        With ``"full"``: the national numbers in use (int64, ten digits), e.g. :func:`numbers_in_use`, or a
        callable returning them (called only when needed).
    preimages
        With ``"full"``: the oracle of :func:`released_messages`, or a callable returning it (called only for a
        slow scheme).

    Raises
    ------
    SpecError
        A bad budget, ``"full"`` without what its equivalence needs, or a scheme the attack does not know.
    NotApplicable
        No such column or no value in it, or a salt longer than one SHA-256 block allows (the figure is
        then not measured, and the cell's note says so).
    RuntimeError
        The oracle's answers do not hash to their digests (the equivalence would not hold: a bug).
    """
    budget = check_budget(budget)
    full = budget == FULL
    data = view.data
    if column not in data.columns:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': the release has no column '{column}' (it has {', '.join(data.columns)})"
        )
    digests = data.select("row_id", column).drop_nulls(column)
    if digests.height == 0:
        raise NotApplicable(f"attack '{ATTACK_ID}': column '{column}' is empty; nothing to reverse")
    scheme = scheme_of(view.metadata, column)
    oracle_route = full and scheme.computable and scheme.expensive and preimages is not None
    if full and universe is None and not oracle_route:
        raise SpecError(
            f"attack '{ATTACK_ID}': budget \"full\" needs the universe of numbers in use (numbers_in_use(world)) "
            "to score the full enumeration"
        )
    if scheme.compiled:
        return _compiled(view, scheme, plan, column, budget, universe)
    salt_column = column + SALT_SUFFIX
    if scheme.per_record and salt_column not in data.columns:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': the scheme salts every record but the release has no column '{salt_column}'"
        )
    keep = [
        "row_id",
        column,
        *([salt_column] if scheme.per_record else []),
        *(["age"] if "age" in data.columns else []),
    ]
    rows = data.select(keep).drop_nulls([column, *([salt_column] if scheme.per_record else [])])
    dated = scheme.with_column is not None
    rows = _windows(rows.filter(pl.col(column).str.contains(HEX64.pattern)), _reference(view) if dated else None)
    hashed, seconds = _rate(scheme, plan)
    if oracle_route:
        found = _oracle(scheme, _resolve(preimages), rows, plan, column, rng.spawn(1)[0])
    else:
        numbers = (
            _plan_numbers(_resolve(universe), plan)
            if full
            else plan.number(np.arange(min(int(budget), plan.size), dtype=np.int64))
        )
        found = _search(scheme, numbers, rows, column)
    phones = COUNTRY_CODE + pl.col("number").cast(pl.String).str.zfill(10)
    guesses = found.select("row_id", phone=phones).unique("row_id").sort("row_id")
    per_record, every = 1, 1
    if dated and rows.height:
        spans = rows.select("first", "last").unique()
        per_record = int(spans.select((pl.col("last") - pl.col("first")).dt.total_days().max()).item()) + 1
        every = len(_union_dates(spans))
    enumerations = rows[salt_column].n_unique() if scheme.per_record else 1
    return HashReversal(
        guesses=guesses,
        candidates=plan.size if full else min(int(budget), plan.size),
        seconds=seconds,
        plan_size=plan.size,
        full=full,
        hashed=hashed,
        reversible=True,
        enumerations=max(enumerations, 1),
        birth_dates=per_record,
        birth_dates_all=every,
        primitive=scheme.primitive(per_record, every),
    )


def _compiled(
    view: AttackerView,
    scheme: Scheme,
    plan: NumberingPlan,
    column: str,
    budget: str | int,
    universe: np.ndarray | Callable[[], np.ndarray] | None,
) -> HashReversal:
    """The compiled SHA-256 path: plain, or one released salt, of the number alone (and what the attacker tries
    where it lacks the secret: plain SHA-256)."""
    full = budget == FULL
    digests = view.data.select("row_id", column).drop_nulls(column)
    salt = scheme.salt_bytes if scheme.computable and scheme.method == "salted" else b""
    if len(salt) > MAX_SALT_BYTES:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': the released salt has {len(salt)} bytes; at most {MAX_SALT_BYTES} are supported"
        )
    # Values that are not SHA-256 digests (random tokens, say) are enumerated against like any other and
    # simply never match: that they cannot be reversed is measured, not assumed.
    hexes = digests.filter(pl.col(column).str.contains(HEX64.pattern))[column].unique()
    targets = np.unique(hexes.str.slice(0, 16).str.to_integer(base=16, dtype=pl.UInt64).to_numpy())
    prefix = np.frombuffer(salt, dtype=np.uint8).copy()
    hashed = min(MEASURED_SLICE, plan.size) if full else min(int(budget), plan.size)
    found, seconds = _enumerate(prefix, plan, hashed, targets)
    if full:
        found = np.concatenate([found, _in_plan(_resolve(universe), plan, prefix, targets)])
    found = np.unique(found)
    # confirm every hit on the full digest
    phones = (COUNTRY_CODE + pl.Series(found, dtype=pl.Int64).cast(pl.String).str.zfill(10)).to_list()
    table = pl.DataFrame(
        {column: [hashlib.sha256(salt + p.encode()).hexdigest() for p in phones], "phone_guess": phones},
        schema={column: pl.String, "phone_guess": pl.String},
    )
    guesses = digests.join(table, on=column, how="inner").select("row_id", phone="phone_guess").sort("row_id")
    return HashReversal(
        guesses=guesses,
        candidates=plan.size if full else hashed,
        seconds=seconds,
        plan_size=plan.size,
        full=full,
        hashed=hashed,
        reversible=scheme.computable,
        primitive=scheme.primitive(),
    )


def random_guesses(
    view: AttackerView, rng: np.random.Generator, plan: NumberingPlan, column: str = "phone"
) -> pl.DataFrame:
    """The naive baseline: for every row with a digest, one number drawn at random from ``plan``."""
    rows = view.data.select("row_id", column).drop_nulls(column)
    numbers = plan.number(rng.integers(0, plan.size, rows.height))
    phones = "+91" + pl.Series(numbers).cast(pl.String).str.zfill(10)
    return rows.select("row_id").with_columns(phone=phones).sort("row_id")


@dataclass(frozen=True)
class HashReversalParams:
    """What the scenario sets for this attack.

    Parameters
    ----------
    budget
        ``"full"`` (the default: the whole numbering plan, scored exactly by the equivalence above) or a
        whole number of candidates (the first ones of the plan; the figures are then a lower bound).
    """

    budget: str | int = FULL

    def __post_init__(self) -> None:
        check_budget(self.budget)


class HashReversalAttack(Attack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = (
        "Enumerate the whole numbering plan, hash every number as the policy did (with the released salt), "
        "and invert the digests."
    )
    Params: ClassVar[type] = HashReversalParams
    adds: ClassVar[tuple[str, ...]] = ("phone",)

    def run(self, cell: Cell, params: HashReversalParams) -> Outcome:
        data = cell.view.data
        # Anything in the phone column that is neither a number nor a masked one (digests, keyed digests,
        # tokens) is enumerated against: that a token cannot be reversed is measured, not assumed.
        opaque = (
            data["phone"].cast(pl.String).drop_nulls().str.contains(r"^[0-9a-zA-Z]+$")
            if "phone" in data.columns
            else pl.Series([], dtype=pl.Boolean)
        )
        if not opaque.any():
            raise NotApplicable(
                f"attack '{ATTACK_ID}': the release's phone column holds no digests or tokens to reverse"
            )
        assert cell.plan is not None
        full = params.budget == FULL
        result = hash_reversal(
            cell.view,
            cell.aux,
            cell.rng,
            cell.plan,
            budget=params.budget,
            universe=cell.universe if full else None,
            preimages=cell.preimages if full else None,
        )
        baseline = random_guesses(cell.view, cell.rng, cell.plan)
        knowledge = cell.knowledge.learn("phone", result.guesses.with_columns(by=pl.lit(ATTACK_ID)))
        return Outcome(result.guesses, baseline, knowledge, extra=result)

    def score(self, outcome: Outcome, truth: Truth, params: HashReversalParams) -> Scored:
        assert truth.exported is not None and outcome.baseline is not None
        kept = truth.release.select("row_id")
        exported = truth.exported.join(kept, on="row_id", how="semi")
        score = score_hash_reversal(outcome.extra, outcome.baseline, exported)
        strata = truth.strata.join(kept, on="row_id", how="semi")
        return Scored((score,), breakdown_rows(recovered_rows(outcome.guesses, exported), strata, "recall"))

    def caveats(self, outcome: Outcome, params: HashReversalParams) -> tuple[str, ...]:
        result: HashReversal = outcome.extra
        if result.candidates >= result.plan_size:
            return ()
        return (
            f"budget = {result.candidates:,} of the plan's {result.plan_size:,} numbers: the numbers recovered "
            'are a lower bound (budget = "full" scores the whole plan)',
        )


ATTACK = HashReversalAttack()
