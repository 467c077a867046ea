"""Hashed-phone reversal: enumerate the numbering plan, hash every candidate as the policy did, invert.

A phone number has at most a few billion possible values, so an unsalted SHA-256 of it (or one
salted with a released salt) is a lookup, not a secret. The inner loop is a compiled SHA-256 of
single-block messages (``salt + "+91" + ten digits``), compared by the first 64 bits of each digest
against the sorted released digests; hits are confirmed with hashlib. A keyed HMAC or a random token
comes out as not reversible because enumeration finds nothing, not because of a special case.

A real attacker enumerates the whole plan (a few billion numbers: a fraction of a second on one GPU).
With ``budget="full"`` the attack does the same, scored exactly without hashing every number: a full
enumeration recovers precisely the released digests whose preimage is a number of the plan, and those
preimages are numbers somebody holds, so hashing the numbers in use that lie in the plan finds the
same digests (see :func:`hash_reversal`). The rate is measured on a slice of the plan. The cost of the
plan and of the real Indian mobile space is extrapolated from it, on one CPU core and at a published
GPU rate.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import polars as pl
from numba import njit

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NotApplicable, Outcome, Scored, Truth
from synth.errors import SpecError
from synth.measure.breakdown import breakdown_rows
from synth.measure.hash_reversal import recovered_rows, score_hash_reversal
from synth.release.build import AttackerView
from synth.world.phones import COUNTRY_CODE, NumberingPlan

if TYPE_CHECKING:
    from synth.world.api import World

ATTACK_ID = "hash_reversal"
REAL_MOBILE_SPACE = 4_000_000_000  # ten digits starting 6-9
# hashcat 6.2.6 benchmark, mode 1400 (SHA2-256), one NVIDIA GeForce RTX 4090: about 22 GH/s.
GPU_RATE = 22.0e9
GPU_SOURCE = "hashcat 6.2.6 benchmark, mode 1400 (SHA2-256), RTX 4090: ~22 GH/s"
CHUNK = 1 << 22
# With budget "full": candidates enumerated (from the start of the plan) to measure the rate on one core.
MEASURED_SLICE = 1 << 22
FULL = "full"
# The compiled scan hashes one 64-byte block: salt + "+91" + 10 digits + 0x80 + 8 length bytes.
MAX_SALT_BYTES = 64 - 13 - 1 - 8
HEX64 = re.compile(r"^[0-9a-f]{64}$")

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
class HashReversal:
    """Recovered numbers (``row_id -> phone``) and what it took.

    ``candidates`` are the numbers the enumeration covers: the whole plan when ``full`` (budget
    ``"full"``, scored by equivalence), else the first ``budget`` numbers of it, each really hashed.
    ``seconds`` is the time to hash ``hashed`` numbers on one core (None: all ``candidates``); with
    ``full`` that is the measured slice, not the whole plan.
    """

    guesses: pl.DataFrame
    candidates: int
    seconds: float
    plan_size: int
    full: bool = False
    hashed: int | None = None

    @property
    def rate(self) -> float:
        """Candidates hashed per second on one core (measured)."""
        hashed = self.candidates if self.hashed is None else self.hashed
        return hashed / self.seconds if self.seconds > 0 else 0.0

    def cost(self) -> dict[str, float | str]:
        """Time to enumerate the world's plan and the real Indian mobile space, from the measured rate
        (one CPU core) and from a published GPU rate."""
        rate = self.rate
        return {
            "real_space": float(REAL_MOBILE_SPACE),
            "cpu_core_seconds": REAL_MOBILE_SPACE / rate if rate else float("inf"),
            "gpu_seconds": REAL_MOBILE_SPACE / GPU_RATE,
            "plan_size": float(self.plan_size),
            "plan_cpu_core_seconds": self.plan_size / rate if rate else float("inf"),
            "plan_gpu_seconds": self.plan_size / GPU_RATE,
            "gpu_rate": GPU_RATE,
            "gpu_source": GPU_SOURCE,
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


def numbers_in_use(world: World) -> np.ndarray:
    """The distinct ten-digit national numbers (int64, sorted) somebody in ``world`` holds: ``people.phone``
    and ``people.contact_phone`` where the table has it, nulls left out."""
    people = world.people
    columns = [c for c in ("phone", "contact_phone") if c in people.collect_schema().names()]
    if not columns:
        return np.zeros(0, dtype=np.int64)
    stacked = pl.concat([people.select(number=pl.col(c).cast(pl.String)) for c in columns])
    national = pl.col("number").str.strip_prefix(COUNTRY_CODE).cast(pl.Int64, strict=False)
    numbers = stacked.select(national).drop_nulls().unique().collect()["number"].to_numpy()
    return np.sort(numbers).astype(np.int64)


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


def _in_plan(universe: np.ndarray, plan: NumberingPlan, prefix: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The numbers of ``universe`` that lie in ``plan`` and whose digest starts with one of ``targets``."""
    numbers = np.unique(np.asarray(universe, dtype=np.int64).ravel())
    numbers = numbers[plan.contains(numbers)]
    found = [_scan_numbers(prefix, numbers[lo : lo + CHUNK], targets) for lo in range(0, len(numbers), CHUNK)]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def hash_reversal(
    view: AttackerView,
    aux: AuxiliaryData,
    rng: np.random.Generator,
    plan: NumberingPlan,
    column: str = "phone",
    budget: str | int = FULL,
    universe: np.ndarray | None = None,
) -> HashReversal:
    """Enumerate ``plan`` (all of it, or its first ``budget`` numbers), hashing each number as SHA-256 of
    ``salt + "+91" + ten digits`` with the released salt if any, and keep the numbers whose digest was
    released.

    With ``budget="full"`` the result is that of enumerating every one of the plan's N numbers, obtained
    by an equivalence instead of N hashes: a full enumeration recovers exactly the released digests whose
    preimage (``salt + "+91" + ten digits``) is a number of the plan. Those preimages are numbers people
    hold, so the attack hashes the numbers of ``universe`` that the plan contains and matches them against
    the release: the same recovered rows, exactly (when ``universe`` holds every in-plan number behind a
    released digest; a number outside it would be missed). A digest whose preimage is not a number of the
    plan (an HMAC, a random token, a salt kept secret) could be found only through a SHA-256 collision,
    so, as by a real full enumeration, it is not recovered. The rate is measured by enumerating the first
    :data:`MEASURED_SLICE` numbers of the plan (all of it if smaller) on one core; the figure equals
    hashing all N numbers, whose cost is N / the measured rate on one CPU core and N / :data:`GPU_RATE`
    on one GPU (:data:`GPU_SOURCE`): see :meth:`HashReversal.cost`.

    Parameters
    ----------
    view
        The attacker's view; ``column`` holds 64-hex-digit digests (other values never match).
    aux
        Unused (no auxiliary source is needed).
    rng
        Unused (enumeration is exhaustive and deterministic); taken so every attack has the same signature.
    plan
        The numbering plan to enumerate (the world's, as named in its manifest).
    column
        The released column of digests.
    budget
        ``"full"``: the whole plan, scored as above. A positive whole number: enumerate only the first
        ``budget`` numbers of the plan, really hashing each (a slice; ``full`` is False).
    universe
        With ``"full"``: the national numbers in use (int64, ten digits), e.g. :func:`numbers_in_use`.

    Raises
    ------
    SpecError
        A bad budget, or ``"full"`` without a universe.
    NotApplicable
        No such column or no value in it, or a salt longer than one SHA-256 block allows (the figure is
        then not measured, and the cell's note says so).
    """
    budget = check_budget(budget)
    full = budget == FULL
    if full and universe is None:
        raise SpecError(
            f"attack '{ATTACK_ID}': budget \"full\" needs the universe of numbers in use (numbers_in_use(world)) "
            "to score the full enumeration"
        )
    data = view.data
    if column not in data.columns:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': the release has no column '{column}' (it has {', '.join(data.columns)})"
        )
    digests = data.select("row_id", column).drop_nulls(column)
    if digests.height == 0:
        raise NotApplicable(f"attack '{ATTACK_ID}': column '{column}' is empty; nothing to reverse")
    salt = bytes.fromhex(str(view.metadata.get(f"{column}_salt", "")))
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
        assert universe is not None
        found = np.concatenate([found, _in_plan(universe, plan, prefix, targets)])
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
        universe = cell.universe() if params.budget == FULL and cell.universe is not None else None
        result = hash_reversal(cell.view, cell.aux, cell.rng, cell.plan, budget=params.budget, universe=universe)
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
