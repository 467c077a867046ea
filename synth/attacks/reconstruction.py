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
true record, beside the baseline's share and the risk against it.

The rebuilt records then enter the attacker's knowledge the way the Census Bureau's did: each roll entry of a
place is coded like the tables (its age in the published bands, its sex), and where the records of a roll cell
(place, age band, sex) say that at least ``min_share`` of its voters are in a registry (``records / voters``),
the attacker claims that every voter of the cell is: a registry (a pension, the women's scheme) attached to a
named voter. Scored as precision and recall of those claims against who truly is in each registry, beside the
same claims made from the baseline's records and the risk against them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NotApplicable, Outcome, Scored, Truth, raise_problems
from synth.attacks.reconstruct import Solved, Table, cell_count, codes_in, counts_of, solve
from synth.checks import is_share
from synth.core.coding import GEO_COLUMNS
from synth.policies.tables import COUNT, TABLE, table_attributes, table_name
from synth.release.build import AttackerView
from synth.scoring.stats import Rate, Risk, risk, wilson

ATTACK_ID = "reconstruction"


@dataclass(frozen=True)
class ReconstructionParams:
    """What the scenario sets for this attack.

    Parameters
    ----------
    min_share
        The attacker claims a registry for every voter of a roll cell (place, age band, sex) whose rebuilt
        records put at least this share of the cell's voters in that registry (0 < min_share <= 1).
    """

    min_share: float = 0.5

    def __post_init__(self) -> None:
        if not is_share(self.min_share, zero=False):
            raise_problems(ATTACK_ID, [f"min_share = {self.min_share!r}: must be a share above 0 and at most 1"])


@dataclass(frozen=True)
class AttachmentScore:
    """Registries attached to named voters from the rebuilt records: ``claims`` (voter, registry) made,
    ``correct`` the truth confirms; ``precision``, ``recall`` (of the release's true memberships); the same
    precision for claims made from the baseline's records, and the risk against it."""

    claims: int
    correct: int
    precision: Rate
    recall: Rate
    baseline: Rate
    risk: Risk


@dataclass(frozen=True)
class ReconstructionScore:
    """How much of the places' records the published tables give away.

    ``unique_places``: places whose tables admit one multiset of records; ``exact_places``: places whose
    reconstruction equals the true records; ``rows_in_exact_places``: the release's rows in those places;
    ``records_matched``: reconstructed records that match a true record of their place; ``baseline``: the same
    share for records drawn at random consistent with the one-way margins alone; ``risk`` compares the two.
    """

    places: int
    unique_places: Rate | None  # None for noisy tables: the closest records are not decided unique
    exact_places: Rate
    rows_in_exact_places: Rate
    records_matched: Rate
    baseline: Rate
    risk: Risk
    infeasible_places: int
    attached: AttachmentScore | None = None


def as_tables(data: pl.DataFrame) -> pl.DataFrame:
    """A release of counts as published tables: as it is, or (one grid of counts, as ``dp_counts`` publishes
    without ``tables``) one table crossing every column that is not a place."""
    if COUNT not in data.columns or "row_id" in data.columns:
        raise NotApplicable(f"attack '{ATTACK_ID}': the release holds no published tables (no '{COUNT}' column)")
    if TABLE in data.columns:
        return data
    attributes = [c for c in data.columns if c not in (*GEO_COLUMNS, COUNT)]
    return data.with_columns(pl.lit(table_name(attributes)).alias(TABLE))


class Published(NamedTuple):
    """What a published-tables release holds: its place columns, its tables' names, each table's attributes, and
    every attribute any table crosses (in the order the tables first name them)."""

    places: list[str]
    names: list[str]
    attributes: dict[str, list[str]]
    every: list[str]


def published_tables(data: pl.DataFrame) -> Published:
    """What the published tables of a counts release (:func:`as_tables`) are."""
    data = as_tables(data)
    names = data[TABLE].unique(maintain_order=True).to_list()
    attributes = {name: table_attributes(name) for name in names}
    every = list(dict.fromkeys(a for keys in attributes.values() for a in keys))
    places = [c for c in data.columns if c not in (TABLE, COUNT, *every)]
    return Published(places, names, attributes, every)


def reconstruction(view: AttackerView, aux: AuxiliaryData, rng: np.random.Generator) -> pl.DataFrame:
    """Every place's reconstruction from the published tables of ``view`` (and the suppression threshold
    published beside them): one row per reconstructed record cell (the place, the attributes, ``count``) with
    the place's ``unique`` and ``feasible`` flags, and its baseline draw (``baseline``: the records drawn from
    the margins, as a count per cell, 0 where the baseline put none). ``aux`` is unused: the tables alone.

    The tables are coded once (:func:`coded_places`) and the places solved in the order the release first lists
    them, each place's baseline drawn from ``rng`` after its own reconstruction."""
    data = as_tables(view.data)
    threshold = threshold_of(view.metadata)
    noisy = _noisy(view)  # noisy tables: the records closest to them
    places, domains, by_place = coded_places(data, published_tables(data))
    sizes = [d.len() for d in domains]
    # HiGHS lets go of the GIL while it solves: the places are solved on as many threads as Polars uses (one in a
    # worker of a local cluster, whose other cores are the other workers'). The baselines' costs are drawn between
    # the two rounds, place after place, as a loop over the places would draw them.
    with ThreadPoolExecutor(pl.thread_pool_size()) as pool:
        found = list(pool.map(lambda tables: solve(len(sizes), tables, threshold, noisy=noisy), by_place))
        margins = [_margins(f, sizes) for f in found]
        costs = [_drawn(rng, cell_count(len(sizes), m)) for m in margins]
        drawn = list(pool.map(lambda m, c: solve(len(sizes), m, cost=c, decide_unique=False), margins, costs))
    parts = [_both(f, d) for f, d in zip(found, drawn, strict=True)]
    flags = np.array([(f.unique, f.feasible) for f in found], dtype=bool).reshape(-1, 2)
    held_by = np.repeat(np.arange(places.height, dtype=np.int64), [len(cells) for cells, _, _ in parts])
    cells = np.vstack([np.zeros((0, len(sizes)), dtype=np.int64), *(cells for cells, _, _ in parts)])
    counts = np.concatenate([np.zeros(0, dtype=np.int64), *(counts for _, counts, _ in parts)])
    baseline = np.concatenate([np.zeros(0, dtype=np.int64), *(base for _, _, base in parts)])
    return pl.DataFrame(
        [
            *places[held_by].get_columns(),
            *[domain.gather(cells[:, j]) for j, domain in enumerate(domains)],
            pl.Series(COUNT, counts, pl.Int64),
            pl.Series("baseline", baseline, pl.Int64),
            pl.Series("unique", flags[held_by, 0]),
            pl.Series("feasible", flags[held_by, 1]),
        ]
    )


def coded_places(data: pl.DataFrame, published: Published) -> tuple[pl.DataFrame, list[pl.Series], list[list[Table]]]:
    """The places (in the order the release first lists them), each attribute's values (sorted: a value's code is
    its position) and each place's tables coded (:class:`~synth.attacks.reconstruct.Table`), in one pass over the
    release."""
    places_cols, names, attributes, every = published
    places = data.select(places_cols).unique(maintain_order=True)
    place = places.with_row_index("place").join(
        data.select(places_cols), on=places_cols, how="right", nulls_equal=True, maintain_order="right"
    )["place"]
    table = data[TABLE].replace_strict({name: i for i, name in enumerate(names)}, return_dtype=pl.Int64)
    domains, codes = [], np.full((data.height, len(every)), -1, dtype=np.int64)
    for j, a in enumerate(every):
        crossing = pl.col(TABLE).is_in([n for n in names if a in attributes[n]])
        domains.append(data.filter(crossing)[a].unique().sort())
        codes[:, j] = codes_in(data[a], domains[-1])
    counts = counts_of(data[COUNT])
    order = np.lexsort((table.to_numpy(), place.to_numpy()))  # by place, then table; stable within them
    group = place.to_numpy()[order] * len(names) + table.to_numpy()[order]
    bounds = np.searchsorted(group, np.arange(places.height * len(names) + 1))
    keys = [tuple(every.index(a) for a in attributes[n]) for n in names]
    by_place = []
    for p in range(places.height):
        tables = []
        for t, key in enumerate(keys):
            rows = order[bounds[p * len(names) + t] : bounds[p * len(names) + t + 1]]
            tables.append(Table(key, codes[rows][:, list(key)], counts[rows]))
        by_place.append(tables)
    return places, domains, by_place


def _drawn(rng: np.random.Generator, n: int) -> Callable[[int], np.ndarray]:
    """The costs of a program of ``n`` cells, drawn now (none for none)."""
    costs = rng.random(n) if n else np.zeros(0)

    def cost(cells: int) -> np.ndarray:
        if cells != len(costs):
            raise AssertionError(f"{len(costs)} costs drawn for a program of {cells} cells")
        return costs

    return cost


def _margins(found: Solved, sizes: list[int]) -> list[Table]:
    """The one-way margins of the records found, a table per attribute: how many records hold each of its values
    (the values some record holds, in order)."""
    margins = []
    for j, size in enumerate(sizes):
        totals = np.bincount(found.cells[:, j], weights=found.counts, minlength=size)
        held = np.flatnonzero(totals > 0)
        margins.append(Table((j,), held[:, None], totals[held]))
    return margins


def _both(found: Solved, drawn: Solved) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells either put records in, in the order of their codes, with the records of each (0 where none)."""
    both = np.vstack([found.cells, drawn.cells])
    cells, which = np.unique(both, axis=0, return_inverse=True)
    counts, baseline = np.zeros(len(cells), dtype=np.int64), np.zeros(len(cells), dtype=np.int64)
    which = which.reshape(-1)
    counts[which[: len(found.cells)]] = found.counts
    baseline[which[len(found.cells) :]] = drawn.counts
    return cells, counts, baseline


def _noisy(view: AttackerView) -> bool:
    """Counts with noise: tables that say so, or a grid of counts without ``tables`` (dp_counts's own)."""
    return "noise_scale" in view.metadata or TABLE not in view.data.columns


def threshold_of(metadata: Mapping[str, Any]) -> int:
    """The suppression threshold the policy published beside its tables (1: none)."""
    return int(metadata.get("suppression_threshold", 1))


class Reconstruction(Attack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = (
        "Every place's records rebuilt from its published tables by integer programming, then registries attached "
        "to named voters through the electoral roll."
    )
    Params: ClassVar[type] = ReconstructionParams
    sources: ClassVar[tuple[str, ...]] = ("electoral_roll",)

    def run(self, cell: Cell, params: ReconstructionParams) -> Outcome:
        data = cell.view.data
        if cell.rows_are_people or "row_id" in data.columns:
            raise NotApplicable(f"attack '{ATTACK_ID}': the release holds rows, not published tables")
        found = reconstruction(cell.view, cell.aux, cell.rng)
        places = published_tables(data).places
        roll = cell.aux.require("electoral_roll", ATTACK_ID)
        claims = attach(found, roll, places, COUNT, params.min_share)
        baseline = attach(found, roll, places, "baseline", params.min_share)
        decided = not _noisy(cell.view)
        return Outcome(found, None, cell.knowledge, extra=(data, claims, baseline, decided))

    def score(self, outcome: Outcome, truth: Truth, params: Any) -> Scored:
        assert truth.leaked is not None
        found: pl.DataFrame = outcome.guesses
        data, claims, baseline, decided = outcome.extra
        places, _, _, every = published_tables(data)
        true = true_records(truth.leaked.data, places, every, data)
        scored = score_reconstruction(found, true, places, every, decided=decided)
        if claims is not None and baseline is not None:
            members = truth.leaked.truth.select("person_id", "registry").unique()
            attached = score_attachment(claims, baseline, truth.roll, members)
            scored = dataclasses.replace(scored, attached=attached)
        return Scored((scored,))


def attach(
    found: pl.DataFrame, roll: pl.DataFrame, places: list[str], count: str, min_share: float
) -> pl.DataFrame | None:
    """Claims ``(epic, registry)``: every voter of a roll cell (place, age band, sex, as far as the tables
    cross them) whose records (column ``count``) put at least ``min_share`` of the cell's voters in the
    registry. None when the tables publish no registry or no place the roll has."""
    if "registry" not in found.columns or not set(places) <= set(roll.columns):
        return None
    keys = [*places, *(c for c in ("age", "gender") if c in found.columns)]
    coded = roll.select(
        "epic",
        *[pl.col(p).cast(found.schema[p]) for p in places],
        *([_band(pl.col("age"), found["age"].unique().to_list()).alias("age")] if "age" in keys else []),
        *([pl.col("sex").cast(pl.String).alias("gender")] if "gender" in keys else []),
    )
    voters = coded.group_by(keys).len("voters")
    held = found.group_by([*keys, "registry"]).agg(pl.col(count).sum().alias("records"))
    sure = held.join(voters, on=keys, how="inner").filter(pl.col("records") >= min_share * pl.col("voters"))
    return coded.join(sure.select(*keys, "registry"), on=keys, how="inner").select("epic", "registry")


def score_attachment(
    claims: pl.DataFrame, baseline: pl.DataFrame, roll: pl.DataFrame, members: pl.DataFrame
) -> AttachmentScore:
    """Claims against the truth: a claim is correct when the voter's person is in the registry."""

    key = ["person_id", "registry"]
    claimed, drawn = (made.join(roll.select("epic", "person_id"), on="epic").select(key) for made in (claims, baseline))
    correct, chance = (who.join(members, on=key, how="semi").height for who in (claimed, drawn))
    precision, control = wilson(correct, claims.height), wilson(chance, baseline.height)
    recalled = members.join(claimed.unique(), on=key, how="semi").height
    return AttachmentScore(
        claims=claims.height,
        correct=correct,
        precision=precision,
        recall=wilson(recalled, members.height),
        baseline=control,
        risk=risk(precision, control),
    )


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
    found: pl.DataFrame, true: pl.DataFrame, places: list[str], attributes: list[str], decided: bool = True
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
        unique_places=wilson(int(per_place["unique"].sum()), n) if decided else None,
        exact_places=wilson(exact.height, n),
        rows_in_exact_places=wilson(int(exact["rows"].sum()), int(per_place["rows"].sum())),
        records_matched=attack,
        baseline=control,
        risk=risk(attack, control),
        infeasible_places=int((~per_place["feasible"]).sum()),
    )


ATTACK = Reconstruction()
