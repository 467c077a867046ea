"""Blocking rules narrowed to the pairs a trained model can keep (synth.attacks.live_pairs)."""

from __future__ import annotations

import copy
import math
from typing import Any

import polars as pl
import pytest

from synth.attacks import live_pairs
from synth.attacks.live_pairs import (
    Narrowing,
    level_case,
    level_weights,
    live_shares,
    narrowed,
    narrowing,
    with_condition,
)

FLOOR = 1e-4
NAME_LEVELS: list[dict[str, Any]] = [
    {"sql_condition": '"name_l" IS NULL OR "name_r" IS NULL', "is_null_level": True},
    {
        "sql_condition": '"name_l" = "name_r"',
        "m_probability": 0.6,
        "u_probability": 0.001,
        "tf_adjustment_column": "name",
        "tf_adjustment_weight": 1.0,
    },
    {
        "sql_condition": 'jaro_winkler_similarity("given_l", "given_r") >= 0.88',
        "m_probability": 0.3,
        "u_probability": 0.01,
    },
    {"sql_condition": "ELSE", "m_probability": 0.1, "u_probability": 0.989},
]
GENDER_LEVELS: list[dict[str, Any]] = [
    {"sql_condition": '"gender_l" IS NULL OR "gender_r" IS NULL', "is_null_level": True},
    {"sql_condition": '"gender_l" = "gender_r"', "m_probability": 0.999, "u_probability": 0.5},
    {"sql_condition": "ELSE", "m_probability": 0.001, "u_probability": 0.5},
]


def model(prior: float, name: list[dict[str, Any]] = NAME_LEVELS) -> dict[str, Any]:
    return {
        "link_type": "link_only",
        "unique_id_column_name": "uid",
        "probability_two_random_records_match": prior,
        "comparisons": [
            {"output_column_name": "name", "comparison_levels": copy.deepcopy(name)},
            {"output_column_name": "gender", "comparison_levels": copy.deepcopy(GENDER_LEVELS)},
        ],
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": '(l."ward" = r."ward")', "sql_dialect": "duckdb"},
            {"blocking_rule": '(l."name" = r."name")', "sql_dialect": "duckdb"},
        ],
        "sql_dialect": "duckdb",
    }


def test_the_weights_are_splinks_and_term_frequencies_leave_a_level_unbounded() -> None:
    weights = level_weights(model(1e-6))
    assert weights[0][0] == 0.0 and weights[0][1] == math.inf
    assert weights[0][2] == pytest.approx(math.log2(30)) and weights[0][3] == pytest.approx(math.log2(0.1 / 0.989))
    assert weights[1] == pytest.approx([0.0, math.log2(0.999 / 0.5), math.log2(0.001 / 0.5)])


def test_a_model_changed_in_place_after_its_weights_were_read_gets_its_new_weights() -> None:
    """The models' parsed levels are kept for the next batch (a model scores every batch of a district), under the
    model's content: a model changed in place is parsed again, and reading weights changes nothing kept."""
    m = model(1e-6)
    first = level_weights(m)
    assert level_weights(m) == first
    m["comparisons"][1]["comparison_levels"][1]["m_probability"] = 0.9
    assert level_weights(m)[1][1] == pytest.approx(math.log2(0.9 / 0.5))
    assert level_weights(model(1e-6)) == first


NULL = '(l."name" IS NULL OR r."name" IS NULL)'
EXACT = '(l."name" = r."name")'
JARO = '(jaro_winkler_similarity(l."given", r."given") >= 0.88)'


def rules(m: dict[str, Any]) -> list[str]:
    return [r["blocking_rule"] for r in m["blocking_rules_to_generate_predictions"]]


def test_a_level_no_pair_of_which_reaches_the_floor_is_left_out_of_every_rule() -> None:
    """Prior log-odds -19.93, so the name's levels with gender's best (+1.00) must reach -13.29 (the floor's), less a
    bit: its null level (0, so -18.93) and ELSE (-3.31, so -22.24) cannot; the Jaro-Winkler level (+4.91, so -14.02)
    is within the bit, and names that agree count for any weight (term frequencies)."""
    assert rules(narrowed(model(1e-6), FLOOR)) == [
        f'((l."ward" = r."ward")) AND ({EXACT} OR {JARO})',
        f'((l."name" = r."name")) AND ({EXACT} OR {JARO})',
    ]


def test_a_level_a_bit_under_the_floor_is_kept_and_a_model_without_dead_levels_is_returned_as_it_is() -> None:
    """At a prior of 4 x 10^-5 (log-odds -14.61) the name's null level reaches -13.61: under the floor, within the
    margin of a bit, so kept. Gender's ELSE (-8.97) is never narrowed on: the name's exact level has no bound."""
    assert rules(narrowed(model(4e-5), FLOOR))[0] == f'((l."ward" = r."ward")) AND ({NULL} OR {EXACT} OR {JARO})'
    m = model(1e-3)
    assert narrowed(m, FLOOR) is m


