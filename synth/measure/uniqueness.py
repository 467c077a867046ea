"""True uniqueness in the population, for scoring singling out (truth side: never given to attacks)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from synth.attacks.quasi_identifiers import recode_age
from synth.measure.relational import key_counts
from synth.measure.stats import Rate, wilson
from synth.world.api import World


def population_in_release_coding(world: World, release: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Everyone in the world, with ``columns`` coded as the release codes them (place names, age bands)."""
    places = world.place_names().select("ward_code", "district", "taluk", "local_body", "ward")
    people = (
        world.people.select("ward_code", "age", gender=pl.col("sex").cast(pl.String))
        .join(places.lazy(), on="ward_code")
        .collect()
    )
    if "age" in columns:
        people = people.with_columns(recode_age(pl.col("age"), release["age"]).alias("age"))
    return people.select(columns)


@dataclass(frozen=True)
class SinglingOutScore:
    """Rows unique in the release, and how many of those predicates single out one person in truth."""

    rows: int
    unique_in_release: Rate
    correct: int
    precision: Rate
    unique_in_population: Rate  # released rows whose quasi-identifiers are unique in the whole population


def score_singling_out(guesses: pl.DataFrame, release: pl.DataFrame, population: pl.DataFrame) -> SinglingOutScore:
    """Score the attack's predicates against the population (coded like the release)."""
    keys = [c for c in guesses.columns if c != "row_id"]
    counts: pl.DataFrame = key_counts(population, keys, "n_pop")
    hit = guesses.join(counts, on=keys, how="left").with_columns(pl.col("n_pop").fill_null(0))
    correct = int((hit["n_pop"] == 1).sum())
    in_pop = release.select(keys).join(counts, on=keys, how="left")
    unique_pop = int((in_pop["n_pop"] == 1).sum())
    return SinglingOutScore(
        rows=release.height,
        unique_in_release=wilson(guesses.height, release.height),
        correct=correct,
        precision=wilson(correct, guesses.height),
        unique_in_population=wilson(unique_pop, release.height),
    )
