"""The report's lookups into summarized results: the headline attacker first, its best chain, the numbers as
the report writes them, and the notes of one policy by unit."""

from __future__ import annotations

import polars as pl

from synth.report.figures import Figures, notes_by_attack, num, pct

ROWS = [
    # policy, attack, group, measure, value
    ("a", "reidentification", "all", "correct", 80.0),
    ("a", "reidentification", "all", "recall", 0.8),
    ("a", "reidentification", "chain=exact_linkage", "correct", 30.0),
    ("a", "reidentification", "chain=hash_reversal>caller_id_lookup>exact_linkage", "correct", 50.0),
    ("a", "exact_linkage", "all", "correct", 60.0),
    ("b", "exact_linkage", "all", "correct", 10.0),
    ("b", "exact_linkage", "all", "recall", 0.1),
    ("b", "probabilistic_linkage", "all", "correct", 25.0),
    ("b", "probabilistic_linkage", "all", "recall", 0.25),
]
TABLE = pl.DataFrame(ROWS, schema=["policy", "attack", "group", "measure", "value"], orient="row")


def test_the_headline_attacker_leads_where_the_scenario_has_it() -> None:
    fig = Figures(TABLE)
    assert fig.linkage("a") == ("reidentification", 80.0, 0.8)
    assert fig.linkage("b") == ("probabilistic_linkage", 25.0, 0.25)  # no headline: the linkage that links most
    assert fig.linkage("c") is None


def test_the_chain_that_reidentified_most() -> None:
    fig = Figures(TABLE)
    assert fig.best_chain("a", "reidentification") == ("hash_reversal>caller_id_lookup>exact_linkage", 50.0)
    assert fig.best_chain("b", "reidentification") is None
    assert fig.get("a", "exact_linkage", "recall") is None


def test_numbers_as_the_report_writes_them() -> None:
    assert (num(1234567.4), num(None), pct(0.8531), pct(None)) == ("1,234,567", "n/a", "85.3%", "n/a")


def test_notes_of_one_policy_by_unit() -> None:
    notes = [
        "k5 / probabilistic_linkage: the release has no names",
        "k5 / hash_reversal: no digests",
        "k50 / reach: not this policy's",
        "k5 / probabilistic_linkage: a second note",
        "k5 without a unit",
    ]
    assert notes_by_attack(notes, "k5") == {
        "probabilistic_linkage": ["the release has no names", "a second note"],
        "hash_reversal": ["no digests"],
    }
