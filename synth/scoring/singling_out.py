"""True uniqueness in the population, for scoring singling out (truth side: never given to attacks)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from synth.core.coding import age_coding, key_hash, recode_age
from synth.core.name_parts import GIVEN, INITIALS, initial_subsets, name_parts, supported_initials, with_name_parts
from synth.engine.io import Memo, content_key
from synth.scoring.stats import Rate, Risk, risk, wilson
from synth.version import __version__
from synth.world.api import World


def population_in_release_coding(world: World, release: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Everyone in the world, with ``columns`` coded as the release codes them (place names, age bands).

    Not names: a person is written in several formats, one per registry, so a person has no single released name
    (:func:`population_counts` counts names as each could be written).
    """
    if "name" in columns:
        raise ValueError(
            "population_in_release_coding: names are counted by population_counts, not coded person by person"
        )
    places = world.place_names().select("ward_code", "district", "taluk", "local_body", "ward")
    people = (
        world.people.select("ward_code", "age", gender=pl.col("sex").cast(pl.String))
        .join(places.lazy(), on="ward_code")
        .collect()
    )
    if "age" in columns:
        people = people.with_columns(recode_age(pl.col("age"), release["age"]).alias("age"))
    return people.select(columns)


def population_counts(
    world: World, release: pl.DataFrame, columns: list[str], memo: Memo | None = None
) -> pl.DataFrame:
    """How many people of the world share each combination of ``columns``, coded as the release codes them:
    ``columns`` and ``n_pop``.

    People are counted by ward, age and sex first (a few lakh integer groups for the whole state), and only
    those counts are given place names and the release's age coding; the same counts as
    ``key_counts(population_in_release_coding(...), columns, "n_pop")`` in a fraction of the memory.

    ``name`` is counted too when it is one of ``columns``: a released name, in whatever format its registry wrote
    it, counts the people it could be written for (:func:`counted_by_written_name`). The counts then hold the
    name as ``given`` and ``initials``, which a released name meets through :func:`by_written_name` (the scoring
    functions here read it so). ``memo`` keeps those counts of the people by written name (the costly part: they
    depend only on the world and the sizes of the released initial sets) and reuses them for every policy
    that releases names (:class:`~synth.engine.io.ResultStore`), and the counts themselves for every policy that
    codes ``columns`` alike (the same sizes of initial sets, the same age coding): ``mask_phone``, ``hash_plain``,
    ``hmac`` and ``tokenize`` release the quasi-identifiers of ``as_exported``.
    """
    sizes = initial_set_sizes(release["name"]) if "name" in columns else None
    coding = (str(release["age"].dtype), age_coding(release["age"])) if "age" in columns else None
    files = sorted(world.manifest["files"].items()) if memo is not None else []

    def count() -> pl.DataFrame:
        places = world.place_names().select("ward_code", "district", "taluk", "local_body", "ward")
        keys = columns
        if sizes is not None:
            if memo is None:
                counted = counted_by_written_name(world, sizes).lazy()
            else:
                key = content_key("counted_by_written_name", __version__, files, sizes)
                counted = memo(key, lambda: counted_by_written_name(world, sizes)).lazy()
            keys = [c for n in columns for c in (("given", "initials") if n == "name" else (n,))]
        else:
            counted = world.people.group_by("ward_code", "age", "sex").agg(n=pl.len())
        cells = counted.join(places.lazy(), on="ward_code").with_columns(gender=pl.col("sex").cast(pl.String))
        if "age" in columns:
            cells = cells.with_columns(recode_age(pl.col("age"), release["age"]).alias("age"))
        counts: pl.DataFrame = cells.group_by(keys).agg(n_pop=pl.col("n").sum().cast(pl.Int64)).collect()
        return counts

    if memo is None:
        return count()
    return memo(content_key("population_counts", __version__, files, columns, sizes, coding), count)


def initial_set_sizes(names: pl.Series) -> list[int]:
    """The sizes of the sets of initials the ``names`` write (as :mod:`synth.core.name_parts` reads them), sorted."""
    return sorted(name_parts(names.cast(pl.String))["initials"].str.len_chars().unique().to_list())


PEOPLE_AT_ONCE = 1_000_000  # people whose written names counted_by_written_name expands at once


def counted_by_written_name(world: World, sizes: list[int]) -> pl.DataFrame:
    """People counted by ward, age, sex and each way the released ``names`` may write them: their given name, and
    a set of initials all among those of their name, house name and father or husband (the formats of
    :mod:`synth.world.name_formats`; read as :mod:`synth.core.name_parts` reads names): ``ward_code``, ``age``,
    ``sex``, ``given``, ``initials`` and ``n``, for the sizes of initial sets the names have.

    A person counts once for a released name: its initials are one set, met by one subset of the person's. A
    released name meets its count through its own given name and initials (:func:`by_written_name`). ``sizes``:
    those of the released names' sets of initials (:func:`initial_set_sizes`).

    Counted a run of local bodies at a time (a ward lies in one local body, so no count spans two runs): the
    people's names, once per subset of their initials, are expanded for about :data:`PEOPLE_AT_ONCE` people at a
    time. Four districts (47 lakh people) peaked at 6.1 GB counted at once, 3.1 GB a district at a time and 2.6 GB
    in five runs (the counts of all, 0.4 GB, included).
    """
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
    parts = [_counted_in(world, sizes, (first, last)) for first, last in runs.select("first", "last").rows()]
    return pl.concat(parts, how="vertical") if parts else _counted_in(world, sizes, None)


