"""The tables of a learned world's shards: each local body's learned people in households, with names,
phones, birth dates, registries, roll and caller-ID directory drawn as for any world (see
:func:`synth.world.generate.assemble_local_body`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synth.world.build import write_tables
from synth.world.district_moves import STAGE_DIR, crosses_districts, stage_roll
from synth.world.generate import assemble_local_body
from synth.world.households import Households, form_households
from synth.world.learned.table_rules import PRIORITY
from synth.world.names import COMMUNITIES
from synth.world.people import People, birth_dates
from synth.world.plan import Shard
from synth.world.preset import RATION_CARDS
from synth.world.registries import RegistryDraw, draw_shares, employee_records
from synth.world.render import render
from synth.world.roll_moves import with_moves
from synth.world.shard_context import ShardContext, local_body_rng


def local_body_frames(
    ctx: ShardContext, lb: dict[str, Any], wards: pl.DataFrame, rows: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """The integer-coded frames of one local body from its learned people (see :func:`assemble_local_body`)."""
    plan, demo = ctx.plan, ctx.plan.demography
    preset = plan.preset
    rng = local_body_rng(int(plan.spec.seed), lb["local_body_code"])
    d = demo.district_index(lb["district_code"])
    ward_index = {w: i for i, w in enumerate(wards["ward_code"].to_list())}
    age = rows["age"].to_numpy().astype(np.int16)
    card = rows["ration_card"].to_numpy().astype(np.int8)
    community = rows["community"].to_numpy().astype(np.int8)
    people = People(
        ward=rows["ward_code"].replace_strict(ward_index, return_dtype=pl.Int32).to_numpy(),
        sex=rows["sex"].to_numpy().astype(np.int8),
        age=age,
        dob=birth_dates(age, preset.reference_date, rng),
        community=community,
        marital=rows["marital"].to_numpy().astype(np.int8),
        disabled=rows["disabled"].to_numpy().astype(bool),
        occupation=rows["occupation"].to_numpy().astype(np.int8),
    )
    priority = np.isin(card, [RATION_CARDS.index(c) for c in PRIORITY])
    by_card = dataclasses.replace(people, community=(community * 2 + priority).astype(np.int8))
    hh = form_households(by_card, 2 * len(COMMUNITIES), ctx.household_params, demo.household_size_2026[d], rng)
    employee_code = len(demo.occupations)
    pension = rows["pension"].to_numpy().astype(np.int8)
    entrepreneurs = np.flatnonzero(rows["entrepreneur"].to_numpy())
    womens = np.flatnonzero(rows["womens_scheme"].to_numpy())

    def registries(people: People, hh: Households) -> RegistryDraw:
        employees = np.flatnonzero(people.occupation == employee_code)
        dob, department, posting = employee_records(
            people,
            employees,
            d,
            dict(preset.params["registries"]),
            ctx.shares["departments"],
            demo.population / demo.population.sum(),
            preset.reference_date,
            rng,
        )
        return RegistryDraw(
            employees=employees,
            department=department,
            posting_district=posting,
            ration_card=card[hh.head],
            pension=pension,
            womens_scheme=womens,
            entrepreneurs=entrepreneurs,
            enterprise=draw_shares(ctx.shares["enterprises"], len(entrepreneurs), rng),
            dob=dob,
            shortfall={},
        )

    return assemble_local_body(ctx, lb, wards, people, hh, registries, rng)


def write_shard(
    ctx: ShardContext, out: Path, shard: Shard, people: pl.DataFrame, extra: tuple[str, ...]
) -> dict[str, Any]:
    """Write one shard of a learned world to ``out``; return its record (files, rows, names drawn again)."""
    plan = ctx.plan
    parts: dict[str, list[pl.DataFrame]] = {}
    lbs = plan.local_bodies.filter(pl.col("local_body_code").is_in(list(shard.local_bodies))).sort("local_body_code")
    for lb in lbs.iter_rows(named=True):
        code = lb["local_body_code"]
        wards = plan.wards.filter(pl.col("local_body_code") == code).sort("ward_code")
        rows = people.filter(pl.col("local_body_code") == code)
        for name, frame in local_body_frames(ctx, lb, wards, rows).items():
            parts.setdefault(name, []).append(frame)
    frames = {name: pl.concat(fs, how="vertical") for name, fs in parts.items()}
    frames = with_moves(frames, ctx, shard)
    if crosses_districts(plan):  # the roll is listed once every shard is drawn (synth.world.district_moves)
        frames, _ = stage_roll(out / STAGE_DIR, ctx, shard, frames)
    tables = render(ctx, frames)
    if extra:
        extras = people.filter(pl.col("local_body_code").is_in(list(shard.local_bodies))).select("person_id", *extra)
        tables["people"] = tables["people"].join(extras, on="person_id", how="left", maintain_order="left")
    redrawn = frames["_names_redrawn"].group_by("table").agg(pl.col("entries", "redrawn").sum())
    return {**write_tables(out, shard, tables), "names_redrawn": {r["table"]: r for r in redrawn.to_dicts()}}
