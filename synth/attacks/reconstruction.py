"""Reconstruction: the records of every place rebuilt from its published tables (the US Census Bureau's test of
its own 2010 tables), scored against the truth with a null baseline.

Per place (ward), :func:`synth.attacks.reconstruct.reconstruct` solves for a multiset of records consistent with
every published table and decides whether it is the only one. The attack reads the published tables only.

The null baseline asks what chance alone would give: records drawn at random among those consistent with the
one-way margins of each attribute alone (per place: how many of each age band, of each gender, of each
registry, but not how they combine), through the same solver. A record "matches" when a true record of the
place has every attribute equal; matches are counted as a multiset (two reconstructed records match two true
ones at most).

Scored: the share of places the tables determine (unique), the share reconstructed exactly (equal to the true
multiset), the share of the release's rows in those places, and the share of reconstructed records matching a
true record, beside the baseline's share and the risk against it. Attaching the records to named voters on
the electoral roll (age band, sex and ward) is not done yet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NotApplicable, Outcome, Scored, Truth
from synth.attacks.reconstruct import COUNT, reconstruct
from synth.release.build import AttackerView
from synth.scoring.stats import Rate, Risk, risk, wilson

ATTACK_ID = "reconstruction"
TABLE = "table"


@dataclass(frozen=True)
class ReconstructionScore:
    """How much of the places' records the published tables give away.

    ``unique_places``: places whose tables admit one multiset of records; ``exact_places``: places whose
    reconstruction equals the true records; ``rows_in_exact_places``: the release's rows in those places;
    ``records_matched``: reconstructed records that match a true record of their place; ``baseline``: the same
    share for records drawn at random consistent with the one-way margins alone; ``risk`` compares the two.
    """

    places: int
    unique_places: Rate
    exact_places: Rate
    rows_in_exact_places: Rate
    records_matched: Rate
    baseline: Rate
    risk: Risk
    infeasible_places: int


def published_tables(data: pl.DataFrame) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """The place columns, the table names and each table's attributes of a published-tables release."""
    if TABLE not in data.columns or COUNT not in data.columns:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': the release holds no published tables (no '{TABLE}' and '{COUNT}' columns)"
        )
    names = data[TABLE].unique(maintain_order=True).to_list()
    attributes = {name: name.split(" x ") for name in names}
    used = {a for keys in attributes.values() for a in keys}
    places = [c for c in data.columns if c not in (TABLE, COUNT, *used)]
    return places, names, attributes


def reconstruction(view: AttackerView, aux: AuxiliaryData, rng: np.random.Generator) -> pl.DataFrame:
    """Every place's reconstruction from the published tables of ``view`` (and the suppression threshold
    published beside them): one row per reconstructed record cell (the place, the attributes, ``count``) with
    the place's ``unique`` and ``feasible`` flags, and its baseline draw (``baseline``: the records drawn from
    the margins, as a count per cell, 0 where the baseline put none). ``aux`` is unused: the tables alone."""
    data = view.data
    threshold = threshold_of(view.metadata)
    places, names, attributes = published_tables(data)
    every = list(dict.fromkeys(a for keys in attributes.values() for a in keys))
    out = []
    for key, part in data.partition_by(places, as_dict=True, maintain_order=True).items():
        tables = [part.filter(pl.col(TABLE) == name).select(*attributes[name], COUNT) for name in names]
        found = reconstruct(tables, threshold)
        margins = [found.records.group_by(a).agg(pl.col(COUNT).sum()) for a in every]
        drawn = reconstruct(margins, rng=rng, decide_unique=False).records.rename({COUNT: "baseline"})
        both = found.records.join(drawn, on=every, how="full", coalesce=True).with_columns(
            pl.col(COUNT).fill_null(0), pl.col("baseline").fill_null(0)
        )
        place = dict(zip(places, key, strict=True))
        out.append(
            both.with_columns(
                *[pl.lit(v).alias(c) for c, v in place.items()],
                unique=pl.lit(found.unique),
                feasible=pl.lit(found.feasible),
            )
        )
    return pl.concat(out, how="diagonal_relaxed").select(*places, *every, COUNT, "baseline", "unique", "feasible")


