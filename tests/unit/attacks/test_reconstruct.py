"""Reconstruction of a place's records from its published tables: exact when the tables determine them, "not
unique" when they admit several, each checked against an enumeration of every multiset of records written here."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import polars as pl
import pytest

from synth.attacks.reconstruct import reconstruct
from synth.attacks.reconstruction import attach, score_attachment

ATTRIBUTES = ("age", "sex", "registry")


def _table(records: list[tuple[str, ...]], keys: tuple[str, ...], domains: dict[str, list[str]]) -> pl.DataFrame:
    """The exact cross-tabulation of ``records`` on ``keys``, zeros listed."""
    counted = Counter(tuple(r[ATTRIBUTES.index(k)] for k in keys) for r in records)
    cells = list(itertools.product(*(domains[k] for k in keys)))
    return pl.DataFrame(
        {**{k: [c[i] for c in cells] for i, k in enumerate(keys)}, "count": [counted[c] for c in cells]},
        schema={**dict.fromkeys(keys, pl.String), "count": pl.Int64},
    )


def _consistent(
    tables: list[pl.DataFrame], domains: dict[str, list[str]], n: int, threshold: int = 1
) -> list[Counter[tuple[str, ...]]]:
    """Every multiset of ``n`` records over the domains whose tables, suppressed under ``threshold``, equal
    ``tables`` (plain enumeration, the counts compared as dictionaries)."""
    universe = list(itertools.product(*(domains[a] for a in ATTRIBUTES)))
    published = []
    for t in tables:
        keys = _keys(t)
        cells = {tuple(r[k] for k in keys): r["count"] for r in t.iter_rows(named=True)}
        published.append(([ATTRIBUTES.index(k) for k in keys], cells))
    out = []
    for combo in itertools.combinations_with_replacement(universe, n):
        if all(_fits(combo, at, cells, threshold) for at, cells in published):
            out.append(Counter(combo))
    return out


def _fits(combo: tuple[tuple[str, ...], ...], at: list[int], cells: dict[tuple[str, ...], int | None], t: int) -> bool:
    counted = Counter(tuple(r[i] for i in at) for r in combo)
    shown = {cell: None if 1 <= counted[cell] <= t - 1 else counted[cell] for cell in cells}
    return shown == cells and set(counted) <= set(cells)


def _keys(t: pl.DataFrame) -> tuple[str, ...]:
    return tuple(c for c in t.columns if c != "count")


def _found(records: pl.DataFrame) -> Counter[tuple[str, ...]]:
    return Counter({tuple(r[a] for a in ATTRIBUTES): r["count"] for r in records.iter_rows(named=True)})


def test_two_tables_that_determine_every_record_reconstruct_the_ward_exactly() -> None:
    """Every woman is 60+ and a pensioner, every man 30-39 and an employee: age x sex gives each person's age
    from their sex and registry x sex their registry, so the records are fixed."""
    domains = {"age": ["30-39", "60+"], "sex": ["F", "M"], "registry": ["employees", "pensioners"]}
    truth = [("60+", "F", "pensioners"), ("30-39", "M", "employees"), ("30-39", "M", "employees")]
    tables = [_table(truth, ("age", "sex"), domains), _table(truth, ("registry", "sex"), domains)]
    result = reconstruct(tables)
    assert result.unique and result.feasible
    assert _found(result.records) == Counter(truth)
    assert _consistent(tables, domains, len(truth)) == [Counter(truth)]


def test_tables_that_admit_two_multisets_are_reported_not_unique() -> None:
    """Two women, one 30-39 and one 60+, one employee and one pensioner: the tables cannot say who is which."""
    domains = {"age": ["30-39", "60+"], "sex": ["F", "M"], "registry": ["employees", "pensioners"]}
    truth = [("30-39", "F", "employees"), ("60+", "F", "pensioners")]
    tables = [_table(truth, ("age", "sex"), domains), _table(truth, ("registry", "sex"), domains)]
    result = reconstruct(tables)
    assert not result.unique and result.feasible
    solutions = _consistent(tables, domains, len(truth))
    assert len(solutions) == 2  # the truth, and the same two women with their registries swapped
    assert _found(result.records) in solutions


def test_a_suppressed_cell_bounds_its_count_and_leaves_the_ward_not_unique() -> None:
    """With cells under 3 suppressed, the lone woman's cells read as missing: 1 or 2 women are consistent with
    the tables (the men's cells are published), so the ward is not unique, and the enumeration over 5 and 6
    records finds exactly those two multisets."""
    domains = {"age": ["30-39", "60+"], "sex": ["F", "M"], "registry": ["employees", "pensioners"]}
    truth = [("60+", "F", "pensioners")] + [("30-39", "M", "employees")] * 4
    tables = [_suppress(_table(truth, keys, domains), 3) for keys in (("age", "sex"), ("registry", "sex"))]
    assert tables[0]["count"].to_list() == [0, 4, None, 0]  # 30-39 F, 30-39 M, 60+ F, 60+ M
    result = reconstruct(tables, threshold=3)
    assert result.feasible and not result.unique
    solutions = [s for n in (5, 6) for s in _consistent(tables, domains, n, threshold=3)]
    assert solutions == [Counter(truth), Counter([*truth, ("60+", "F", "pensioners")])]
    assert _found(result.records) in solutions


def _suppress(t: pl.DataFrame, threshold: int) -> pl.DataFrame:
    return t.with_columns(
        pl.when(pl.col("count").is_between(1, threshold - 1)).then(None).otherwise("count").alias("count")
    )


def test_contradicting_tables_are_infeasible() -> None:
    domains = {"age": ["30-39", "60+"], "sex": ["F", "M"], "registry": ["employees", "pensioners"]}
    tables = [
        _table([("60+", "F", "pensioners")], ("age", "sex"), domains),
        _table([("60+", "M", "pensioners")], ("registry", "sex"), domains),
    ]
    result = reconstruct(tables)
    assert not result.feasible and not result.unique and result.records.height == 0


@pytest.mark.parametrize("seed", range(40))
def test_uniqueness_agrees_with_enumeration_on_random_small_wards(seed: int) -> None:
    """Random wards of 1 to 5 records over 3 x 2 x 3 cells, published as age x sex and registry x sex (even
    seeds: 12 of the 20 wards are not unique) or with age x registry too (odd seeds: every ward is). The
    attack says unique exactly when the enumeration finds one consistent multiset, and what it returns is
    always consistent."""
    rng = np.random.default_rng(seed)
    domains = {"age": ["18-29", "30-59", "60+"], "sex": ["F", "M"], "registry": ["employees", "pensioners", "women"]}
    universe = list(itertools.product(*(domains[a] for a in ATTRIBUTES)))
    truth = [universe[i] for i in rng.integers(0, len(universe), size=int(rng.integers(1, 6)))]
    published = (("age", "sex"), ("registry", "sex"), ("age", "registry"))[: 2 + seed % 2]
    tables = [_table(truth, keys, domains) for keys in published]
    result = reconstruct(tables)
    solutions = _consistent(tables, domains, len(truth))
    assert Counter(truth) in solutions
    assert _found(result.records) in solutions
    assert result.unique == (len(solutions) == 1)


def test_registries_are_attached_to_every_voter_of_a_cell_the_records_mostly_fill() -> None:
    """Ward 1 has two women of 60+ on the roll and the records hold two women pensioners of 60+: both are
    claimed (2 / 2 >= 0.5). Three men of 30-39 and one male employee record: 1 / 3 < 0.5, no claim. One claim is
    wrong (voter e2 is not a pensioner in truth)."""
    found = pl.DataFrame(
        {
            "ward": [1, 1],
            "age": ["60+", "30-39"],
            "gender": ["F", "M"],
            "registry": ["pensioners", "employees"],
            "count": [2, 1],
            "baseline": [0, 2],
        }
    )
    roll = pl.DataFrame(
        {
            "epic": ["e1", "e2", "e3", "e4", "e5"],
            "ward": [1, 1, 1, 1, 1],
            "age": [64, 71, 31, 35, 38],
            "sex": ["F", "F", "M", "M", "M"],
        }
    )
    claims = attach(found, roll, ["ward"], "count", 0.5)
    assert claims is not None and claims.sort("epic").rows() == [("e1", "pensioners"), ("e2", "pensioners")]
    baseline = attach(found, roll, ["ward"], "baseline", 0.5)
    assert baseline is not None and baseline.sort("epic").rows() == [
        ("e3", "employees"),
        ("e4", "employees"),
        ("e5", "employees"),
    ]
    people = pl.DataFrame({"epic": ["e1", "e2", "e3", "e4", "e5"], "person_id": [1, 2, 3, 4, 5]})
    members = pl.DataFrame({"person_id": [1, 3, 9], "registry": ["pensioners", "employees", "employees"]})
    score = score_attachment(claims, baseline, people, members)
    assert (score.claims, score.correct) == (2, 1)
    assert score.precision.value == 0.5 and score.recall.value == pytest.approx(1 / 3)
    assert score.baseline.value == pytest.approx(1 / 3)


def _distance(records: list[tuple[str, ...]], tables: list[pl.DataFrame], domains: dict[str, list[str]]) -> int:
    """Total absolute difference between the tables of ``records`` and the published ``tables``."""
    return sum(int((_table(records, _keys(t), domains)["count"] - t["count"]).abs().sum()) for t in tables)


@pytest.mark.parametrize("seed", range(10))
def test_noisy_tables_give_the_records_closest_to_them(seed: int) -> None:
    """Counts with noise fit no multiset exactly; the closest one (least total absolute difference) is found:
    never farther from the published tables than the truth itself, and exactly consistent when there is no
    noise."""
    rng = np.random.default_rng(seed)
    domains = {"age": ["18-29", "30-59", "60+"], "sex": ["F", "M"], "registry": ["employees", "pensioners", "women"]}
    universe = list(itertools.product(*(domains[a] for a in ATTRIBUTES)))
    truth = [universe[i] for i in rng.integers(0, len(universe), size=12)]
    exact = [_table(truth, keys, domains) for keys in (("age", "sex"), ("registry", "sex"), ("age", "registry"))]
    noisy = [t.with_columns((pl.col("count") + rng.integers(-2, 3, t.height)).clip(0)) for t in exact]
    found = reconstruct(noisy, noisy=True)
    records = [r for row in found.records.iter_rows() for r in [tuple(row[:3])] * row[3]]
    assert not found.unique and found.feasible
    assert _distance(records, noisy, domains) <= _distance(truth, noisy, domains)
    clean = reconstruct(exact, noisy=True).records
    assert _distance([r for row in clean.iter_rows() for r in [tuple(row[:3])] * row[3]], exact, domains) == 0


def test_a_cell_published_with_a_missing_value_holds_records_like_any_other() -> None:
    """Two people of 30-39 whose sex the table leaves missing: a value of its own (sorted first), not a cell that
    nothing can fall in (which would make the tables contradict each other)."""
    tables = [
        pl.DataFrame({"age": ["30-39", "30-39", "60+"], "sex": ["F", None, "F"], "count": [1, 2, 0]}),
        pl.DataFrame({"age": ["30-39", "60+"], "count": [3, 0]}),
    ]
    result = reconstruct(tables)
    assert result.unique and result.feasible
    assert result.records.rows() == [("30-39", None, 2), ("30-39", "F", 1)]
    assert result.records.schema == pl.Schema({"age": pl.String, "sex": pl.String, "count": pl.Int64})


def test_cells_too_many_to_number_in_64_bits_are_still_told_apart() -> None:
    """Rows of codes are compared as one number each; where the cells of that many attributes would not fit in 64
    bits, the rows there are numbered instead, equal exactly where the rows are."""
    from synth.attacks.reconstruct import _flat

    rng = np.random.default_rng(4)
    left = rng.integers(-1, 255, size=(300, 12))
    left[0, 0] = 254  # 256 numbers a column: in 64 bits, the first four columns' weights would wrap to 0
    moved = left[::5].copy()
    moved[:, 0] = (moved[:, 0] + 7) % 255  # rows that differ in the first column alone
    right = np.vstack([left[::3], moved, rng.integers(-1, 255, size=(50, 12))])
    for a, b in ((left, right), (left[:, :3], right[:, :3])):  # numbered, then computed
        ours = _flat(a, b)
        same = ours[0][:, None] == ours[1][None, :]
        assert (same == (a[:, None, :] == b[None, :, :]).all(axis=2)).all()
        assert [len(x) for x in ours] == [len(a), len(b)]
