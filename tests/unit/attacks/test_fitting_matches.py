"""Unique matches where the initials fit: the links of the roll listed once per subset of its initials."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

import synth.attacks.fitting_matches as fm
from synth.core.name_parts import initial_subsets
from synth.engine.relational import unique_matches

KEYS = ["given", "initials", "age", "ward"]
LETTERS = ["k", "p", "m", "r", "ക"]  # a letter of another script fits like any other


def _sets(rng: np.random.Generator, n: int, widest: int) -> list[str]:
    out = []
    for size in rng.integers(0, widest + 1, n):
        out.append("".join(sorted(rng.choice(LETTERS, size, replace=False))))
    return out


def _tables(seed: int, n_release: int = 400, n_roll: int = 900) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)

    def draw(n: int, widest: int) -> pl.DataFrame:
        frame = pl.DataFrame(
            {
                "given": rng.choice(["anu", "rajan", "mary", "abdul"], n),
                "initials": _sets(rng, n, widest),
                "age": pl.Series(rng.integers(40, 43, n), dtype=pl.Int16),
                "ward": pl.Series(rng.integers(1, 3, n), dtype=pl.Int16),
            }
        )
        null = pl.Series(rng.random(n) < 0.05)
        return frame.with_columns(
            pl.when(~null).then(pl.col("given")).alias("given"),
            pl.when(pl.Series(rng.random(n) < 0.03)).then(None).otherwise(pl.col("initials")).alias("initials"),
        )

    release = draw(n_release, 3).with_columns(row_id=pl.Series(np.sort(rng.permutation(n_release) * 3 + 5)))
    roll = draw(n_roll, 4).with_columns(epic=pl.Series([f"SYN{i}" for i in rng.permutation(n_roll)]))
    return release, roll


def _listed_once_per_subset(release: pl.DataFrame, roll: pl.DataFrame) -> pl.DataFrame:
    """The reference: each entry once per subset of its initials, a row meeting the copy of its own set."""
    sizes = set(release["initials"].drop_nulls().str.len_chars().unique().to_list())
    expanded = initial_subsets(roll.drop_nulls("initials"), sizes)
    return unique_matches(release, expanded, KEYS, "epic")


def _all_collide(cols: list[str], nullable: list[str]) -> pl.Expr:
    return pl.when(~pl.any_horizontal([pl.col(c).is_null() for c in nullable])).then(pl.lit(7, pl.UInt64))


@pytest.mark.parametrize(
    ("weak_hash", "pairs_per_row"),
    [(None, 10**9), (None, 0), (_all_collide, 10**9), (_all_collide, 0)],
    ids=["pairs", "grouped", "pairs-every-hash-collides", "grouped-every-hash-collides"],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_links_of_the_roll_listed_once_per_subset(weak_hash, pairs_per_row: int, seed: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fm, "PAIRS_PER_ROW", pairs_per_row)
    if weak_hash is not None:
        monkeypatch.setattr(fm, "key_hash", weak_hash)
    grouped = []
    by_group = fm._grouped_unique_matches
    monkeypatch.setattr(fm, "_grouped_unique_matches", lambda *a: grouped.append(1) or by_group(*a))
    release, roll = _tables(seed)
    expected = _listed_once_per_subset(release, roll)
    got = fm.fitting_unique_matches(release, roll, KEYS, "epic")
    assert got.equals(expected)
    assert len(grouped) == (pairs_per_row == 0)  # the path asked for ran
    assert 0 < got.height < release.height  # some rows link, some tie or miss


def test_a_row_meets_each_entry_whose_initials_hold_its_own() -> None:
    release = pl.DataFrame(
        {
            "row_id": [1, 2, 3, 4, 5],
            "given": ["rajan", "rajan", "rajan", "mary", "mary"],
            "initials": ["kp", "k", "", "v", "m"],
            "age": pl.Series([40, 40, 40, 50, 50], dtype=pl.Int16),
            "ward": pl.Series([1, 1, 1, 2, 2], dtype=pl.Int16),
        }
    )
    roll = pl.DataFrame(
        {
            "given": ["rajan", "rajan", "mary", "mary"],
            "initials": ["kpr", "km", "v", "mv"],
            "age": pl.Series([40, 40, 50, 50], dtype=pl.Int16),
            "ward": pl.Series([1, 1, 2, 2], dtype=pl.Int16),
            "epic": ["E1", "E2", "E3", "E4"],
        }
    )
    got = fm.fitting_unique_matches(release, roll, KEYS, "epic")
    # K. P. Rajan fits only E1 (E2 supports no p); K. Rajan and Rajan fit both; V. Mary fits two, M. Mary one
    assert got.rows() == [(1, "E1"), (5, "E4")]


def test_an_unsorted_release_is_linked_by_row_id() -> None:
    release, roll = _tables(3)
    shuffled = release.sample(fraction=1.0, shuffle=True, seed=1)
    got = fm.fitting_unique_matches(shuffled, roll, KEYS, "epic")
    assert got["row_id"].is_sorted()
    assert got.equals(_listed_once_per_subset(release, roll))


def test_keys_without_initials_are_refused() -> None:
    release, roll = _tables(0)
    with pytest.raises(ValueError) as err:
        fm.fitting_unique_matches(release, roll, ["given", "age"], "epic")
    assert str(err.value) == "fitting_unique_matches: keys ['given', 'age'] have no 'initials'; use unique_matches"


def test_every_subset_of_a_set_fits_it_and_nothing_else_does() -> None:
    held = "kmpr"
    subsets = {"".join(c) for size in range(5) for c in itertools.combinations(held, size)}
    sets = pl.Series("initials", sorted(subsets | {"a", "ak", "kz"})).to_frame().with_row_index("s")
    row_sets = sets.filter(pl.col("initials") != held)
    combos = row_sets.select("s").join(sets.filter(pl.col("initials") == held).select(s_r="s"), how="cross")
    fitting = fm._fitting(combos, sets).join(sets, on="s")["initials"].to_list()
    assert sorted(fitting) == sorted(subsets - {held})