def threshold_of(metadata: Mapping[str, Any]) -> int:
    """The suppression threshold the policy published beside its tables (1: none)."""
    return int(metadata.get("suppression_threshold", 1))


class Reconstruction(Attack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = "Every place's records rebuilt from its published tables by integer programming."

    def run(self, cell: Cell, params: Any) -> Outcome:
        data = cell.view.data
        if cell.rows_are_people or "row_id" in data.columns:
            raise NotApplicable(f"attack '{ATTACK_ID}': the release holds rows, not published tables")
        found = reconstruction(cell.view, cell.aux, cell.rng)
        return Outcome(found, None, cell.knowledge, extra=data)

    def score(self, outcome: Outcome, truth: Truth, params: Any) -> Scored:
        assert truth.leaked is not None
        found: pl.DataFrame = outcome.guesses
        places, _, attributes = published_tables(outcome.extra)
        every = list(dict.fromkeys(a for keys in attributes.values() for a in keys))
        true = true_records(truth.leaked.data, places, every, outcome.extra)
        return Scored((score_reconstruction(found, true, places, every),))


def true_records(
    leaked: pl.DataFrame, places: list[str], attributes: list[str], published: pl.DataFrame
) -> pl.DataFrame:
    """The release's true rows counted per place and cell, their ages in the published bands."""
    coded = []
    for a in attributes:
        if a == "age":
            labels = published["age"].drop_nulls().unique().to_list()
            coded.append(_band(pl.col("age"), labels).alias("age"))
        else:
            coded.append(pl.col(a).cast(pl.String))
    return (
        leaked.select(*places, *coded)
        .group_by([*places, *attributes])
        .len("true")
        .with_columns(pl.col("true").cast(pl.Int64))
    )


def _band(age: pl.Expr, labels: list[str]) -> pl.Expr:
    """Each age's band among ``labels`` ("35-39", "80+")."""
    expr = pl.lit(None, pl.String)
    for label in labels:
        lo, hi = _bounds(label)
        expr = pl.when((age >= lo) & (age <= hi)).then(pl.lit(label)).otherwise(expr)
    return expr


def _bounds(label: str) -> tuple[int, int]:
    if m := re.fullmatch(r"(\d+)-(\d+)", label):
        return int(m.group(1)), int(m.group(2))
    if m := re.fullmatch(r"(\d+)\+", label):
        return int(m.group(1)), 10**6
    raise ValueError(f"attack '{ATTACK_ID}': an age band the tables publish is not 'LO-HI' or 'LO+': {label!r}")


def score_reconstruction(
    found: pl.DataFrame, true: pl.DataFrame, places: list[str], attributes: list[str]
) -> ReconstructionScore:
    """Compare every place's reconstruction (and baseline draw) with its true records."""
    cells = found.join(true, on=[*places, *attributes], how="full", coalesce=True).with_columns(
        pl.col(COUNT, "baseline", "true").fill_null(0)
    )
    per_place = (
        cells.group_by(places)
        .agg(
            exact=(pl.col(COUNT) == pl.col("true")).all(),
            rows=pl.col("true").sum(),
            unique=pl.col("unique").drop_nulls().first(),
            feasible=pl.col("feasible").drop_nulls().first(),
        )
        .with_columns(pl.col("unique", "feasible").fill_null(False))
    )
    n = per_place.height
    exact = per_place.filter("exact")
    matched = int(cells.select(pl.min_horizontal(COUNT, "true")).sum().item())
    baseline_matched = int(cells.select(pl.min_horizontal("baseline", "true")).sum().item())
    records, drawn = int(cells[COUNT].sum()), int(cells["baseline"].sum())
    attack, control = wilson(matched, records), wilson(baseline_matched, drawn)
    return ReconstructionScore(
        places=n,
        unique_places=wilson(int(per_place["unique"].sum()), n),
        exact_places=wilson(exact.height, n),
        rows_in_exact_places=wilson(int(exact["rows"].sum()), int(per_place["rows"].sum())),
        records_matched=attack,
        baseline=control,
        risk=risk(attack, control),
        infeasible_places=int((~per_place["feasible"]).sum()),
    )


ATTACK = Reconstruction()
