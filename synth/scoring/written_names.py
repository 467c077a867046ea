"""How many people of the world a written name fits, for the keys a release and its baseline print (truth side).

A released name ("K. P. Rajan") fits every person whose given name is its given name and who supports each of its
initials (:mod:`synth.core.name_parts`). Singling out with names asks, of each predicate (a written name with age,
gender and places, coded as the release codes them), how many people it fits: a predicate that fits exactly one
person singles that person out.

Counted from the predicates, not from the population: the distinct keys the frames print are joined to the people
who share their given name, age, gender and place, and a person counts where the key's initials are among those
they support. Counting every person once per subset of their initials instead
(:func:`synth.core.name_parts.initial_subsets`) gives the same numbers for these keys, but for every combination the
population could print (18.5 million at 4 districts, so about 14 crore for the whole state) where the frames print at
most twice the release's rows.

People are read a run of local bodies at a time (about :data:`PEOPLE_AT_ONCE` people), so memory is bounded by the
predicates and one run whatever the size of the world.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from synth.core.coding import age_coding, recode_age
from synth.core.name_parts import GIVEN, INITIALS, initials_fit, name_parts, supported_initials
from synth.engine.io import Memo, content_key
from synth.version import __version__
from synth.world.api import World

PLACES = ("district", "taluk", "local_body", "ward")
PEOPLE_AT_ONCE = 1_000_000  # people whose names are read and met at once
HELD = "_held"  # the initials a person supports (a released name's initials must be among them)
PLACE = "_place"  # one integer for the released place columns of a ward (wards that print alike share it)


def written_name_keys(columns: Sequence[str]) -> list[str]:
    """The keys of ``columns`` with ``name`` read as ``given`` and ``initials`` (as :func:`written_name_counts`
    returns them)."""
    return [c for n in columns for c in ((GIVEN, INITIALS) if n == "name" else (n,))]


def written_name_counts(
    world: World,
    release: pl.DataFrame,
    columns: Sequence[str],
    frames: Sequence[pl.DataFrame],
    memo: Memo | None = None,
    parts: pl.DataFrame | None = None,
    people_parts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """How many people of ``world`` each distinct key of ``frames`` fits: the keys of :func:`written_name_keys`
    and ``n_pop``, one row for each key that fits someone (a key that fits no one, or has a null, is left out).

    Parameters
    ----------
    world
        The synthetic population (the truth).
    release
        The release whose coding the keys have (its ``age`` column: whole years, bands or top-coding).
    columns
        The quasi-identifiers, ``name`` among them (see :func:`synth.attacks.singling_out.quasi_identifiers`).
    frames
        The frames whose keys are counted (the release, its predicates, their shuffled baseline), each with
        ``columns`` in the release's dtypes.
    memo
        Keeps the counts under the content of the keys, the world's files and the coding, so a policy that
        prints the same keys (``mask_phone``, ``hash_plain``, ``hmac`` and ``tokenize`` print those of
        ``as_exported``) reads them back.
    parts
        :func:`~synth.core.name_parts.name_parts` of the frames' names or more, where the caller has read them
        already (read here otherwise).
    people_parts
        :func:`people_name_parts` of ``world``, where the caller keeps them (read here otherwise): the counts read
        every person's name, and a run of policies reads the same names.
    """
    if "name" not in columns:
        raise ValueError(
            f"written_name_counts: columns {list(columns)} have no name; count them with population_counts"
        )
    keys = written_name_keys(columns)
    if parts is None:
        parts = name_parts(pl.concat([f["name"].cast(pl.String) for f in frames]))  # each distinct name read once
    places = [c for c in PLACES if c in keys]
    wards = world.place_names()
    # sorted: the keys are kept under their codes, which must be those of the next run
    coded = wards.select(places).unique().sort(places).with_row_index(PLACE) if places else None
    # read as by_written_name reads them, each printed place as its code (its names are held once, not once a key),
    # streamed: the whole state's 1.7 crore keys are counted 2.3 GB above the inputs, not 4.2 with places as names
    printed = pl.concat([f.lazy().select(columns).with_columns(pl.col("name").cast(pl.String)) for f in frames])
    read = printed.join(parts.lazy(), on="name", how="left", maintain_order="left")
    if coded is not None:
        # a value no ward prints (a shuffled baseline's mix, a ward that is no number) fits no one
        read = read.with_columns(pl.col(c).cast(wards.schema[c], strict=False) for c in places)
        read = read.join(coded.lazy(), on=places, how="inner", maintain_order="left")
        ward_place = wards.join(coded, on=places).select("ward_code", PLACE)
    else:  # no place printed: one place, the whole world
        read = read.with_columns(pl.lit(0, pl.UInt32).alias(PLACE))
        ward_place = wards.select("ward_code", pl.lit(0, pl.UInt32).alias(PLACE))
    met = [PLACE, *(c for c in ("age", "gender") if c in keys), GIVEN]  # equal on these, then initials among held
    wanted = read.select(*met, INITIALS).drop_nulls().unique(maintain_order=True).collect(engine="streaming")
    coding = (str(release["age"].dtype), age_coding(release["age"])) if "age" in columns else None

    def count() -> pl.DataFrame:
        known = people_name_parts(world) if people_parts is None else people_parts
        counts = _count(world, release, wanted, met, ward_place, known)
        if coded is not None:
            counts = counts.join(coded, on=PLACE, how="left", maintain_order="left")
        return counts.select(*keys, "n_pop")

    if memo is None:
        return count()
    files = sorted(world.manifest["files"].items())
    return memo(content_key("written_name_counts", __version__, files, keys, coding, wanted), count)


def people_name_parts(world: World) -> pl.DataFrame:
    """:func:`~synth.core.name_parts.name_parts` of every name a person of ``world`` has: each distinct name read once
    (the whole state's 3.58 crore people hold 3.5 lakh), not once per run of local bodies that holds it."""
    names = world.people.select("name").unique().collect(engine="streaming")
    return name_parts(names["name"])


def _count(
    world: World,
    release: pl.DataFrame,
    wanted: pl.DataFrame,
    met: list[str],
    ward_place: pl.DataFrame,
    known: pl.DataFrame,
) -> pl.DataFrame:
    """``wanted`` (``met`` and ``initials``, places coded as ``ward_place`` codes each ward) with ``n_pop``, the keys
    that fit someone. ``known``: :func:`people_name_parts` of ``world``."""

    def counted_in(bodies: tuple[str, str]) -> pl.DataFrame:
        people = _people_by_names(world, bodies, known).join(ward_place, on="ward_code")
        if "age" in met:
            people = people.with_columns(recode_age(pl.col("age"), release["age"]).alias("age"))
        if "gender" in met:
            people = people.with_columns(gender=pl.col("sex").cast(pl.String))
        grouped = people.group_by(*met, HELD).agg(pl.col("n").sum())
        # the keys of this run's places only (a small hash set probed once), so each run joins a slice of them
        here = wanted.join(grouped.select(PLACE).unique(), on=PLACE, how="semi")
        pairs = grouped.join(here, on=met, how="inner")
        fitting = pairs.filter(initials_fit(pl.col(INITIALS), pl.col(HELD)))
        return fitting.group_by(*met, INITIALS).agg(pl.col("n").sum())

    parts = [counted_in(bodies) for bodies in local_body_runs(world)]
    # summed and joined streamed: over the whole state the keys (1.7 crore, most of them strings) were counted 0.9 GiB
    # lower than in memory
    counts = pl.concat(parts).lazy().group_by(*met, INITIALS).agg(n_pop=pl.col("n").sum().cast(pl.Int64))
    counted = wanted.lazy().join(counts, on=[*met, INITIALS], how="inner", maintain_order="left")
    return counted.collect(engine="streaming")


def local_body_runs(world: World) -> list[tuple[str, str]]:
    """The world's local bodies in code order, cut into runs of about :data:`PEOPLE_AT_ONCE` people (by the wards'
    population): the first and last code of each run."""
    runs = (
        world.table("wards")
        .group_by("local_body_code")
        .agg(pl.col("population").sum())
        .sort("local_body_code")
        .with_columns(run=(pl.col("population").cum_sum() - pl.col("population")) // PEOPLE_AT_ONCE)
        .group_by("run")
        .agg(first=pl.col("local_body_code").min(), last=pl.col("local_body_code").max())
        .sort("run")
        .collect()
    )
    return [(str(first), str(last)) for first, last in runs.select("first", "last").rows()]


def _people_by_names(world: World, bodies: tuple[str, str], known: pl.DataFrame) -> pl.DataFrame:
    """The people of the local bodies whose codes lie from ``bodies[0]`` to ``bodies[1]``, one row each, with their
    ward, age, sex, given name and the initials they support (``_held``): ``ward_code``, ``age``, ``sex``, ``given``,
    ``_held`` and ``n`` (1; the caller sums it by the keys it counts). The world's files hold people in local body
    order, so Parquet's statistics let the scans skip the rest. ``known``: :func:`people_name_parts` of the world.

    People are not grouped by name first: the whole state's 3.58 crore people made 3.57 crore groups of ward, age, sex,
    name and the first letters of their house and relative, and grouping them took 5 to 9 s of the 45 to 49 s the
    counts took."""
    here = pl.col("local_body_code").is_between(pl.lit(bodies[0]), pl.lit(bodies[1]))
    houses = (
        world.table("households").filter(here).select("household_id", house_name=pl.col("house_name").str.slice(0, 1))
    )
    people = (
        world.people.filter(here)
        .select(
            "ward_code", "age", "sex", "name", "household_id", relative_name=pl.col("relative_name").str.slice(0, 1)
        )
        .join(houses, on="household_id", how="left")
        .select("ward_code", "age", "sex", "name", "house_name", "relative_name", n=pl.lit(1, pl.UInt32))
        .collect()
    )
    read = supported_initials(people, known).rename({INITIALS: HELD})
    return pl.concat([people.select("ward_code", "age", "sex", "n"), read], how="horizontal")