def _counted_in(world: World, sizes: list[int], bodies: tuple[str, str] | None) -> pl.DataFrame:
    """:func:`counted_by_written_name` of the people of the local bodies whose codes lie from ``bodies[0]`` to
    ``bodies[1]`` (``None``: everyone at once). The world's files hold people in local body order, so Parquet's
    statistics let the scans skip the rest."""
    here = (
        pl.lit(True) if bodies is None else pl.col("local_body_code").is_between(pl.lit(bodies[0]), pl.lit(bodies[1]))
    )
    houses = (
        world.table("households").filter(here).select("household_id", house_name=pl.col("house_name").str.slice(0, 1))
    )
    people = (
        world.people.filter(here)
        .select(
            "ward_code", "age", "sex", "name", "household_id", relative_name=pl.col("relative_name").str.slice(0, 1)
        )
        .join(houses, on="household_id", how="left")
        .group_by("ward_code", "age", "sex", "name", "house_name", "relative_name")
        .agg(n=pl.len())
        .collect()
    )
    people = pl.concat([people.select("ward_code", "age", "sex", "n"), supported_initials(people)], how="horizontal")
    cells = people.group_by("ward_code", "age", "sex", GIVEN, INITIALS).agg(pl.col("n").sum())
    subsets = initial_subsets(cells, set(sizes))
    counted: pl.DataFrame = subsets.group_by("ward_code", "age", "sex", "given", "initials").agg(pl.col("n").sum())
    return counted


def by_written_name(frame: pl.DataFrame, parts: pl.DataFrame | None = None) -> pl.DataFrame:
    """``frame`` with its ``name`` read as ``given`` and ``initials`` (the keys of :func:`population_counts` with
    names); a frame without names as it is. ``parts``: :func:`~synth.core.name_parts.name_parts` of these names or
    more, read once for several frames (read here otherwise)."""
    if "name" not in frame.columns:
        return frame
    read = with_name_parts(frame, parts=parts)
    return read.select([c for n in frame.columns for c in ((GIVEN, INITIALS) if n == "name" else (n,))])


def singled_out_rows(guesses: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """``row_id`` of the predicates that describe exactly one person of the population (for breakdowns).

    ``counts`` is :func:`population_counts` (or ``key_counts(population, keys, "n_pop")``)."""
    guesses = by_written_name(guesses)
    keys = [c for c in guesses.columns if c != "row_id"]
    hit = guesses.join(counts, on=keys, how="inner")
    return hit.filter(pl.col("n_pop") == 1).select("row_id").sort("row_id")


def rows_meeting(frame: pl.DataFrame, hashed: pl.DataFrame, keys: list[str]) -> int:
    """How many rows of ``frame`` share every one of ``keys`` with a row of ``hashed`` (whose keys are unique, with
    their :func:`~synth.core.coding.key_hash` as ``_h``; a null key meets nothing), exactly: joined on the hash
    (2 to 3 times as fast as on eight columns, most of them strings), then compared column by column, so a
    collision meets nothing. ``frame``'s keys must have ``hashed``'s dtypes (equal values, equal hashes)."""
    joined = (
        frame.select(keys)
        .with_row_index("_i")
        .with_columns(_h=key_hash(keys))
        .join(hashed, on="_h", how="inner", suffix="_met")
    )
    same = pl.all_horizontal([pl.col(k) == pl.col(f"{k}_met") for k in keys]).fill_null(False)
    return int(joined.filter(same)["_i"].n_unique())


@dataclass(frozen=True)
class SinglingOutScore:
    """Rows unique in the release, and how many of those predicates single out one person in truth.

    ``precision`` is the share of the attack's predicates that describe exactly one person of the
    population; ``baseline`` the same share for the predicates the attack finds in a release whose columns
    were shuffled one by one (values that exist, combined at random); ``risk`` compares the two.
    """

    rows: int
    unique_in_release: Rate
    correct: int
    precision: Rate
    unique_in_population: Rate  # released rows whose quasi-identifiers are unique in the whole population
    baseline: Rate
    risk: Risk


def score_singling_out(
    guesses: pl.DataFrame, baseline: pl.DataFrame, release: pl.DataFrame, counts: pl.DataFrame
) -> SinglingOutScore:
    """Score the attack's predicates, and its baseline's, against the population's ``counts`` (coded like the
    release: :func:`population_counts`, or ``key_counts(population, keys, "n_pop")``; names are read as
    :func:`by_written_name` reads them)."""
    columns = [c for c in guesses.columns if c != "row_id"]
    keys = [c for c in by_written_name(guesses.head(0)).columns if c != "row_id"]
    # the combinations one person has (keys unique), with one 64-bit hash of them, computed once for every count
    alone = counts.filter(pl.col("n_pop") == 1).select(keys).with_columns(_h=key_hash(keys))

    # where the predicates name people, the three frames' names (the baseline's are the release's, shuffled) read once
    named = "name" in columns
    parts = name_parts(pl.concat([f["name"].cast(pl.String) for f in (guesses, baseline, release)])) if named else None

    def singled(predicates: pl.DataFrame) -> int:
        read = by_written_name(predicates.select(columns), parts)
        return rows_meeting(read.with_columns(pl.col(k).cast(alone.schema[k]) for k in keys), alone, keys)

    correct = singled(guesses)
    unique_pop = singled(release)
    precision = wilson(correct, guesses.height)
    base = wilson(singled(baseline.select(guesses.columns)), baseline.height)
    return SinglingOutScore(
        rows=release.height,
        unique_in_release=wilson(guesses.height, release.height),
        correct=correct,
        precision=precision,
        unique_in_population=wilson(unique_pop, release.height),
        baseline=base,
        risk=risk(precision, base),
    )


@dataclass(frozen=True)
class SinglingOutWithNames:
    """Singling out again with the released name among the quasi-identifiers (its measures are prefixed
    ``with_names_``); None where the release has no name or the scenario left names out."""

    with_names: SinglingOutScore | None
