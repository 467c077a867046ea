"""The columns of a user's table of people: roles, places and direct identifiers, and their checks.

A user's table has one row per person. Its columns play roles the world knows, found by name:

- places: ``ward_code``; or ``ward`` (the number) with ``local_body_code`` or ``local_body`` (add
  ``district`` where a local body's name recurs); ``district``, ``district_code``, ``taluk``,
  ``taluk_code`` may come too and are checked against the preset's geography;
- people (all required): ``sex`` (or ``gender``; ``M``/``F``), ``age`` (whole years), ``community``,
  ``marital_status``, ``disabled`` (true/false), ``occupation``, ``ration_card``; values as the world
  spells them;
- registries (each optional): ``pension_scheme`` (or ``scheme``; ``none`` or empty for no pension),
  ``entrepreneur`` and ``womens_scheme`` (true/false), ``employee`` (true/false; government employees
  are also those whose occupation is ``government_employee``), or one ``registry`` column (``employees``,
  ``pensioners``, ``entrepreneurs``, ``womens_scheme`` or ``none``).

Direct identifiers are never given to SDV: columns the metadata marks as ``id``, as personal data
(``pii``) or with a semantic sdtype (``phone_number``, ``name``, ...); columns named like one (a name,
phone, mobile, email, address, Aadhaar or EPIC number, ``*_id``, a birth date); and text columns with
nearly one value per row. The world regenerates names, phones and birth dates with its own generators;
phone numbers the table holds are excluded from the output by construction, and so are the full names of
its name columns (see :mod:`synth.world.excluded`). Every other column is modelled: role columns and any
extra column (appended to the world's people).

Every check returns problem lines (each naming the column, the values and what is allowed), so the
learner (:mod:`synth.world.learned.population`) reports them all at once before any fitting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import polars as pl

from synth.world.demography import MARITAL, N_AGES, build_demography
from synth.world.names import COMMUNITIES
from synth.world.preset import PENSION_SCHEMES, RATION_CARDS, Preset, load_preset
from synth.world.render import PEOPLE_COLUMNS

SEX = ("M", "F")
NONE = "none"
GOVERNMENT_EMPLOYEE = "government_employee"
REGISTRY_VALUES = ("employees", "pensioners", "entrepreneurs", "womens_scheme", NONE)
GEOGRAPHY = ("district", "district_code", "taluk", "taluk_code", "local_body", "local_body_code", "ward", "ward_code")
ROLES: dict[str, tuple[str, ...]] = {
    "sex": ("sex", "gender"),
    "age": ("age",),
    "community": ("community",),
    "marital_status": ("marital_status",),
    "disabled": ("disabled",),
    "occupation": ("occupation",),
    "ration_card": ("ration_card",),
    "pension_scheme": ("pension_scheme", "scheme"),
    "employee": ("employee",),
    "entrepreneur": ("entrepreneur",),
    "womens_scheme": ("womens_scheme",),
    "registry": ("registry",),
}
REQUIRED = ("sex", "age", "community", "marital_status", "disabled", "occupation", "ration_card")
BOOLEAN_ROLES = ("disabled", "employee", "entrepreneur", "womens_scheme")
FILLED_ROLES = ("pension_scheme", "registry")  # an empty value means "none"
MODELLED_SDTYPES = ("numerical", "categorical", "boolean", "ordinal", "datetime")
IDENTIFIER_WORDS = ("name", "phone", "mobile", "email", "aadhaar", "aadhar", "address", "epic", "id")
BIRTH_DATES = ("dob", "date_of_birth", "birth_date", "birthdate")
NAME_SDTYPES = ("name", "first_name", "last_name")


@cache
def occupations(preset_name: str) -> tuple[str, ...]:
    """The world's occupations under a preset: the demography's, and government employees."""
    return (*build_demography(load_preset(preset_name)).occupations, GOVERNMENT_EMPLOYEE)


def place_table(preset: Preset) -> pl.DataFrame:
    """Every ward of the preset with its local body, taluk and district, codes and names (as text)."""
    lbs = preset.table("local_bodies").select("local_body_code", "local_body", "district_code", "taluk_code")
    return (
        preset.table("wards")
        .select("ward_code", "local_body_code", ward=pl.col("ward_no").cast(pl.String))
        .join(lbs, on="local_body_code", how="left")
        .join(preset.table("districts").select("district_code", "district"), on="district_code", how="left")
        .join(preset.table("taluks").select("taluk_code", "taluk"), on="taluk_code", how="left")
        .select(*GEOGRAPHY)
        .sort("ward_code")
    )


def _normal(column: str, expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A place column as comparable text: names lower-cased, numbers without leading zeros, codes zero-padded."""
    if column == "ward":
        if dtype.is_numeric():
            return expr.cast(pl.Int64).cast(pl.String)
        return expr.cast(pl.String).str.strip_chars().str.replace(r"^0+(\d)", "$1")
    if column == "district_code" and dtype.is_numeric():
        return expr.cast(pl.Int64).cast(pl.String).str.zfill(2)
    return expr.cast(pl.String).str.strip_chars().str.to_lowercase()


