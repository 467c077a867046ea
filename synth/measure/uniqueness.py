"""True uniqueness in the population, for scoring singling out (truth side: never given to attacks)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from synth.attacks.quasi_identifiers import age_coding
from synth.measure.stats import Rate, wilson
from synth.world.api import World
from synth.world.preset import load_preset


def population_in_release_coding(world: World, release: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Everyone in the world, with ``columns`` coded as the release codes them (place names, age bands)."""
    preset = load_preset(world.manifest["build"]["spec"]["preset"])
    places = (
        world.table("local_bodies")
        .select("local_body_code", "local_body", "taluk_code", "district_code")
        .collect()
        .join(preset.table("taluks").select("taluk_code", "taluk"), on="taluk_code")
        .join(preset.table("districts").select("district_code", "district"), on="district_code")
        .select("local_body_code", "local_body", "taluk", "district")
    )
    people = (
        world.people.select("local_body_code", "ward_code", "age", gender=pl.col("sex").cast(pl.String))
        .join(places.lazy(), on="local_body_code")
        .with_columns(ward=pl.col("ward_code").str.slice(6).cast(pl.Int16))
        .collect()
    )
    if "age" in columns:
        coding = age_coding(release["age"])
        if coding is not None:
            width, top = coding
            lo = (pl.col("age") // width) * width
            band = (
                pl.col("age").cast(pl.String)
                if width == 1
                else pl.concat_str([lo.cast(pl.String), (lo + width - 1).cast(pl.String)], separator="-")
            )
            if top is not None:
                band = pl.when(pl.col("age") >= top).then(pl.lit(f"{top}+")).otherwise(band)
            people = people.with_columns(age=band)
        else:
            people = people.with_columns(pl.col("age").cast(release["age"].dtype))
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
    counts = population.group_by(keys).agg(n_pop=pl.len())
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
