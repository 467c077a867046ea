"""The learned rows as a world holds them: coded like a preset world's people, placed in their wards, and
the plan of the world cut to the wards and local bodies that hold them."""

from __future__ import annotations

import dataclasses

import polars as pl

from synth.errors import LearnError
from synth.world.demography import MARITAL
from synth.world.learned.columns import SEX, occupations
from synth.world.learned.population import LearnedPopulation
from synth.world.learned.table_rules import membership
from synth.world.names import COMMUNITIES
from synth.world.plan import REGISTRIES, WorldPlan, assign_shards, shards_of
from synth.world.preset import PENSION_SCHEMES, RATION_CARDS
from synth.world.registries import NO_PENSION
from synth.world.shard_context import PERSON_ID_SPAN, local_body_number


def learned_plan(base: WorldPlan, people: pl.DataFrame, quotas: pl.DataFrame) -> WorldPlan:
    """The base plan cut to the wards that hold learned people, with their learned populations.

    ``people`` has a ``ward_code`` per learned person; ``quotas`` has ``local_body_code`` and the learned
    members of each registry (``quota_<registry>``). Roll sizes and parts scale with the population.
    """
    per_part = int(base.preset.params["electoral_roll"]["electors_per_part"])
    counts = people.group_by("ward_code").agg(learned=pl.len())
    wards = (
        base.wards.join(counts, on="ward_code", how="inner")
        .sort("ward_code")
        .with_columns(
            parts=(pl.col("electors") * pl.col("learned") / pl.col("population").clip(lower_bound=1) / per_part)
            .round()
            .cast(pl.Int64)
            .clip(lower_bound=1),
            population=pl.col("learned").cast(pl.Int64),
        )
        .drop("learned")
    )
    wards = wards.with_columns(
        part_start=(pl.col("parts").cum_sum().over("assembly_constituency") - pl.col("parts") + 1)
    )
    lb_pop = wards.group_by("local_body_code").agg(learned=pl.col("population").sum())
    lbs = (
        base.local_bodies.join(lb_pop, on="local_body_code", how="inner")
        .sort("local_body_code")
        .drop([f"quota_{r}" for r in REGISTRIES])
        .join(quotas, on="local_body_code", how="left", maintain_order="left")
        .sort("local_body_code")
        .with_columns(
            roll_target=(pl.col("roll_target") * pl.col("learned") / pl.col("population").clip(lower_bound=1))
            .round()
            .cast(pl.Int64),
            population=pl.col("learned").cast(pl.Int64),
        )
        .drop("learned")
        .with_columns(person_offset=pl.col("population").cum_sum() - pl.col("population"))
        .with_columns(pl.col(f"quota_{r}").fill_null(0).cast(pl.Int64) for r in REGISTRIES)
    )
    lbs = assign_shards(lbs).select(base.local_bodies.columns)
    return dataclasses.replace(base, wards=wards, local_bodies=lbs, shards=shards_of(lbs))


def person_frame(learner: LearnedPopulation, sample: pl.DataFrame) -> pl.DataFrame:
    """The learned rows as the world codes them: ward, local body, integer codes, registry flags, extras."""
    roles = learner.columns_.roles
    occ = occupations(learner.preset)
    member = membership(roles)

    def code(role: str, labels: tuple[str, ...]) -> pl.Expr:
        return pl.col(roles[role]).cast(pl.String).replace_strict({v: i for i, v in enumerate(labels)}).cast(pl.Int8)

    flags = {}
    for registry, role in (("entrepreneurs", "entrepreneur"), ("womens_scheme", "womens_scheme")):
        if role in roles:
            flags[registry] = pl.col(roles[role])
        elif registry in member:
            flags[registry] = pl.col(roles["registry"]) == registry
        else:
            flags[registry] = pl.lit(False)
    pension = (
        pl.col(roles["pension_scheme"])
        .replace_strict({s: i for i, s in enumerate(PENSION_SCHEMES)}, default=NO_PENSION)
        .cast(pl.Int8)
        if "pension_scheme" in roles
        else pl.lit(NO_PENSION, dtype=pl.Int8)
    )
    frame = sample.with_row_index("_order").select(
        pl.col("_order"),
        pl.col("_ward_code").alias("ward_code"),
        pl.col("_ward_code").str.slice(0, 6).alias("local_body_code"),
        code("sex", SEX).alias("sex"),
        pl.col(roles["age"]).cast(pl.Int16).alias("age"),
        code("community", COMMUNITIES).alias("community"),
        code("marital_status", MARITAL).alias("marital"),
        pl.col(roles["disabled"]).alias("disabled"),
        code("occupation", occ).alias("occupation"),
        code("ration_card", RATION_CARDS).alias("ration_card"),
        pension.alias("pension"),
        flags["entrepreneurs"].alias("entrepreneur"),
        flags["womens_scheme"].alias("womens_scheme"),
        *[pl.col(c) for c in learner.columns_.extra],
    )
    frame = frame.sort(["local_body_code", "ward_code", "_order"])
    span = {code: local_body_number(code) * PERSON_ID_SPAN for code in frame["local_body_code"].unique().to_list()}
    frame = frame.with_columns(
        person_id=pl.col("local_body_code").replace_strict(span, return_dtype=pl.Int64)
        + pl.int_range(pl.len(), dtype=pl.Int64).over("local_body_code")
    )
    biggest = int(frame.group_by("local_body_code").len()["len"].max() or 0)  # type: ignore[arg-type]
    if biggest >= PERSON_ID_SPAN:
        raise LearnError(
            f"rows: one local body would hold {biggest:,} people, more than the {PERSON_ID_SPAN:,} a local "
            "body's person ids allow; ask for fewer rows"
        )
    return frame


def registry_counts(people: pl.DataFrame, employee_code: int) -> pl.DataFrame:
    """Learned members of each registry per local body (``quota_<registry>`` columns)."""
    exprs = {
        "quota_employees": (pl.col("occupation") == employee_code).sum(),
        "quota_entrepreneurs": pl.col("entrepreneur").sum(),
        "quota_womens_scheme": pl.col("womens_scheme").sum(),
        **{f"quota_{s}": (pl.col("pension") == i).sum() for i, s in enumerate(PENSION_SCHEMES)},
    }
    return people.group_by("local_body_code").agg(**{k: v.cast(pl.Int64) for k, v in exprs.items()})
