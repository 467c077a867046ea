"""A world as a table of people, one row per person: the table ``synth world learn`` takes and
``synth world extract`` writes, and its reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from synth.engine.io import sha256_file
from synth.errors import LearnError
from synth.world.api import World
from synth.world.learned.columns import NONE

PERSON_ROLES = ("sex", "age", "community", "marital_status", "disabled", "occupation")  # people columns, as they are
DEFAULT_ROLES = {
    role: role for role in (*PERSON_ROLES, "ration_card", "pension_scheme", "employee", "entrepreneur", "womens_scheme")
}
DEFAULT_GEOGRAPHY = ("district", "taluk", "local_body", "ward")
PLACE_CODES = ("district_code", "taluk_code", "local_body_code", "ward_code")
IDENTIFIERS = ("name", "phone")  # given with identifiers=True


def people_table(world: World, identifiers: bool = False) -> pl.LazyFrame:
    """A world as a table of people in the form the learner reads: one row per person.

    For a learned world, the columns (and their kinds) of the table it was learned from; for any other
    world, ``district``, ``taluk``, ``local_body``, ``ward``, ``sex``, ``age``, ``community``,
    ``marital_status``, ``disabled``, ``occupation``, ``ration_card``, ``pension_scheme`` (``none`` for
    no pension), ``employee``, ``entrepreneur`` and ``womens_scheme``. Places come from the world's
    geography, registry columns from its registries (a ``registry`` column holds a person's first
    registry, in the order employees, pensioners, entrepreneurs, women's scheme), the ration card from
    the household. With ``identifiers``, ``name`` and ``phone`` come first (direct identifiers, which
    the learner never learns).

    Parameters
    ----------
    world
        Any world, built or learned.
    identifiers
        Add the ``name`` and ``phone`` columns of the world's people.

    Returns
    -------
    polars.LazyFrame
        One row per person of the world.

    Examples
    --------
    >>> people_table(open_world("out/wayanad"), identifiers=True).collect()  # doctest: +SKIP
    """
    learned = world.manifest.get("learned", {}).get("columns")
    roles: dict[str, str] = learned["roles"] if learned else DEFAULT_ROLES
    geography = learned["geography"] if learned else list(DEFAULT_GEOGRAPHY)
    kinds: dict[str, str] = learned["kinds"] if learned else {}
    people = world.people
    names = people.collect_schema().names()
    extra = [c for c in learned["extra"] if c in names] if learned else []
    members = {
        registry: world.table(registry).select("person_id").unique().with_columns(pl.lit(True).alias(f"_{registry}"))
        for registry in ("employees", "entrepreneurs", "womens_scheme")
    }
    pensions = world.table("pensioners").select("person_id", _scheme=pl.col("scheme").cast(pl.String))
    places = world.place_names().lazy().select("ward_code", "district", "taluk", "local_body", "ward")
    view = (
        people.select("person_id", "household_id", *PLACE_CODES, *PERSON_ROLES, *IDENTIFIERS, *extra)
        .join(
            world.households.select("household_id", "ration_card"), on="household_id", how="left", maintain_order="left"
        )
        .join(places, on="ward_code", how="left", maintain_order="left")
        .join(pensions, on="person_id", how="left", maintain_order="left")
    )
    for frame in members.values():
        view = view.join(frame, on="person_id", how="left", maintain_order="left")
    view = view.with_columns(pl.col(f"_{r}").fill_null(False) for r in members)
    source = {
        **{
            role: pl.col(role) if role in ("age", "disabled") else pl.col(role).cast(pl.String) for role in PERSON_ROLES
        },
        "ration_card": pl.col("ration_card").cast(pl.String),
        "pension_scheme": pl.col("_scheme").fill_null(NONE),
        "employee": pl.col("_employees"),
        "entrepreneur": pl.col("_entrepreneurs"),
        "womens_scheme": pl.col("_womens_scheme"),
        "registry": pl.when(pl.col("_employees"))
        .then(pl.lit("employees"))
        .when(pl.col("_scheme").is_not_null())
        .then(pl.lit("pensioners"))
        .when(pl.col("_entrepreneurs"))
        .then(pl.lit("entrepreneurs"))
        .when(pl.col("_womens_scheme"))
        .then(pl.lit("womens_scheme"))
        .otherwise(pl.lit(NONE)),
    }
    casts = {"number": None, "text": pl.String, "bool": pl.Boolean}
    columns = {c: pl.col(c) for c in IDENTIFIERS} if identifiers else {}
    for column in geography:
        columns[column] = pl.col(column)
    for role, column in roles.items():
        columns[column] = source[role]
    for column in extra:
        columns[column] = pl.col(column)
    if learned:  # the table's own column order
        order = world.manifest["learned"]["input"]["columns"]
        columns = dict(sorted(columns.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else -1))
    exprs = []
    for column, expr in columns.items():
        target = casts.get(kinds.get(column, ""))
        exprs.append((expr.cast(target, strict=False) if target is not None else expr).alias(column))
    return view.select(*exprs)


def read_table(path: str | Path) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Read a Parquet or CSV table; return it and what the manifest records of it (name, SHA-256).

    Raises
    ------
    LearnError
        The file is missing, not Parquet or CSV, or unreadable.
    """
    path = Path(path)
    if not path.is_file():
        raise LearnError(f"{path}: table not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
        elif suffix == ".csv":
            frame = pl.read_csv(path, infer_schema_length=None)
        else:
            raise LearnError(f"{path}: a table must be a .parquet or .csv file")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise LearnError(f"{path}: cannot read the table ({str(exc).splitlines()[0]})") from None
    return frame, {"file": path.name, "sha256": sha256_file(path)}
