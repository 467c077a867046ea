"""The law section: each policy's safeguard in the words of the DPDP Rules 2025, what it achieves here, the EU
guidance's two questions answered with the run's figures, and what a leak would have to be intimated."""

from __future__ import annotations

import polars as pl

from synth.measure.results import RESULT_SCHEMA
from synth.policies.library import load_policy
from synth.report.html import build_html

ROWS = [
    ("s", 1, "hmac", "reidentification", "all", "recall", 0.865, 0.864, 0.867),
    ("s", 1, "hmac", "singling_out", "all", "with_names_unique_in_population", 0.986, 0.98, 0.99),
    ("s", 1, "hmac", "reach", "all", "contactable", 0.0, None, None),
    ("s", 1, "hmac", "reach", "all", "people_released", 1000.0, None, None),
    ("s", 1, "k5", "reidentification", "all", "recall", 0.0, 0.0, 0.001),
    ("s", 1, "k5", "singling_out", "all", "unique_in_population", 0.0, 0.0, 0.001),
]


def test_each_policy_is_named_measured_and_answered(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SYNTH_HMAC_KEY", "a test key")
    resolved = {
        "policies": [
            {"id": p, "releases": load_policy(p).releases, "safeguards": load_policy(p).safeguards()}
            for p in ("hmac", "k5", "controller_sends")
        ],
        "purposes": [],
    }
    html = build_html(pl.DataFrame(ROWS, schema=RESULT_SCHEMA, orient="row"), resolved, [])
    law = html[html.index('<table class="rank" id="law">') :]
    law = law[: law.index("</table>")]
    assert (
        "<tr><td><b>hmac</b></td><td>obfuscation (Rule 6(1)(a)): a keyed hash (HMAC)</td>"
        "<td>86.5% of released rows re-identified; 0.0% of the people released can be phoned</td>"
        "<td>yes: 98.6% of rows single out one person in the whole population</td>"
        "<td>yes: 86.5% of rows linked to the right named voter (re-identification by any chain of attacks)</td>"
        "<td>personal data: a breach is intimated to the Board and to each person affected without delay, and "
        "reported in detail to the Board within 72 hours</td></tr>" in law
    )
    assert (
        "<td>data minimisation: fields dropped; data minimisation: generalisation; data minimisation: k-anonymity"
        "</td>" in law
    )
    assert "<td>no row singles out one person</td><td>no row was linked to the right named voter</td>" in law
    assert (
        "<td>no: nothing is released</td><td>no row was linked to the right named voter</td><td>nothing leaves the "
        "controller: there is no recipient whose breach would need intimating</td>" in law
    )
