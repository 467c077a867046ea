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
single-block messages (``salt + "+91" + ten digits``, :mod:`synth.attacks.hash_enumeration`), compared by the
first 64 bits of each digest against the sorted released digests; hits are confirmed with hashlib. Every other
scheme is hashed with hashlib (:func:`synth.policies.hashing.digest`, :mod:`synth.attacks.hash_search`), one call
per candidate.

A real attacker enumerates the whole space (a few billion numbers, times the birth dates where the birth
date is hashed, once per record where each record has its own salt). With ``budget="full"`` the attack
does the same, scored exactly without hashing every candidate: a full enumeration recovers precisely the
released digests whose message (the number, and the birth date) lies in the space the attacker
enumerates, namely a number of the plan and, where the birth date is hashed, a date of the window the
released age leaves (see :func:`synth.attacks.birth_date_windows.birth_date_window`). Those messages are numbers
somebody holds, so:

- for cheap schemes (plain, one released salt, a leaked HMAC key) the attack hashes the numbers in use that
  lie in the plan (``universe``) and matches them against the release: the same recovered rows, exactly;
- for schemes too slow to hash every number in use (PBKDF2, a salt per record, the birth date appended:
  hours on a district) it reads the message behind each released digest from an oracle (``preimages``,
  :func:`synth.attacks.hash_schemes.released_messages`), keeps those that lie in the space above, and verifies
  the oracle on a seeded sample by hashing each sampled message with the released scheme (it must give the row's
  digest): by determinism, the full enumeration hashes that message and finds that digest, and (a 256-bit digest
  having no collisions within a few billion candidates) finds no other. Without an oracle it hashes the
  numbers in use (times the dates, per salt), which gives the same rows (tests prove both equalities).

The rate of the policy's primitive is measured on one core (a slice of the plan for the compiled kernel, a
timed sample of hashlib calls otherwise). The cost of recovering every digest from the world's plan and from
the real Indian mobile space is extrapolated from it, and at the published GPU rate of the primitive
(:mod:`synth.core.hash_costs`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NotApplicable, Outcome, Scored, Truth
from synth.attacks.birth_date_windows import reference_date, row_windows, union_dates
from synth.attacks.hash_enumeration import MAX_SALT_BYTES, enumerate_plan, in_plan_hits, plan_numbers
from synth.attacks.hash_schemes import Scheme, scheme_of
from synth.attacks.hash_search import OracleMismatch, checked_oracle, hashlib_search, measured_rate
from synth.core.hash_costs import GPU_SHA256, PRIMITIVE, REAL_MOBILE_SPACE, Primitive
from synth.core.numbering import COUNTRY_CODE, NumberingPlan
from synth.errors import SpecError
from synth.policies.hashing import SALT_SUFFIX
from synth.release.build import AttackerView
from synth.scoring.breakdown import breakdown_rows
from synth.scoring.hash_reversal import recovered_rows, score_hash_reversal

ATTACK_ID = "hash_reversal"
# hashcat v6.2.6 benchmark, mode 1400 (SHA2-256), one NVIDIA GeForce RTX 4090 (see synth.core.hash_costs).
GPU_RATE = GPU_SHA256.rate
GPU_SOURCE = GPU_SHA256.source
# With budget "full": candidates enumerated (from the start of the plan) to measure the rate on one core.
MEASURED_SLICE = 1 << 22
FULL = "full"
HEX64 = re.compile(r"^[0-9a-f]{64}$")


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
        the scheme (:func:`~synth.attacks.hash_schemes.scheme_of`), and per-record salts are in the column
        ``<column>_salt``.
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
        With ``"full"``: the national numbers in use (int64, ten digits), e.g.
        :func:`~synth.attacks.hash_schemes.numbers_in_use`, or a callable returning them (called only when needed).
    preimages
        With ``"full"``: the oracle of :func:`~synth.attacks.hash_schemes.released_messages`, or a callable returning
        it (called only for a slow scheme).

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
    try:
        scheme = scheme_of(view.metadata, column)
    except SpecError as exc:
        raise SpecError(f"attack '{ATTACK_ID}': {exc}") from None
    oracle_route = full and scheme.computable and scheme.expensive and preimages is not None
    if full and universe is None and not oracle_route:
        raise SpecError(
            f"attack '{ATTACK_ID}': budget \"full\" needs the universe of numbers in use "
            "(numbers_in_use(world.people)) to score the full enumeration"
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
    rows = row_windows(rows.filter(pl.col(column).str.contains(HEX64.pattern)), reference_date(view) if dated else None)
    hashed, seconds = measured_rate(scheme, plan)
    if oracle_route:
        try:
            found = checked_oracle(scheme, _resolve(preimages), rows, plan, column, rng.spawn(1)[0])
        except OracleMismatch as exc:
            raise OracleMismatch(f"attack '{ATTACK_ID}': {exc}") from None
    else:
        numbers = (
            plan_numbers(_resolve(universe), plan)
            if full
            else plan.number(np.arange(min(int(budget), plan.size), dtype=np.int64))
        )
        found = hashlib_search(scheme, numbers, rows, column)
    phones = COUNTRY_CODE + pl.col("number").cast(pl.String).str.zfill(10)
    guesses = found.select("row_id", phone=phones).unique("row_id").sort("row_id")
    per_record, every = 1, 1
    if dated and rows.height:
        spans = rows.select("first", "last").unique()
        per_record = int(spans.select((pl.col("last") - pl.col("first")).dt.total_days().max()).item()) + 1
        every = len(union_dates(spans))
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
    found, seconds = enumerate_plan(prefix, plan, hashed, targets)
    if full:
        found = np.concatenate([found, in_plan_hits(_resolve(universe), plan, prefix, targets)])
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
