"""The summary gives what probabilistic linkage links at each precision an attacker might accept."""

from __future__ import annotations

import polars as pl

from synth.measure.results import RESULT_SCHEMA
from synth.report.html import build_html

ROWS = [
    ("s", 1, "local_body_not_ward", "reidentification", "all", "correct", 1349.0, None, None),
    ("s", 1, "local_body_not_ward", "reidentification", "all", "recall", 0.723, 0.72, 0.73),
    ("s", 1, "local_body_not_ward", "reidentification", "all", "precision", 0.936, 0.93, 0.94),
    ("s", 1, "local_body_not_ward", "probabilistic_linkage", "all", "recall", 0.633, 0.63, 0.64),
    ("s", 1, "local_body_not_ward", "probabilistic_linkage", "all", "recall_at_precision_90", 0.742, 0.74, 0.75),
    ("s", 1, "local_body_not_ward", "probabilistic_linkage", "all", "recall_at_precision_95", 0.495, 0.49, 0.50),
    ("s", 1, "local_body_not_ward", "probabilistic_linkage", "all", "recall_at_precision_99", 0.351, 0.35, 0.36),
    ("s", 1, "k5", "reidentification", "all", "correct", 0.0, None, None),
]


def test_the_summary_says_the_recall_at_each_precision_where_measured() -> None:
    results = pl.DataFrame(ROWS, schema=RESULT_SCHEMA, orient="row")
    html = build_html(results, {"policies": [{"id": p, "steps": []} for p in ("local_body_not_ward", "k5")]}, [])
    start = html.index('<ul class="summary">')
    summary = html[start : html.index("</ul>", start)]
    assert (
        "; an attacker who sets probabilistic linkage's threshold for 90% of its links right links 74.2% of "
        "the rows by it alone (49.5% at 95%, 35.1% at 99%; 63.3% at the scenario's threshold)" in summary
    )
    k5 = summary[summary.index("<b>k5</b>") :]
    assert "threshold for 90%" not in k5[: k5.index("</li>")]
