"""The report of a composed scenario (:mod:`synth.scenario.composed`): each release alone, every pair and all
together, what one attacker holding them re-identifies, can contact and can defraud, and the weakest links
named (:func:`synth.measure.composed.composed_table`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from synth.report import charts

HEADLINE_LABELS = {
    "reidentified_share": "re-identified",
    "contactable_share": "contactable",
    "fraud_ready_share": "fraud-ready",
}


def composed_body(table: Mapping[str, Any], resolved: Mapping[str, Any], notes: Sequence[str]) -> str:
    """The page's body: the releases, the weakest links, the table of combinations and its chart, the notes."""
    rows = table["rows"]
    releases = resolved.get("releases", [])
    listed = "".join(
        f"<tr><td><code>{escape(r['id'])}</code></td><td>{escape(', '.join(r['registries']))}</td>"
        f"<td>{escape(', '.join(r['fields']))}</td><td><code>{escape(r['policy'])}</code></td>"
        f'<td>{escape(r["key"] or "")}</td><td class="num">{r["onward_leak"]:.0%}</td></tr>'
        for r in releases
    )
    weakest = "".join(
        f"<li>{escape(w['sentence'])}.</li>"
        for w in table["weakest"]
        if w["reidentified_gain"] > 0 or w["phones_gain"] > 0
    )
    combos = "".join(_combination_row(r) for r in rows)
    chart = charts.grouped_bars(
        "Each release alone, every pair and all together: share of their people",
        "composed-chart",
        [_short(r["combination"], len(releases)) for r in rows],
        [(label, [r[m]["value"] for r in rows]) for m, label in HEADLINE_LABELS.items()],
        "share of the people released",
    )
    return (
        '<section id="composed"><h2>Several releases, one attacker</h2>'
        "<p>Each release is attacked alone, then with every other and all together: the attacker links the releases "
        "to each other (equal phone numbers, digests or tokens; equal name, sex, age and place; rows it already tied "
        "to one roll entry), hands every row what its twins gave away, and attacks again. People are counted once "
        "however many releases hold them.</p>"
        '<table id="releases"><tr><th>release</th><th>registries</th><th>fields</th><th>policy</th><th>key</th>'
        f"<th>onward leak</th></tr>{listed}</table>"
        "<h3>The weakest links</h3>"
        + (f'<ul id="weakest">{weakest}</ul>' if weakest else "<p>No release gives another anything more.</p>")
        + '<table class="rank" id="combinations"><tr><th>releases held</th><th>people</th><th>re-identified</th>'
        "<th>contactable</th><th>fraud-ready</th><th>each release's rows: re-identified; phones recovered</th></tr>"
        f"{combos}</table>{chart}{_composition(table.get('composition'))}</section>"
        "<h2>Not measured</h2>"
        + ("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>" if notes else "<p>Everything ran.</p>")
    )


def _short(combination: str, releases: int) -> str:
    """A combination's name under its bars: every release held, for more than two, reads "all together"."""
    return "all together" if releases > 2 and combination.count("+") == releases - 1 else combination


def _composition(c: Mapping[str, Any] | None) -> str:
    if c is None:
        return ""
    a, b = c["combination"].split("+")

    def n(key: str) -> str:
        return f"{c[key]['value']:,.0f}"

    return (
        '<h3>The composition attack</h3><p id="composition">'
        f"<code>{escape(a)}</code> and <code>{escape(b)}</code> put every person in a class of at least {n('k')}; "
        f"intersected, {n('classes')} regions where their classes meet, of which {n('singled_out')} hold exactly one "
        f"person whatever the assignment. The electoral roll holds one voter in {n('guesses')} of them, the right "
        f"person in {n('correct')} ({c['recall']['value']:.2%} of the {n('rows')} people of {escape(a)} named "
        "by the intersection alone).</p>"
    )


def _combination_row(row: Mapping[str, Any]) -> str:
    members = "; ".join(
        f"{escape(r)}: {m['reidentified_share']['value']:.1%}, "
        + (f"{m['phones_recovered']['value']:.1%}" if m["phones_withheld"]["value"] else "no number withheld")
        for r, m in row["members"].items()
    )
    cells = "".join(_cell(row[m]) for m in HEADLINE_LABELS)
    return (
        f'<tr><td>{escape(" + ".join(row["releases"]))}</td><td class="num">{row["people"]:,.0f}</td>{cells}'
        f"<td>{members}</td></tr>"
    )


def _cell(f: Mapping[str, float | None]) -> str:
    value, low, high = f["value"], f["ci_low"], f["ci_high"]
    if value is None:
        return '<td class="lv-unmeasured">not measured</td>'
    ci = "" if low is None or high is None else f' <span class="ci">({low:.1%} to {high:.1%})</span>'
    return f'<td class="num">{value:.1%}{ci}</td>'
