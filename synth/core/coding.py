"""How quasi-identifiers and secrets are coded: the one home of every package's age bands, geography levels,
genders and the columns a release shares with the electoral roll, and of the sensitive attributes an attacker
may infer.

A policy may have banded ages ("35-39", "80+") or removed columns; the roll is brought to the same coding
before any join, as an attacker would do. Age labels are read back to the whole years they stand for by
:func:`age_bounds` (one label) and :func:`age_intervals` (a column of them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from synth.checks import whole

GENDERS = ("F", "M")
GEO_LEVELS = ("ward", "local_body", "taluk", "district", "state")  # finest to coarsest
GEO_COLUMNS = ("ward", "local_body", "taluk", "district")  # the columns of the levels below the state
BAND_WIDTH = 5  # the census grid of ages: five-year bands, 80 and over together
BAND_TOP = 80
AGE_BANDS = (*(f"{lo}-{lo + BAND_WIDTH - 1}" for lo in range(0, BAND_TOP, BAND_WIDTH)), f"{BAND_TOP}+")
ANY = "*"  # a suppressed value (k-anonymity): any age
OPEN = 1_000_000  # upper end of an open label ("80+", "*") in :func:`age_intervals`

# release column -> roll column
SHARED = {
    "name": "name",
    "gender": "sex",
    "age": "age",
    "district": "district",
    "taluk": "taluk",
    "local_body": "local_body",
    "ward": "ward",
}
BAND = re.compile(r"^(\d+)-(\d+)$")
HASH_SEED = 0x51494B  # per-column seeds are HASH_SEED + position
MIX = 0x9E3779B97F4A7C15  # odd 64-bit constant (2**64 / golden ratio) that spreads one column's hash before the next


def present(release: pl.DataFrame, candidates: Sequence[str]) -> list[str]:
    """The candidate columns the release has; a ward only together with its local body (ward numbers
    repeat in every local body)."""
    cols = [c for c in candidates if c in release.columns]
    if "ward" in cols and "local_body" not in cols:
        cols.remove("ward")
    return cols


def shared_columns(release: pl.DataFrame) -> list[str]:
    """Release columns that the roll also has."""
    return present(release, list(SHARED))


def age_on_day(dob: pl.Expr, day: date) -> pl.Expr:
    """Completed years on ``day`` of a birth date."""
    ahead = (dob.dt.month() > day.month) | ((dob.dt.month() == day.month) & (dob.dt.day() > day.day))
    return (pl.lit(day.year) - dob.dt.year() - ahead.cast(pl.Int32)).cast(pl.Int16)


def age_band(col: pl.Expr, width: int, top: int | None = None) -> pl.Expr:
    """``"35-39"`` style bands of ``width`` years; ``"80+"`` from ``top`` on (if given)."""
    lo = (col // width) * width
    band = pl.concat_str([lo.cast(pl.String), (lo + width - 1).cast(pl.String)], separator="-")
    if top is None:
        return band
    return pl.when(col >= top).then(pl.lit(f"{top}+")).otherwise(band)


def census_band(col: pl.Expr) -> pl.Expr:
    """The five-year band of the census grid (:data:`AGE_BANDS`)."""
    return age_band(col, BAND_WIDTH, BAND_TOP)


def decade_band(col: pl.Expr) -> pl.Expr:
    """The ten-year band that results are broken down by (``"30-39"``, 80 and over together)."""
    return age_band(col, 10, BAND_TOP)


def age_bounds(value: object) -> tuple[int, int | None] | None:
    """The whole-year ages a released age label stands for, ``(lo, hi)`` with ``hi`` None for an open label.

    ``37`` or ``"37"`` give ``(37, 37)``, a band ``"35-39"`` gives ``(35, 39)``, ``"80+"`` gives ``(80, None)``
    and a suppressed ``"*"`` gives ``(0, None)``; anything else gives None.
    """
    if whole(value):  # an int or a numpy integer
        return int(str(value)), int(str(value))
    text = str(value) if value is not None else ""
    if text.isdigit():
        return int(text), int(text)
    if match := BAND.fullmatch(text):
        return int(match[1]), int(match[2])
    if match := re.fullmatch(r"(\d+)\+", text):
        return int(match[1]), None
    return (0, None) if text == ANY else None


def age_intervals(labels: pl.Series) -> pl.DataFrame:
    """Each distinct age label of a column (``"37"``, ``"35-39"``, ``"80+"``, ``"*"``) with the ``lo`` and ``hi``
    ages it stands for (``hi`` = :data:`OPEN` for an open label; both null for a label that is no age), the
    labels sorted."""
    label = pl.col("label")
    exact = label.str.extract(r"^(\d+)$", 1).cast(pl.Int64, strict=False)
    band_lo = label.str.extract(r"^(\d+)-(\d+)$", 1).cast(pl.Int64, strict=False)
    band_hi = label.str.extract(r"^(\d+)-(\d+)$", 2).cast(pl.Int64, strict=False)
    top = label.str.extract(r"^(\d+)\+$", 1).cast(pl.Int64, strict=False)
    anything = label == ANY
    lo = pl.coalesce(exact, band_lo, top, pl.when(anything).then(pl.lit(0, dtype=pl.Int64)))
    hi = pl.coalesce(exact, band_hi, pl.when(top.is_not_null() | anything).then(pl.lit(OPEN, dtype=pl.Int64)))
    frame = pl.DataFrame({"label": labels.cast(pl.String).drop_nulls().unique().sort()})
    return frame.with_columns(lo=lo, hi=hi)


def youngest_possible_age(age: pl.Series) -> pl.Series:
    """Whole years as they are; a band (``"70-74"``, ``"80+"``) by its lower end: someone in "70-74" is 70 or over."""
    if age.dtype != pl.String:
        return age
    return age.str.extract(r"^(\d+)", 1).cast(pl.Int64)


def age_coding(ages: pl.Series) -> tuple[int, int | None] | None:
    """``(width, top)`` of a banded age column, or None for whole years."""
    if ages.dtype != pl.String:
        return None
    values = ages.drop_nulls().unique().to_list()
    widths = {int(m.group(2)) - int(m.group(1)) + 1 for v in values if (m := BAND.match(v))}
    tops = [int(v[:-1]) for v in values if v.endswith("+")]
    if len(widths) != 1:
        return (1, min(tops)) if tops else None  # top-coded whole years
    return widths.pop(), (min(tops) if tops else None)


def recode_age(age: pl.Expr, like: pl.Series) -> pl.Expr:
    """Whole-year ages coded as the release column ``like`` codes them (bands, top-coding, or years)."""
    coding = age_coding(like)
    if coding is None:
        return age.cast(like.dtype)
    width, top = coding
    if width == 1:  # whole years, top-coded
        years = age.cast(pl.String)
        return years if top is None else pl.when(age >= top).then(pl.lit(f"{top}+")).otherwise(years)
    return age_band(age, width, top)


def roll_in_release_coding(
    roll: pl.DataFrame, release: pl.DataFrame, columns: list[str], strings: bool = True
) -> pl.DataFrame:
    """The roll's columns renamed and recoded like the release's: ages as the release codes them, ward numbers in its
    integer width and, with ``strings``, sexes and place names in the release's dtypes.

    Without ``strings``, sexes and place names keep the roll's dtypes (a granted roll holds them as enums,
    :mod:`synth.scenario.auxiliary`), and ages the release writes as text are an enum (:func:`as_enum`): the same values
    at 4 bytes an entry where a string holds 16, for a reader that only groups the entries and looks values up (over
    the whole state's 2.7 crore entries, the strings held about 1 GiB).
    """
    out = roll.select(*[pl.col(SHARED[c]).alias(c) for c in columns], "epic")
    if "age" in columns:
        out = out.with_columns(recode_age(pl.col("age"), release["age"]).alias("age"))
        if not strings and out.schema["age"] == pl.String:
            out = out.with_columns(as_enum(out["age"]))
    if not strings:
        return out.with_columns(pl.col("ward").cast(release.schema["ward"])) if "ward" in columns else out
    if "gender" in columns:
        out = out.with_columns(pl.col("gender").cast(pl.String))
    # places in the release's dtypes: ward numbers' integer width, and the names a granted roll holds as enums
    # (synth.scenario.auxiliary)
    return out.with_columns(pl.col(c).cast(release.schema[c]) for c in GEO_COLUMNS if c in columns)


def as_enum(column: pl.Series) -> pl.Series:
    """``column`` (strings or categoricals) as an enum of its sorted distinct values (nulls stay nulls): 4 bytes of code
    a row where a string holds 16 of view, for a column of few distinct values. Sorted categories sort and compare like
    the strings, and the same values give the same dtype in every process (so the same content key)."""
    return column.cast(pl.Enum(column.drop_nulls().unique().cast(pl.String).sort()))


def key_hash(columns: Sequence[str], nullable: Sequence[str] | None = None) -> pl.Expr:
    """One 64-bit hash (UInt64) of several columns: the cheap key to group and join on at scale.

    Equal values give equal hashes (in one process, for columns of equal dtypes); unequal values almost
    always give unequal ones, but not always, so a caller that must be exact verifies on the columns
    themselves (see :func:`synth.attacks.exact_linkage.hashed_unique_matches`). Hashing each column and mixing is
    several times faster than hashing a struct of them, or casting strings to categoricals.

    Parameters
    ----------
    columns
        Columns to hash, in a fixed order.
    nullable
        The columns that may hold nulls (default: all of them): the hash is null where any of them is
        null (a row that must never match). Name none to hash nulls like values; naming only the columns
        that have nulls saves a pass over the others.
    """
    out: pl.Expr | None = None
    for i, c in enumerate(columns):
        h = pl.col(c).hash(HASH_SEED + i)
        out = h if out is None else (out * pl.lit(MIX, dtype=pl.UInt64)) ^ h
    if out is None:
        raise ValueError("key_hash: no columns to hash")
    nullable = list(columns) if nullable is None else list(nullable)
    if nullable:
        out = pl.when(~pl.any_horizontal([pl.col(c).is_null() for c in nullable])).then(out)
    return out


# ------------------------------------------------------------------------------------------------ secrets
# Sensitive attributes an attacker may infer, and how a row's label is read from the release (the attribute-
# inference attack learns them, its scorer reads the truth with the same expressions). ``widowhood`` and
# ``disability`` are learnt from the pension scheme (a widow's or disability pension), ``womens_scheme`` from the
# registry a row came from, ``pension_scheme`` is the scheme itself (``none`` for rows of other registries).

NEGATIVE = "none"


@dataclass(frozen=True)
class Secret:
    """A sensitive attribute: the release column it is learnt from and how a row's label is read."""

    column: str
    label: pl.Expr


SECRETS = {
    "widowhood": Secret("scheme", pl.when(pl.col("scheme") == "widow").then(pl.lit("yes")).otherwise(pl.lit(NEGATIVE))),
    "disability": Secret(
        "scheme", pl.when(pl.col("scheme") == "disability").then(pl.lit("yes")).otherwise(pl.lit(NEGATIVE))
    ),
    "womens_scheme": Secret(
        "registry", pl.when(pl.col("registry") == "womens_scheme").then(pl.lit("yes")).otherwise(pl.lit(NEGATIVE))
    ),
    "pension_scheme": Secret("scheme", pl.col("scheme").cast(pl.String).fill_null(NEGATIVE)),
}


DAYS_A_YEAR = 365.2425  # the Gregorian year's mean length


def years_between(first: object, second: object) -> float:
    """Years from ``first`` to ``second`` (dates, or ISO text as metadata states them; negative when ``second`` is
    earlier): a person's whole-year age on ``second`` is ``floor`` or ``ceil`` of it above their age on ``first``.

    Examples
    --------
    >>> round(years_between("2020-06-01", "2026-01-01"), 2)
    5.59
    """
    return (_as_date(second) - _as_date(first)).days / DAYS_A_YEAR


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
