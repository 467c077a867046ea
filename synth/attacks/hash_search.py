"""The generic search of hash reversal (:mod:`synth.attacks.hash_reversal`), for every scheme the compiled scan
does not cover: candidates hashed with hashlib (:func:`synth.policies.hashing.digest`), one call per candidate
(each number with every birth date of the row's window, once per salt released beside a record), the rate of
those calls, and what a full enumeration finds, read from the oracle and verified on a seeded sample."""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import polars as pl

from synth.attacks.birth_date_windows import DEFAULT_REFERENCE_DATE, union_dates
from synth.attacks.hash_schemes import Scheme
from synth.core.numbering import COUNTRY_CODE, NumberingPlan
from synth.policies.hashing import DATE_FORMAT, SALT_SUFFIX

VERIFY = 32  # oracle answers verified by hashing, per run (a seeded sample)
RATE_SECONDS = 0.05  # a hashlib rate is timed on at least this long a sample
SEARCH_BATCH = 1 << 20  # candidates hashed with hashlib and held at once (a numeric budget or the universe)


class OracleMismatch(RuntimeError):
    """The oracle's message for a row does not hash to the row's digest: the full enumeration's equivalence fails
    (a bug, never a figure); the attack names itself where it calls :func:`checked_oracle`."""


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


def hashlib_search(scheme: Scheme, numbers: np.ndarray, rows: pl.DataFrame, column: str) -> pl.DataFrame:
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
        days = union_dates(targets) if dated else None
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


def measured_rate(scheme: Scheme, plan: NumberingPlan) -> tuple[int, float]:
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


def checked_oracle(
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
                raise OracleMismatch(
                    f"the oracle's message for row {row['row_id']} does not give its digest "
                    f"under the released scheme ({scheme.label}); the full enumeration's equivalence does not hold"
                )
    return found
