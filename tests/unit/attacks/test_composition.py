"""The composition attack, worked by hand: two releases of the same five women, each 2-anonymous under its own
generalization, intersect to single out one of them; two releases generalized along a grid do not."""

from __future__ import annotations

import polars as pl

from synth.attacks.composition import intersect, score_composition

PLACES = pl.DataFrame(
    {"district": ["D", "D"], "taluk": ["T", "T"], "local_body": ["L", "L"], "ward": [1, 2]},
    schema_overrides={"ward": pl.Int16},
)
# person_id, age, ward: p1 is the only woman of 30 to 34 in ward 1
PEOPLE = pl.DataFrame(
    {"person_id": [1, 2, 5, 3, 4], "age": [31, 36, 38, 32, 33], "ward": [1, 1, 1, 2, 2]},
    schema_overrides={"ward": pl.Int16},
).with_columns(gender=pl.lit("F"), local_body=pl.lit("L"), taluk=pl.lit("T"), district=pl.lit("D"))


def _release(ages: list[str], wards: list[int] | None) -> pl.DataFrame:
    out = pl.DataFrame({"age": ages, "gender": ["F"] * 5, "local_body": ["L"] * 5})
    return out.with_columns(ward=pl.Series(wards, dtype=pl.Int16)) if wards else out


def test_two_2_anonymous_releases_intersect_to_single_out_one_woman() -> None:
    """Release A keeps the ward and bands ages by ward (30-39 in ward 1, 30-34 in ward 2: classes of 3 and 2);
    release B drops the ward and bands by five years (30-34: 3 women, 35-39: 2). Ward 2's class meets only B's
    30-34 class, so it takes 2 of B's 3 there; ward 1's class must then put exactly 1 woman in 30-34 and 2 in
    35-39. The one woman of 30-34 in ward 1 is singled out, and the roll, with one such voter, names her."""
    a = _release(["30-39", "30-39", "30-39", "30-34", "30-34"], [1, 1, 1, 2, 2])
    b = _release(["30-34", "35-39", "35-39", "30-34", "30-34"], None)
    regions = intersect(a, b, PLACES)
    assert regions.to_dicts() == [
        {"class_a": "30-34|F|2|L", "class_b": "30-34|F|L", "low": 2, "high": 2},
        {"class_a": "30-39|F|1|L", "class_b": "30-34|F|L", "low": 1, "high": 1},
        {"class_a": "30-39|F|1|L", "class_b": "35-39|F|L", "low": 2, "high": 2},
    ]
    roll = PEOPLE.select("person_id", "age", "gender", "local_body", "taluk", "district", "ward").with_columns(
        epic=pl.format("E{}", "person_id")
    )
    other = roll.head(1).with_columns(person_id=pl.lit(9), age=pl.lit(50), epic=pl.lit("E9"))
    roll = pl.concat([roll, other], how="vertical_relaxed")
    score = score_composition(regions, a, b, PLACES, PEOPLE, roll)
    assert (score.k, score.classes, score.singled_out, score.guesses, score.correct) == (2, 3, 1, 1, 1)
    assert score.recall.successes == 1 and score.recall.trials == 5


def test_releases_generalized_along_a_grid_single_out_nobody() -> None:
    """A bands ages by ten years in both wards, B by five years without wards: every class of A meets every class
    of B, and a woman can move between any two regions, so no region's count is fixed."""
    a = _release(["30-39"] * 5, [1, 1, 1, 2, 2])
    b = _release(["30-34", "35-39", "35-39", "30-34", "30-34"], None)
    regions = intersect(a, b, PLACES)
    # ward 1's three women hold from 1 to 3 of B's 30-34 (B has two women of 35-39 in all); with t of them
    # there, ward 1 has 3 - t of 35-39, ward 2 has 3 - t of 30-34 and t - 1 of 35-39
    assert regions.select("low", "high").rows() == [(1, 3), (0, 2), (0, 2), (0, 2)]
    assert score_composition(regions, a, b, PLACES, PEOPLE, PEOPLE.with_columns(epic=pl.lit("E"))).singled_out == 0


def test_releases_of_different_people_fit_no_assignment() -> None:
    a = _release(["30-39"] * 5, [1, 1, 1, 2, 2])
    b = _release(["40-44"] * 5, None)
    assert intersect(a, b, PLACES).height == 0