def test_the_narrowing_names_the_comparisons_it_narrows_on_and_their_live_levels() -> None:
    """The condition of :func:`narrowed`'s rules, and per comparison narrowed on, which levels are live (gender's
    levels all reach the floor with the name's exact level: gender is not narrowed on)."""
    found = narrowing(model(1e-6), FLOOR)
    terms = ((EXACT[1:-1], JARO[1:-1]),)  # by comparison, each level's SQL
    assert found == Narrowing({"name": (False, True, True, False)}, terms)
    assert found.condition == f"({EXACT} OR {JARO})"
    assert rules(with_condition(model(1e-6), found.condition)) == rules(narrowed(model(1e-6), FLOOR))
    assert narrowing(model(1e-3), FLOOR) == Narrowing({})
    assert Narrowing({}).condition is None
    m = model(1e-3)
    assert with_condition(m, None) is m


def test_the_model_is_not_changed_and_a_level_named_otherwise_than_quoted_is_not_narrowed_on() -> None:
    m = model(1e-6)
    before = copy.deepcopy(m)
    narrowed(m, FLOOR)
    assert m == before
    unquoted = copy.deepcopy(NAME_LEVELS)
    unquoted[2]["sql_condition"] = "jaro_winkler_similarity(given_l, given_r) >= 0.88"
    m = model(1e-6, unquoted)
    assert narrowed(m, FLOOR) is m


def test_the_level_of_a_pair_is_splinks_case_in_the_rules_form_and_none_without_else_or_quotes() -> None:
    """The first level whose condition a pair meets, by position; ELSE the last."""
    expected = (
        'CASE WHEN l."name" IS NULL OR r."name" IS NULL THEN 0 WHEN l."name" = r."name" THEN 1 '
        'WHEN jaro_winkler_similarity(l."given", r."given") >= 0.88 THEN 2 ELSE 3 END'
    )
    assert level_case({"comparison_levels": NAME_LEVELS}) == expected
    assert level_case({"comparison_levels": NAME_LEVELS[:3]}) is None  # no ELSE: a pair could take no level
    unquoted = copy.deepcopy(NAME_LEVELS)
    unquoted[2]["sql_condition"] = "jaro_winkler_similarity(given_l, given_r) >= 0.88"
    assert level_case({"comparison_levels": unquoted}) is None


def test_where_else_is_live_its_comparison_is_not_narrowed_on() -> None:
    """Given names alone meet the initials' condition always, so ELSE is never learnt (Splink's default, -5.0) and
    stays live (at a prior of 10^-3: -9.97 - 5.00 + 1.00 is within a bit of -13.29) while the level of fitting
    initials (-19.78) is dead. ELSE's condition is every pair no other level takes: not narrowed on (measured
    slower)."""
    levels = [
        *copy.deepcopy(NAME_LEVELS[:3]),
        {"sql_condition": '"mask_l" = "mask_r"', "m_probability": 1e-6, "u_probability": 0.9},
        {"sql_condition": "ELSE"},
    ]
    m = model(1e-3, levels)
    assert level_weights(m)[0][3:] == pytest.approx([math.log2(1e-6 / 0.9), -5.0])
    assert narrowed(m, FLOOR) is m


def test_a_level_weighed_by_term_frequencies_is_bounded_by_the_least_frequency_a_pair_can_look_up() -> None:
    """Splink adds log2(u of the exact level) - log2(the larger frequency of the pair's two names): at most
    log2(0.001 / 10^-5) = 6.64 where the least is 10^-5, nothing where every name is commoner than u (10^-2), and
    nothing where the lookup is empty."""
    base = math.log2(0.6 / 0.001)
    assert level_weights(model(1e-6), {"name": 1e-5})[0][1] == pytest.approx(base + math.log2(0.001 / 1e-5))
    assert level_weights(model(1e-6), {"name": 1e-2})[0][1] == pytest.approx(base)
    assert level_weights(model(1e-6), {"name": None})[0][1] == pytest.approx(base)
    # bounded, the name no longer keeps gender's ELSE (-8.97) live: -19.93 + 9.23 - 8.97 < -14.29
    gender = '((l."gender" IS NULL OR r."gender" IS NULL) OR (l."gender" = r."gender"))'
    assert rules(narrowed(model(1e-6), FLOOR, {"name": 1e-2}))[0] == (
        f'((l."ward" = r."ward")) AND ({EXACT} OR {JARO}) AND {gender}'
    )


