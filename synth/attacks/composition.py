"""The composition attack on generalized releases: two releases of the same people, each k-anonymous under its own
generalization, intersected until classes of one remain (Ganta, Kasiviswanathan and Smith, 2008).

Each release says how many of its people fall in each of its classes (``age 35-39, local body X`` in one,
``age 37, ward 4`` in the other). A person lies in one class of each, so the people of a region where a class of
one release meets a class of the other are unknowns ``x`` of a transportation problem: the ``x`` meeting a class
sum to its size, in both releases. Where every consistent ``x`` puts exactly one person in a region, that person
is singled out, though each release put them in a class of ``k`` or more; where the attacker's electoral roll
holds one voter in that region, it names them.

Which regions meet is found from the public geography: every cell of (age, sex, ward) is generalized the way
each release generalized its rows (read from the release's own values: ``35-39`` is a five-year band, a
``ward/local body/taluk/district`` path a ward, ``*`` any), and the classes a cell falls in meet. The bounds of
each ``x`` come from linear programs (HiGHS through :func:`scipy.optimize.linprog`); the transportation matrix is
totally unimodular, so the bounds are whole and exact. Nothing here reads the truth; the scorer does afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.optimize import linprog  # type: ignore[import-untyped]
from scipy.sparse import coo_array  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from synth.core.coding import GEO_COLUMNS
from synth.scoring.stats import Rate, wilson

ATTACK_ID = "composition"
SUMMARY = (
    "Intersect the classes of two releases of the same people generalized their own ways: regions that hold one "
    "person whatever the assignment single that person out; the roll names them where it holds one voter there."
)
ANY = "*"
AGES = range(0, 111)  # every age a person can have
QIS = ("age", "gender", *GEO_COLUMNS)  # what generalization leaves of a person, one column each


@dataclass(frozen=True)
class CompositionScore:
    """Two releases' classes intersected: ``singled_out`` people alone in a region though in classes of at least
    ``k`` (the smaller of the two releases' smallest classes) in each; of them ``guesses`` named through the roll
    (one voter in the region), ``correct`` the right person; ``precision`` and ``recall`` (of ``rows``)."""

    rows: int
    classes: int
    k: int
    singled_out: int
    guesses: int
    correct: int
    precision: Rate
    recall: Rate


def intersect(a: pl.DataFrame, b: pl.DataFrame, places: pl.DataFrame) -> pl.DataFrame:
    """The regions where a class of ``a`` meets a class of ``b`` and the bounds on how many people each holds.

    Parameters
    ----------
    a, b
        Two releases' rows (their generalized quasi-identifiers among :data:`QIS`, as released).
    places
        The public geography: ``district``, ``taluk``, ``local_body``, ``ward`` of every ward.

    Returns
    -------
    pl.DataFrame
        One row per region: ``class_a``, ``class_b`` (each release's class as a text key), ``low`` and ``high``
        (the fewest and most people any consistent assignment puts there). Empty when no assignment fits (the
        releases do not hold the same people).
    """
    sizes_a, sizes_b = class_sizes(a).rename({"class": "class_a"}), class_sizes(b).rename({"class": "class_b"})
    genders = _genders(a, b)
    cell = ["age", "gender", "ward_id"]
    pairs = (
        cells(a, places, genders)
        .rename({"class": "class_a"})
        .join(cells(b, places, genders).rename({"class": "class_b"}), on=cell, how="inner")
        .select("class_a", "class_b")
        .unique()
        .sort("class_a", "class_b")
    )
    empty = pairs.clear().with_columns(low=pl.lit(0, pl.Int64), high=pl.lit(0, pl.Int64))
    if pairs.height == 0:
        return empty
    low, high = _bounds(pairs, sizes_a, sizes_b)
    if low is None or high is None:
        return empty
    return pairs.with_columns(low=pl.Series(low, dtype=pl.Int64), high=pl.Series(high, dtype=pl.Int64))


def class_sizes(data: pl.DataFrame) -> pl.DataFrame:
    """``class`` (the release's quasi-identifiers as one text key) and ``size`` (its rows) of every class."""
    return data.group_by(_key(data).alias("class")).len("size").sort("class")


def cells(data: pl.DataFrame, places: pl.DataFrame, genders: list[str]) -> pl.DataFrame:
    """Every (age, gender, ward) cell each class of ``data`` covers: its ages, genders and wards, read from the
    class's values (``35-39`` or ``35`` or ``80+`` or ``*`` for age; a ward/local body/taluk/district path, a
    plain name or ``*`` for a place), so that each class may be generalized its own way (local recoding)."""
    wards = places.select(*GEO_COLUMNS).with_columns(pl.col(GEO_COLUMNS).cast(pl.String)).with_row_index("ward_id")
    qis = _qis(data)
    classes = data.select(*qis).with_columns(pl.col(qis).cast(pl.String).fill_null(ANY)).unique().sort(qis)
    classes = classes.with_columns(_key(classes).alias("class"))
    fixed = [f"_{c}" for c in GEO_COLUMNS]
    for column in (c for c in GEO_COLUMNS if c in qis):
        values = classes[column].unique().sort().to_list()
        rows = [_place(column, v) for v in values]
        table = pl.DataFrame(
            {column: values, **{f: [r.get(f[1:]) for r in rows] for f in fixed}},
            schema_overrides=dict.fromkeys(fixed, pl.String),
        )
        classes = classes.join(table, on=column, how="left", suffix="_new")
        for f in fixed:  # a class fixes a level when any of its place columns does
            if f"{f}_new" in classes.columns:
                classes = classes.with_columns(pl.coalesce(f, f"{f}_new").alias(f)).drop(f"{f}_new")
    classes = classes.with_columns(pl.lit(None, pl.String).alias(f) for f in fixed if f not in classes.columns)
    located = []
    for _, part in (
        classes.with_columns(_mask=pl.concat_str([pl.col(f).is_null().cast(pl.String) for f in fixed]))
        .partition_by("_mask", as_dict=True)
        .items()
    ):
        on = [f for f in fixed if part[f].null_count() == 0]
        joined = part.join(wards, left_on=on, right_on=[f[1:] for f in on]) if on else part.join(wards, how="cross")
        located.append(joined.select("class", "ward_id", *(c for c in ("age", "gender") if c in qis)))
    out = pl.concat(located)
    lo, hi = _age_bounds(pl.col("age") if "age" in qis else pl.lit(ANY))
    gender = pl.col("gender") if "gender" in qis else pl.lit(ANY)
    return (
        out.with_columns(
            age=pl.int_ranges(lo, hi + 1),
            gender=pl.when(gender == ANY).then(pl.lit(genders)).otherwise(pl.concat_list(gender)),
        )
        .explode("age")
        .explode("gender")
        .select("class", "age", "gender", "ward_id")
    )


def _place(column: str, value: str) -> dict[str, str]:
    """The levels a released place value fixes: a k-anonymity path (its parts, the coarsest last, ending at the
    district) each, a plain value its own column, ``*`` none."""
    if value == ANY:
        return {}
    parts = value.split("/")
    if len(parts) == 1:
        return {column: value}
    return dict(zip(GEO_COLUMNS[len(GEO_COLUMNS) - len(parts) :], parts, strict=True))


def _genders(a: pl.DataFrame, b: pl.DataFrame) -> list[str]:
    seen = {g for d in (a, b) if "gender" in d.columns for g in d["gender"].cast(pl.String).drop_nulls().to_list()}
    return sorted(seen - {ANY}) or [ANY]


def _key(data: pl.DataFrame) -> pl.Expr:
    return pl.concat_str([pl.col(c).cast(pl.String).fill_null(ANY) for c in _qis(data)], separator="|")


def _qis(data: pl.DataFrame) -> list[str]:
    return [c for c in QIS if c in data.columns]


def _age_bounds(age: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The first and last age of an age value: ``35-39``, ``35``, ``80+`` (to the oldest age) or ``*`` (any)."""
    lo = age.str.extract(r"^(\d+)", 1).cast(pl.Int64).fill_null(AGES.start)
    hi = (
        pl.when(age.str.contains(r"^\d+-\d+$"))
        .then(age.str.extract(r"-(\d+)$", 1).cast(pl.Int64))
        .when(age.str.contains(r"^\d+$"))
        .then(lo)
        .otherwise(pl.lit(AGES.stop - 1))
    )
    return lo, hi


def _bounds(
    pairs: pl.DataFrame, sizes_a: pl.DataFrame, sizes_b: pl.DataFrame
) -> tuple[list[int] | None, list[int] | None]:
    """The fewest and most people of each region over every assignment meeting both releases' class sizes: two
    linear programs per region, one connected group of classes at a time (None, None: no assignment fits)."""
    a_ids = sizes_a.with_row_index("ia")
    b_ids = sizes_b.with_row_index("ib").with_columns(pl.col("ib") + a_ids.height)
    edges = pairs.join(a_ids, on="class_a").join(b_ids, on="class_b")
    if edges.height != pairs.height:
        return None, None
    ia, ib = edges["ia"].to_numpy().astype(np.int64), edges["ib"].to_numpy().astype(np.int64)
    n_nodes = a_ids.height + b_ids.height
    size = np.concatenate([a_ids["size"].to_numpy(), b_ids["size"].to_numpy()]).astype(float)
    if set(range(n_nodes)) - set(ia.tolist()) - set(ib.tolist()):  # a class meeting no class of the other
        return None, None
    graph = coo_array((np.ones(len(ia)), (ia, ib)), shape=(n_nodes, n_nodes))
    _, component = connected_components(graph, directed=False)
    low, high = np.zeros(len(ia), dtype=np.int64), np.zeros(len(ia), dtype=np.int64)
    for c in np.unique(component[ia]):
        mine = np.flatnonzero(component[ia] == c)
        nodes, where = np.unique(np.concatenate([ia[mine], ib[mine]]), return_inverse=True)
        matrix = np.zeros((len(nodes), len(mine)))
        matrix[where[: len(mine)], np.arange(len(mine))] = 1.0
        matrix[where[len(mine) :], np.arange(len(mine))] = 1.0
        for j in range(len(mine)):
            goal = np.zeros(len(mine))
            for sign, out in ((1.0, low), (-1.0, high)):
                goal[j] = sign
                found = linprog(goal, A_eq=matrix, b_eq=size[nodes], bounds=(0, None), method="highs")
                if found.status != 0:
                    return None, None
                out[mine[j]] = round(sign * found.fun)
    return low.tolist(), high.tolist()


def locate(cells_a: pl.DataFrame, cells_b: pl.DataFrame, who: pl.DataFrame, places: pl.DataFrame) -> pl.DataFrame:
    """``who`` (rows with ``age``, ``gender`` and the place columns) with the region (``class_a``, ``class_b``)
    their cell falls in; rows whose cell no region covers are left out."""
    wards = places.select(*GEO_COLUMNS).with_columns(pl.col(GEO_COLUMNS).cast(pl.String)).with_row_index("ward_id")
    placed = who.with_columns(pl.col(GEO_COLUMNS).cast(pl.String), pl.col("gender").cast(pl.String)).join(
        wards, on=list(GEO_COLUMNS)
    )
    cell = ["age", "gender", "ward_id"]
    both = cells_a.rename({"class": "class_a"}).join(cells_b.rename({"class": "class_b"}), on=cell)
    return placed.with_columns(pl.col("age").cast(pl.Int64)).join(both, on=cell)


def score_composition(
    regions: pl.DataFrame,
    a: pl.DataFrame,
    b: pl.DataFrame,
    places: pl.DataFrame,
    people: pl.DataFrame,
    roll: pl.DataFrame,
) -> CompositionScore:
    """Regions holding exactly one person in every assignment, checked against the truth.

    ``people``: one row per released person of ``a`` (``person_id``, true ``age``, ``gender`` and places);
    ``roll``: one row per roll entry (``epic``, the ``person_id`` of the roll's truth, and the ``age``, ``gender``
    and places the roll prints)."""
    singled = regions.filter((pl.col("low") == 1) & (pl.col("high") == 1)).select("class_a", "class_b")
    genders = _genders(a, b)
    cells_a, cells_b = cells(a, places, genders), cells(b, places, genders)
    key = ["class_a", "class_b"]
    found = locate(cells_a, cells_b, people, places).join(singled, on=key).select(*key, "person_id")
    voters = locate(cells_a, cells_b, roll, places).join(singled, on=key).select(*key, "epic", voter="person_id")
    named = voters.filter(pl.len().over(key) == 1)
    right = named.join(found, on=key).filter(pl.col("voter") == pl.col("person_id"))
    smallest = min(int(np.min(class_sizes(d)["size"].to_numpy())) for d in (a, b))
    return CompositionScore(
        rows=a.height,
        classes=regions.height,
        k=smallest,
        singled_out=singled.height,
        guesses=named.height,
        correct=right.height,
        precision=wilson(right.height, named.height),
        recall=wilson(right.height, a.height),
    )
