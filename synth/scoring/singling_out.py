"""True uniqueness in the population, for scoring singling out (truth side: never given to attacks)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from synth.core.coding import age_coding, key_hash, recode_age
from synth.core.name_parts import GIVEN, INITIALS, name_parts, with_name_parts
from synth.engine.io import Memo, content_key
from synth.scoring.stats import Rate, Risk, risk, wilson
from synth.version import __version__
from synth.world.api import World


def population_in_release_coding(world: World, release: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Everyone in the world, with ``columns`` coded as the release codes them (place names, age bands).

    Not names: a person is written in several formats, one per registry, so a person has no single released name
    (:func:`synth.scoring.written_names.written_name_counts` counts names as each could be written).
    """
    if "name" in columns:
        raise ValueError(
            "population_in_release_coding: names are counted by written_name_counts, not coded person by person"
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
    ``key_counts(population_in_release_coding(...), columns, "n_pop")`` in a fraction of the memory. ``memo``
    keeps them for every policy that codes ``columns`` alike (:class:`~synth.engine.io.ResultStore`).

    Not names: a released name fits every person it could be written for, so names are counted for the keys a
    release prints (:func:`synth.scoring.written_names.written_name_counts`).
    """
    if "name" in columns:
        raise ValueError("population_counts: names are counted for the keys a release prints, by written_name_counts")
    coding = (str(release["age"].dtype), age_coding(release["age"])) if "age" in columns else None

    def count() -> pl.DataFrame:
        places = world.place_names().select("ward_code", "district", "taluk", "local_body", "ward")
        counted = world.people.group_by("ward_code", "age", "sex").agg(n=pl.len())
        cells = counted.join(places.lazy(), on="ward_code").with_columns(gender=pl.col("sex").cast(pl.String))
        if "age" in columns:
            cells = cells.with_columns(recode_age(pl.col("age"), release["age"]).alias("age"))
        counts: pl.DataFrame = cells.group_by(columns).agg(n_pop=pl.col("n").sum().cast(pl.Int64)).collect()
        return counts

    if memo is None:
        return count()
    files = sorted(world.manifest["files"].items())
    return memo(content_key("population_counts", __version__, files, columns, coding), count)


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
        frame.lazy()
        .select(keys)
        .with_row_index("_i")
        .with_columns(_h=key_hash(keys))
        .join(hashed.lazy(), on="_h", how="inner", suffix="_met")
    )
    same = pl.all_horizontal([pl.col(k) == pl.col(f"{k}_met") for k in keys]).fill_null(False)
    # streamed: the pairs met are counted as they are joined, never held (a crore of rows with two of each key)
    return int(joined.filter(same).select(pl.col("_i").n_unique()).collect(engine="streaming").item())


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
    guesses: pl.DataFrame,
    baseline: pl.DataFrame,
    release: pl.DataFrame,
    counts: pl.DataFrame,
    parts: pl.DataFrame | None = None,
) -> SinglingOutScore:
    """Score the attack's predicates, and its baseline's, against the population's ``counts`` (coded like the
    release: :func:`population_counts`, or ``key_counts(population, keys, "n_pop")``; names are read as
    :func:`by_written_name` reads them). ``parts``: :func:`~synth.core.name_parts.name_parts` of the three frames'
    names or more, where the caller has read them already (read here otherwise)."""
    columns = [c for c in guesses.columns if c != "row_id"]
    keys = [c for c in by_written_name(guesses.head(0)).columns if c != "row_id"]
    # the combinations one person has (keys unique), with one 64-bit hash of them, computed once for every count
    alone = counts.filter(pl.col("n_pop") == 1).select(keys).with_columns(_h=key_hash(keys))
    # a caller that hands the counts over lets them go here (the whole state's with names: 1.7 crore keys)
    del counts

    # where the predicates name people, the three frames' names (the baseline's are the release's, shuffled) read once
    named = "name" in columns
    if named and parts is None:
        parts = name_parts(pl.concat([f["name"].cast(pl.String) for f in (guesses, baseline, release)]))

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