def _rules(*sql: str) -> dict[str, Any]:
    return {"blocking_rules_to_generate_predictions": [{"blocking_rule": rule} for rule in sql]}


SHARE_RELEASE = pl.DataFrame({"uid": ["r1", "r2", "r3"], "place": ["A", "A", "B"], "name": ["Anu", "Biju", "Anu"]})
SHARE_ROLL = pl.DataFrame(
    {
        "uid": ["e1", "e2", "e3", "e4", "e5"],
        "place": ["A", "A", "A", "B", "C"],
        "name": ["Anu", "Anu", "Ravi", "X", "Anu"],
    }
)
BY_PLACE = 'l."place" = r."place"'
BY_NAME = 'l."name" = r."name"'


def test_live_shares_count_the_pairs_each_narrowed_rule_keeps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pairs by place: r1 and r2 meet e1 to e3 in A, r3 meets e4 in B: 7 pairs, of which 2 agree on the name (r1
    with e1 and e2). By name alone: r1 and r3 meet e1, e2 and e5: 6 pairs, 4 of them in one place (r1-e1, r1-e2;
    r3 has none, so 2 of 6)."""
    model = _rules(BY_PLACE, BY_NAME)
    live = _rules(f"({BY_PLACE}) AND ({BY_NAME})", f"({BY_NAME}) AND ({BY_PLACE})")
    assert live_shares(model, SHARE_RELEASE, SHARE_ROLL, [], live, 1) == [2 / 7, 2 / 6]
    # the roll of the sampled rows' places only: e5 (in C) is no longer met by name
    assert live_shares(model, SHARE_RELEASE, SHARE_ROLL, ["place"], live, 1) == [2 / 7, 2 / 4]
    # a rule the model does not narrow is all compared; one whose sample meets nobody counts whole
    assert live_shares(model, SHARE_RELEASE, SHARE_ROLL, [], model, 1) == [1.0, 1.0]
    nobody = _rules('l."place" = r."place" AND l."name" = \'Nobody\'')
    never = _rules(f"({BY_PLACE}) AND FALSE")
    assert live_shares(nobody, SHARE_RELEASE, SHARE_ROLL, [], never, 1) == [1.0]
    # a rule whose sample keeps none of its pairs still counts at the least share
    assert live_shares(_rules(BY_PLACE), SHARE_RELEASE, SHARE_ROLL, [], never, 1) == [live_pairs.LEAST_SHARE]
    # more rows than the sample: a seeded draw of them
    monkeypatch.setattr(live_pairs, "SHARE_SAMPLE", 2)
    by_place, kept = _rules(BY_PLACE), _rules(f"({BY_PLACE}) AND ({BY_NAME})")
    drawn = {tuple(live_shares(by_place, SHARE_RELEASE, SHARE_ROLL, [], kept, seed)) for seed in range(12)}
    # r1 and r2: 2 of 6 pairs; r1 and r3: 2 of 4; r2 and r3: none of 4
    assert drawn == {(2 / 6,), (2 / 4,), (live_pairs.LEAST_SHARE,)}


def test_a_rules_pairs_that_predictions_count_are_compared_one_a_row_and_counted_level() -> None:
    """By place, every pair kept (the model narrows nothing): r1 and r2 meet e1, e2 (Anu) and e3 (Ravi) in A, r3 meets
    e4 in B, 7 pairs. Counting the level of names that differ, one a row: r1 keeps its 2 namesakes and 1 pair for
    Ravi, r2 (Biju) 1 pair for its 3, r3 1 for e4: 5 of 7. Counting both levels, one a row and level: 4 (r1 2, r2 and
    r3 1 each); counting none, 7. The rule by name is not counted."""
    model = _rules(BY_PLACE, BY_NAME)
    levels = f"CASE WHEN {BY_NAME} THEN 0 ELSE 1 END"
    assert live_shares(model, SHARE_RELEASE, SHARE_ROLL, [], model, 1, (0, levels, [1])) == [5 / 7, 1.0]
    assert live_shares(model, SHARE_RELEASE, SHARE_ROLL, [], model, 1, (0, levels, [0, 1])) == [4 / 7, 1.0]
    assert live_shares(model, SHARE_RELEASE, SHARE_ROLL, [], model, 1, (0, levels, [])) == [1.0, 1.0]
    narrowed_by_name = _rules(f"({BY_PLACE}) AND ({BY_NAME})", BY_NAME)  # only namesakes kept: nothing left to count
    assert live_shares(model, SHARE_RELEASE, SHARE_ROLL, [], narrowed_by_name, 1, (0, levels, [1])) == [2 / 7, 1.0]
