"""The report's cost of every hash: the scenario's hashed policies as measured, and every primitive projected to one
GPU, with "infeasible" where a secret is kept (never a figure that looks small)."""

from __future__ import annotations

import polars as pl

from synth.core.hash_costs import GPU_PBKDF2, PRIMITIVE, duration
from synth.measure.results import RESULT_SCHEMA
from synth.report.html import build_html

PBKDF2_GPU = GPU_PBKDF2.at(10_000)
ROWS = [
    ("s", 1, "hash_pbkdf2", "hash_reversal", "all", "rows", 11_696.0, None, None),
    ("s", 1, "hash_pbkdf2", "hash_reversal", "all", "correct", 11_696.0, None, None),
    ("s", 1, "hash_pbkdf2", "hash_reversal", "all", "hashes_per_second", 480.0, None, None),
    ("s", 1, "hash_pbkdf2", "hash_reversal", "all", "reversible", 1.0, None, None),
    ("s", 1, "hash_pbkdf2", "hash_reversal", "all", "enumerations", 1.0, None, None),
    ("s", 1, "hash_pbkdf2", "hash_reversal", "all", "birth_dates", 1.0, None, None),
    ("s", 1, "hash_pbkdf2", "hash_reversal", "all", "gpu_hashes_per_second", PBKDF2_GPU, None, None),
    ("s", 1, "hash_pbkdf2", "hash_reversal", "all", "real_space_cpu_core_seconds", 4e9 / 480, None, None),
    ("s", 1, "hash_pbkdf2", "hash_reversal", "all", "real_space_gpu_seconds", 4e9 / PBKDF2_GPU, None, None),
    ("s", 1, "hash_pbkdf2", "hash_reversal", "all", "per_record_gpu_seconds", 4e9 / PBKDF2_GPU, None, None),
    ("s", 1, "hmac", "hash_reversal", "all", "rows", 11_696.0, None, None),
    ("s", 1, "hmac", "hash_reversal", "all", "correct", 0.0, None, None),
    ("s", 1, "hmac", "hash_reversal", "all", "hashes_per_second", 2.5e7, None, None),
    ("s", 1, "hmac", "hash_reversal", "all", "reversible", 0.0, None, None),
]


def _section(html: str) -> str:
    start = html.index("<h2>The cost of every hash</h2>")
    return html[start : html.index("<h2>", start + 4)]


def test_the_hashed_policies_as_measured_and_every_primitive() -> None:
    results = pl.DataFrame(ROWS, schema=RESULT_SCHEMA, orient="row")
    resolved = {"policies": [{"id": "hash_pbkdf2", "steps": []}, {"id": "hmac", "steps": []}]}
    section = _section(build_html(results, resolved, []))
    assert (
        "<tr><td>hash_pbkdf2</td><td class='num'>11,696 of 11,696</td><td class='num'>480</td>"
        f"<td class='num'>{PBKDF2_GPU:,.0f}</td><td class='num'>1</td><td class='num'>1</td>" in section
    )
    assert f"<td class='num'>{duration(4e9 / 480)}</td><td class='num'>1.3 hours</td>" in section
    assert (
        "<tr><td>hmac</td><td class='num'>0 of 11,696</td><td class='num'>25,000,000</td>"
        "<td colspan='6'>infeasible: the digests need a secret the release does not hold</td></tr>" in section
    )
    # every primitive, projected: SHA-256 in a fifth of a second, bcrypt per record in days, a kept key infeasible
    assert "<tr><td>SHA-256(phone)</td><td class='num'>21,975,500,000</td><td class='num'>0.182 s</td>" in section
    bcrypt = PRIMITIVE["bcrypt_10"]
    one, every = bcrypt.seconds(bcrypt.gpu_rate)
    assert f"<td class='num'>5,750</td><td class='num'>{duration(one)}</td><td class='num'>{duration(every)}</td>" in (
        section
    )
    kept = section[section.index("<tr><td>HMAC-SHA-256(key, phone), the key kept</td>") :]
    assert kept.startswith(
        "<tr><td>HMAC-SHA-256(key, phone), the key kept</td><td class='num'>none</td>"
        "<td class='num'>infeasible</td><td class='num'>infeasible</td>"
    )
    assert "ambiguous: 1.93 numbers per digest on average" in section
    assert "mode 1400 (SHA2-256): 21975.5 MH/s" in section and "mode 3200" in section
    assert "https://gist.github.com/Chick3nman/32e662a5bb63bc4f51b847bb422222fd" in section


def test_shown_without_hashed_policies() -> None:
    results = pl.DataFrame(ROWS[:0], schema=RESULT_SCHEMA, orient="row")
    section = _section(build_html(results, {"policies": [{"id": "k5", "steps": []}]}, []))
    assert "No policy of this scenario released hashed phone numbers." in section
    assert "PBKDF2-HMAC-SHA-256, 10^5 iterations, one salt released" in section
