"""A figure that is a lower bound, or not measured, says so where it is shown, not only at the end."""

from __future__ import annotations

import polars as pl

from synth.measure.results import RESULT_SCHEMA
from synth.report.html import build_html

ROWS = [
    ("s", 1, "drop_names", "reidentification", "all", "correct", 900.0, None, None),
    ("s", 1, "drop_names", "reidentification", "all", "recall", 0.3, 0.29, 0.31),
    ("s", 1, "drop_names", "reidentification", "all", "precision", 0.9, 0.89, 0.91),
    ("s", 1, "drop_names", "probabilistic_linkage", "all", "correct", 0.0, None, None),
    ("s", 1, "as_exported", "singling_out", "all", "unique_in_population", 0.034, 0.03, 0.04),
    ("s", 1, "as_exported", "singling_out", "all", "with_names_unique_in_population", 0.986, 0.98, 0.99),
]
NOTES = [
    "drop_names / probabilistic_linkage: made no guess: no pair reached the match-probability threshold of 0.9 "
    "under the model it trained, so its figures (0) are a lower bound of what a calibrated attacker links",
    "drop_names / hash_reversal: attack 'hash_reversal': the release's phone column holds no digests or tokens "
    "to reverse",
]


def test_notes_stand_beside_their_figures_and_in_the_summary() -> None:
    results = pl.DataFrame(ROWS, schema=RESULT_SCHEMA, orient="row")
    html = build_html(results, {"policies": [{"id": "drop_names", "steps": []}]}, NOTES)
    table = html[html.index("<h3>drop_names</h3><table>") :]
    table = table[: table.index("</table>")]
    # the note follows the probabilistic figure it qualifies; the attack that did not run says why in place
    assert "<td>probabilistic_linkage</td><td>correct</td>" in table and table.index(
        "<td>probabilistic_linkage</td><td>correct</td>"
    ) < table.index('<td colspan="3">note: made no guess: no pair reached the match-probability threshold of 0.9')
    assert (
        '<tr class="note"><td>hash_reversal</td><td colspan="3">not measured: attack &#x27;hash_reversal&#x27;: '
        "the release&#x27;s phone column holds no digests or tokens to reverse</td></tr>" in table
    )
    start = html.index('<ul class="summary">')
    summary = html[start : html.index("</ul>", start)]
    assert "the strongest attacker re-identifies 900 released rows" in summary
    assert "(a lower bound: probabilistic linkage made no guess: no pair reached" in summary


def test_the_summary_singles_out_with_names_where_the_release_has_them() -> None:
    results = pl.DataFrame(ROWS, schema=RESULT_SCHEMA, orient="row")
    html = build_html(results, {"policies": [{"id": "as_exported", "steps": []}]}, [])
    assert "98.6% of rows single out one person in the whole population (3.4% on age, sex and place alone)" in html


def test_a_linkage_attack_that_did_not_run_and_a_reversal_that_found_nothing_say_so_in_the_summary() -> None:
    rows = [
        ("s", 1, "k5", "reidentification", "all", "correct", 0.0, None, None),
        ("s", 1, "k5", "exact_linkage", "all", "correct", 0.0, None, None),
        ("s", 1, "tokenize", "reidentification", "all", "correct", 90.0, None, None),
        ("s", 1, "tokenize", "hash_reversal", "all", "correct", 0.0, None, None),
        ("s", 1, "tokenize", "hash_reversal", "all", "real_space_cpu_core_seconds", 720.0, None, None),
        ("s", 1, "tokenize", "hash_reversal", "all", "real_space_gpu_seconds", 0.18, None, None),
    ]
    notes = [
        "k5 / probabilistic_linkage: attack 'probabilistic_linkage': the release has no names and no earlier attack "
        "found any (it has row_id, age)"
    ]
    results = pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")
    html = build_html(results, {"policies": [{"id": p, "steps": []} for p in ("k5", "tokenize")]}, notes)
    start = html.index('<ul class="summary">')
    summary = html[start : html.index("</ul>", start)]
    assert (
        "the strongest attacker re-identifies 0 released rows (0.0% of them) by reidentification, with n/a of the "
        "rows it links right (did not run: probabilistic linkage: the release has no names and no earlier attack "
        "found any (it has row_id, age))" in summary
    )
    assert (
        "; hash reversal recovered 0 phone numbers (n/a of the digests) over the whole plan of n/a numbers (exactly "
        "what hashing every number recovers); enumerating the real mobile space (0.2 core-hours, 0.2 s on one GPU) "
        "recovers none of them" in summary
    )


def test_no_links_and_a_model_no_better_than_the_majority_say_so_in_the_summary() -> None:
    rows = [
        ("s", 1, "k5", "reidentification", "all", "correct", 0.0, None, None),
        ("s", 1, "k5", "reidentification", "all", "guesses", 0.0, None, None),
        ("s", 1, "k5", "reidentification", "all", "precision", 0.0, 0.0, 0.0),
        ("s", 1, "sdv", "utility", "all", "research_accuracy", 0.718, 0.71, 0.72),
        ("s", 1, "sdv", "utility", "all", "research_baseline", 0.718, None, None),
        ("s", 1, "sdv", "utility", "all", "research_ceiling", 0.8, None, None),
    ]
    results = pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")
    html = build_html(results, {"policies": [{"id": "k5", "steps": []}, {"id": "sdv", "steps": []}]}, [])
    start = html.index('<ul class="summary">')
    summary = html[start : html.index("</ul>", start)]
    assert (
        "re-identifies 0 released rows (0.0% of them) by reidentification, and links no row at all (so no " in summary
    )
    assert "0.0% of the rows it links right" not in summary
    assert (
        "It keeps: research 71.8%, no better than always guessing the majority class (the original release gives "
        "80.0%)." in summary
    )


def test_the_estimator_chart_says_which_bar_is_missing_and_why() -> None:
    rows = [
        ("s", 1, p, "release", "all", m, v, None, None)
        for p in ("as_exported", "k5")
        for m, v in (("true_share", 0.01), ("unique_share_zayatz", 0.02), ("unique_share_dankar", 0.02))
    ] + [("s", 1, "as_exported", "release", "all", "unique_share_snb", 0.012, None, None)]
    results = pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")
    html = build_html(results, {"policies": [{"id": "as_exported"}, {"id": "k5"}]}, [])
    assert (
        "No bar where the estimator&#x27;s fit did not converge on the release, so it gives no estimate: "
        "Pitman&#x27;s sampling formula for as_exported, k5; the shifted negative binomial for k5.</p>" in html
    )