def locate(frame: pl.DataFrame, geography: tuple[str, ...], places: pl.DataFrame) -> pl.DataFrame:
    """The ward of every distinct place of ``frame``: its ``geography`` columns, ``_ward_code`` and ``_matches``.

    A place that matches no ward, or several, gets a null ``_ward_code`` and ``_matches`` of 0 or more than 1.
    """
    keys = frame.select(geography).unique(maintain_order=True)
    normal = keys.select(
        *[_normal(c, pl.col(c), keys.schema[c]).alias(f"_{c}") for c in geography], *[pl.col(c) for c in geography]
    )
    wards = places.select(
        pl.col("ward_code").alias("_found"), *[_normal(c, pl.col(c), pl.String()).alias(f"_{c}") for c in geography]
    )
    joined = normal.join(wards, on=[f"_{c}" for c in geography], how="left", nulls_equal=False)
    found = joined.group_by(list(geography), maintain_order=True).agg(
        _ward_code=pl.col("_found").first(), _matches=pl.col("_found").count()
    )
    return found.with_columns(_ward_code=pl.when(pl.col("_matches") == 1).then(pl.col("_ward_code")))


def _words(column: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", column.lower()) if w]


def identifier_reason(column: str, column_metadata: Mapping[str, Any] | None) -> str | None:
    """Why a column is a direct identifier (never learned), or None when it is not one by name or metadata."""
    if column_metadata is not None:
        sdtype = column_metadata.get("sdtype")
        if column_metadata.get("pii"):
            return "marked as personal data (pii) in the metadata"
        if sdtype == "id":
            return "an id in the metadata"
        if sdtype not in MODELLED_SDTYPES:
            return f"sdtype '{sdtype}' in the metadata"
    low = column.lower()
    if low in BIRTH_DATES:
        return "a birth date (regenerated from the learned age)"
    words = _words(column)
    hit = [w for w in words if w in IDENTIFIER_WORDS]
    if hit:
        return f"named like a direct identifier ('{hit[0]}')"
    return None


def is_phone_column(column: str, column_metadata: Mapping[str, Any] | None) -> bool:
    """Whether an identifier column holds phone numbers: sdtype ``phone_number``, or named with phone or mobile."""
    return bool(column_metadata and column_metadata.get("sdtype") == "phone_number") or any(
        w in ("phone", "mobile") for w in _words(column)
    )


def is_name_column(column: str, column_metadata: Mapping[str, Any] | None) -> bool:
    """Whether an identifier column holds people's names: a name sdtype, or named with ``name``."""
    return bool(column_metadata and column_metadata.get("sdtype") in NAME_SDTYPES) or "name" in _words(column)


def national_numbers(values: pl.Series) -> np.ndarray:
    """Ten-digit national numbers of the phone numbers in ``values`` (the last ten digits; others dropped)."""
    digits = values.cast(pl.String).str.replace_all(r"\D", "").drop_nulls()
    digits = digits.filter(digits.str.len_chars() >= 10).str.slice(-10)
    return np.unique(digits.cast(pl.Int64).to_numpy())


@dataclass(frozen=True)
class ColumnPlan:
    """What the learner does with each column of a table."""

    roles: dict[str, str]  # role -> column
    geography: tuple[str, ...]
    identifiers: dict[str, str]  # column -> why it is not learned
    extra: tuple[str, ...]  # modelled columns with no role
    dropped: dict[str, str]  # column -> why it is neither learned nor an identifier

    @property
    def modelled(self) -> tuple[str, ...]:
        return (*self.geography, *self.roles.values(), *self.extra)


def plan_columns(table: pl.DataFrame, metadata_columns: Mapping[str, Mapping[str, Any]] | None) -> ColumnPlan:
    """Sort a table's columns into roles, places, identifiers, extra modelled columns and dropped ones."""
    roles: dict[str, str] = {}
    identifiers: dict[str, str] = {}
    dropped: dict[str, str] = {}
    geography = tuple(c for c in GEOGRAPHY if c in table.columns)
    by_name = {name: role for role, names in ROLES.items() for name in names}
    extra = []
    for column in table.columns:
        meta = None if metadata_columns is None else metadata_columns.get(column)
        if column in geography:
            continue
        role = by_name.get(column)
        if role is not None and role not in roles:
            roles[role] = column
            continue
        reason = identifier_reason(column, meta)
        if reason is not None:
            identifiers[column] = reason
            continue
        if role is not None:
            dropped[column] = f"a second column for '{role}' (the table's '{roles[role]}' is used)"
            continue
        if column in PEOPLE_COLUMNS:  # a column of the world's people table: the world derives it
            dropped[column] = "derived by the world's own generators"
            continue
        dtype = table.schema[column]
        if dtype == pl.String and table.height >= 1000 and table[column].n_unique() > 0.5 * table.height:
            identifiers[column] = f"text with {table[column].n_unique():,} distinct values (about one per row)"
            continue
        extra.append(column)
    return ColumnPlan(roles, geography, identifiers, tuple(extra), dropped)


def examples(values: list[Any], limit: int = 5) -> str:
    """Up to ``limit`` values as a message shows them, and how many more there are."""
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def allowed_values(role: str, preset: str) -> tuple[str, ...] | None:
    """The values a text role may take (None: a number or true/false role)."""
    return {
        "sex": SEX,
        "community": COMMUNITIES,
        "marital_status": MARITAL,
        "occupation": occupations(preset),
        "ration_card": RATION_CARDS,
        "pension_scheme": (*PENSION_SCHEMES, NONE),
        "registry": REGISTRY_VALUES,
    }.get(role)


def locatable(geography: tuple[str, ...]) -> bool:
    """Whether these place columns name one ward."""
    geo = set(geography)
    return "ward_code" in geo or ("ward" in geo and bool(geo & {"local_body_code", "local_body"}))


def check_roles(table: pl.DataFrame, columns: ColumnPlan, preset: str) -> list[str]:
    """Problems with the role columns: missing, of the wrong type, empty, or holding values the world lacks."""
    problems = []
    missing = [r for r in REQUIRED if r not in columns.roles]
    if missing:
        names = [f"'{r}'" + (f" (or '{ROLES[r][1]}')" if len(ROLES[r]) > 1 else "") for r in missing]
        problems.append(
            f"the table has no {', '.join(names)} column: a learned world needs sex, age, community, "
            "marital_status, disabled, occupation and ration_card for every person"
        )
    if not locatable(columns.geography):
        problems.append(
            "the table does not say each person's ward: give 'ward_code', or 'ward' with 'local_body_code' "
            "or 'local_body' (and 'district' where a local body's name recurs)"
        )
    if "registry" in columns.roles:
        both = [columns.roles[r] for r in ("employee", "entrepreneur", "womens_scheme") if r in columns.roles]
        if both:
            problems.append(
                f"the table has a 'registry' column and membership column(s) {', '.join(repr(b) for b in both)}: "
                "give one or the other"
            )
    for role, column in columns.roles.items():
        series = table[column]
        dtype = series.dtype
        nulls = series.null_count()
        if role == "age":
            if not dtype.is_numeric():
                problems.append(f"column '{column}' (age) must hold whole numbers, not {dtype}")
                continue
            bad = series.drop_nulls()
            bad = bad.filter((bad < 0) | (bad > N_AGES - 1) | (bad.cast(pl.Float64) % 1 != 0))
            if nulls or bad.len():
                values = [None] * min(nulls, 1) + bad.unique(maintain_order=True).to_list()
                problems.append(
                    f"column '{column}' (age): values {examples(values)} are not allowed; "
                    f"allowed are whole numbers from 0 to {N_AGES - 1}"
                )
            continue
        if role in BOOLEAN_ROLES:
            if dtype != pl.Boolean:
                problems.append(f"column '{column}' ({role}) must be true/false, not {dtype}")
            elif nulls:
                problems.append(f"column '{column}' ({role}): {nulls} empty value(s); allowed are true and false")
            continue
        allowed = allowed_values(role, preset)
        if allowed is None:
            continue
        if dtype not in (pl.String, pl.Categorical) and not isinstance(dtype, pl.Enum):
            problems.append(f"column '{column}' ({role}) must hold text, not {dtype}")
            continue
        text = series.cast(pl.String)
        if role in FILLED_ROLES:
            text = text.fill_null(NONE)
        elif nulls:
            problems.append(f"column '{column}' ({role}): {nulls} empty value(s); allowed are {', '.join(allowed)}")
        unknown = [v for v in text.drop_nulls().unique(maintain_order=True).to_list() if v not in allowed]
        if unknown:
            problems.append(
                f"column '{column}' ({role}): values {examples(unknown)} are not allowed; "
                f"allowed are {', '.join(allowed)}"
            )
    registry = columns.roles.get("registry")
    pensioners_without_scheme = (
        registry is not None
        and "pension_scheme" not in columns.roles
        and bool((table[registry].cast(pl.String) == "pensioners").any())
    )
    if pensioners_without_scheme:
        problems.append(
            f"column '{registry}' lists pensioners but the table has no 'pension_scheme' "
            "column: a pensioner's scheme decides the rules that apply"
        )
    return problems


def place_problems(places: pl.DataFrame, geography: tuple[str, ...]) -> list[str]:
    """Problems with the places :func:`locate` found: places that are no ward of the preset, or several."""
    problems = []
    unknown = places.filter(pl.col("_matches") == 0).select(geography).rows()
    if unknown:
        shown = [dict(zip(geography, row, strict=True)) for row in unknown]
        problems.append(
            f"{len(unknown)} place(s) of the table are not wards of the preset ({', '.join(geography)}): "
            + examples([" / ".join(str(v) for v in s.values()) for s in shown])
        )
    several = places.filter(pl.col("_matches") > 1).select(geography).rows()
    if several:
        problems.append(
            f"{len(several)} place(s) of the table match several wards (add 'district' or 'local_body_code'): "
            + examples([" / ".join(str(v) for v in row) for row in several])
        )
    return problems
