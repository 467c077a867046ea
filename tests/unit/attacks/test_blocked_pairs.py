"""The blocked pairs of probabilistic linkage by our own SQL (synth.attacks.blocked_pairs), against every pair checked
one by one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import polars as pl
import pytest
from splink import block_on

from synth.attacks.blocked_pairs import alike_pairs_sql, blocked_pairs_sql, rule_columns
from synth.attacks.live_pairs import Narrowing
from synth.attacks.splink_model import pair_bounds

# conditions by comparison, each level's SQL (synth.attacks.blocked_pairs.Condition)
GENDER = ('l."gender" IS NULL OR r."gender" IS NULL', 'l."gender" = r."gender"')
NEAR = ('l."age" IS NULL OR r."age" IS NULL', 'l."age" = r."age"', 'ABS(l."age" - r."age") <= 3')
RULES = [["place", "key"], ["place", "gender", "age"]]
Row = dict[str, Any]


def people(prefix: str, n: int, seed: int, nulls: bool, ages: list[Any]) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    genders: list[Any] = ["F", "M", None] if nulls else ["F", "M"]
    return pl.DataFrame(
        {
            "uid": [f"{prefix}{i}" for i in range(n)],
            "place": rng.choice(["A", "B"], n).tolist(),
            "key": rng.choice(["x", "y", "z"], n).tolist(),
            "gender": [genders[i] for i in rng.integers(len(genders), size=n)],
            "age": [ages[i] for i in rng.integers(len(ages), size=n)],
        },
        schema_overrides={"age": pl.String if isinstance(ages[0], str) else pl.Int32},
    )


def blocked(release: pl.DataFrame, roll: pl.DataFrame, sql: str) -> list[tuple[str, str, str]]:
    con = duckdb.connect()
    try:
        con.register("release", release.to_arrow())
        con.register("roll", roll.to_arrow())
        return sorted(con.execute(sql).fetchall())
    finally:
        con.close()


def one_by_one(
    release: pl.DataFrame, roll: pl.DataFrame, keep: Callable[[Row, Row], bool]
) -> list[tuple[str, str, str]]:
    """Every pair, in the first rule whose columns it agrees on (none null), where ``keep`` holds."""
    pairs = []
    for left in release.iter_rows(named=True):
        for right in roll.iter_rows(named=True):
            agree = [all(left[c] is not None and left[c] == right[c] for c in rule) for rule in RULES]
            if any(agree) and keep(left, right):
                pairs.append((str(agree.index(True)), f"release-__-{left['uid']}", f"roll-__-{right['uid']}"))
    return sorted(pairs)


def near(left: Row, right: Row, years: int) -> bool:
    both = left["gender"] is not None and right["gender"] is not None
    aged = left["age"] is not None and right["age"] is not None
    return (not both or left["gender"] == right["gender"]) and (not aged or abs(left["age"] - right["age"]) <= years)


AGES: list[Any] = [*range(20, 41), None]


@pytest.mark.parametrize("nulls", [True, False])
def test_joined_on_gender_and_age_bands_the_same_pairs_as_every_pair_checked(nulls: bool) -> None:
    release = people("r", 60, 1, nulls, AGES if nulls else AGES[:-1])
    roll = people("e", 90, 2, nulls, AGES if nulls else AGES[:-1])
    sql = blocked_pairs_sql(RULES, [GENDER, NEAR], {"gender": 0, "age": 3}, (nulls, nulls))
    expected = one_by_one(release, roll, lambda left, right: near(left, right, 3))
    assert blocked(release, roll, sql) == expected
    assert len(expected) > 100 and {p[0] for p in expected} == {"0", "1"}
    assert " CROSS JOIN (VALUES (-1), (0), (1)) AS _age(shift)" in sql and 'floor("age" / 3)' in sql  # bands of 3 years
    assert ("IS NOT NULL))" in sql) is nulls  # the pairs where a side lacks them, only where some do
    if not nulls:  # a join checks only what it does not imply
        first, second = sql.split("\nUNION ALL\n")
        assert "gender" not in first.rsplit(" WHERE ", 1)[1] and "ABS(" in first  # the gender equated, the ages banded
        assert second.endswith(' WHERE NOT (coalesce((l."key" = r."key"), false))')  # both equated; the key alone


def test_without_a_condition_the_rules_alone_and_a_later_rule_leaves_out_an_earlier_ones_pairs() -> None:
    release, roll = people("r", 40, 3, True, AGES), people("e", 50, 4, True, AGES)
    sql = blocked_pairs_sql(RULES, None)
    assert blocked(release, roll, sql) == one_by_one(release, roll, lambda *_: True)
    assert sql.endswith(' WHERE NOT (coalesce((l."key" = r."key"), false))')  # the place is equated by the join
    assert blocked_pairs_sql([["place"], ["place", "key"]], None).endswith(" WHERE NOT (true)")  # every pair is one


def test_banded_ages_are_joined_on_equal_ages_and_none_where_no_pair_with_both_can_be_kept() -> None:
    bands: list[Any] = ["20-24", "25-29", "30-34", None]
    release, roll = people("r", 50, 5, True, bands), people("e", 70, 6, True, bands)
    same = [('l."age" IS NULL OR r."age" IS NULL', 'l."age" = r."age"')]
    sql = blocked_pairs_sql(RULES, same, {"age": 0})
    expected = one_by_one(
        release, roll, lambda left, right: None in (left["age"], right["age"]) or left["age"] == right["age"]
    )
    assert blocked(release, roll, sql) == expected and "shift" not in sql
    lacking = [('l."age" IS NULL OR r."age" IS NULL',)]
    sql = blocked_pairs_sql(RULES, lacking, {"age": None})
    expected = one_by_one(release, roll, lambda left, right: None in (left["age"], right["age"]))
    assert blocked(release, roll, sql) == expected and len(expected) > 0


@pytest.mark.parametrize("seed", [7, 8])
def test_a_rules_pairs_at_counted_levels_come_one_a_row_and_level_with_how_many_they_stand_for(seed: int) -> None:
    """The second rule's pairs that meet the condition (and are no pair of the first rule): at a counted level (a key
    missing, or the roll's key before the row's), one pair a row and level, the row and its first entry, counted; at
    the other level (the row's key first), each pair as it is. The rules' SQL leaves the second rule out then."""
    release, roll = people("r", 60, seed, True, AGES), people("e", 90, seed + 10, True, AGES)
    levels = 'CASE WHEN l."key" IS NULL OR r."key" IS NULL THEN 0 WHEN l."key" < r."key" THEN 1 ELSE 2 END'
    con = duckdb.connect()
    con.register("release", release.to_arrow())
    con.register("roll", roll.to_arrow())
    rows = sorted(con.execute(alike_pairs_sql(RULES, 1, levels, [0, 2], [GENDER])).fetchall())
    con.close()
    groups: dict[tuple[str, int, str | None], list[str]] = {}
    keys_l, keys_r = (dict(zip(f["uid"], f["key"], strict=True)) for f in (release, roll))
    for match_key, left_key, right_key in one_by_one(release, roll, lambda left, right: near(left, right, 100)):
        if match_key != "1":
            continue
        uid_l, uid_r = left_key.removeprefix("release-__-"), right_key.removeprefix("roll-__-")
        key_l, key_r = keys_l[uid_l], keys_r[uid_r]
        level = 0 if key_l is None or key_r is None else 1 if key_l < key_r else 2
        groups.setdefault((uid_l, level, None if level in (0, 2) else uid_r), []).append(uid_r)
    expected = sorted(("1", uid_l, min(rs), len(rs)) for (uid_l, _, _), rs in groups.items())
    assert rows == expected
    assert any(r[-1] > 1 for r in rows) and any(r[-1] == 1 for r in rows)
    left_out = blocked_pairs_sql(RULES, [GENDER], whole=1)
    assert blocked(release, roll, left_out) == [
        p for p in blocked(release, roll, blocked_pairs_sql(RULES, [GENDER])) if p[0] == "0"
    ]
    assert blocked_pairs_sql(RULES[:1], [GENDER], whole=0) == ""


def test_the_columns_of_a_rule_of_equalities_and_none_for_another_rule() -> None:
    assert rule_columns(block_on("ward").get_blocking_rule("duckdb").blocking_rule_sql) == ["ward"]
    rule = block_on("local_body", "name_key").get_blocking_rule("duckdb").blocking_rule_sql
    assert rule_columns(rule) == ["local_body", "name_key"]
    assert rule_columns('l."a" = r."b"') is None
    assert rule_columns('(l."a" = r."a") AND (jaro_winkler_similarity(l."b", r."b") >= 0.9)') is None


def test_the_bounds_are_the_widest_live_level_of_gender_and_age() -> None:
    """Levels: null, the steps (the same, 1 and 3 years apart for whole years; the same for bands), else."""
    live = Narrowing({"age": (True, True, True, False, False), "gender": (True, True, False), "name": (False,)})
    assert pair_bounds(live, numeric_age=True) == {"gender": 0, "age": 1}
    assert pair_bounds(Narrowing({"age": (True, False, False)}), numeric_age=False) == {"age": None}
    assert pair_bounds(Narrowing({}), numeric_age=True) == {}
    with pytest.raises(ValueError, match=r"^the comparison of 'age' has 3 levels; expected 5$"):
        pair_bounds(Narrowing({"age": (True, True, False)}), numeric_age=True)
