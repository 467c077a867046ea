"""The report's protection curve (:mod:`synth.measure.curve`): a published-tables policy from no noise to the
smallest epsilon, what reconstruction rebuilt and attached to named voters at each, and what ward planning keeps;
a table and a chart over the scenario's other policies."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from synth.measure.curve import CurvePoint
from synth.measure.decision import Decision, Figure
from synth.report import charts


def curve_section(points: Sequence[CurvePoint], decision: Decision) -> str:
    """The section, or "" for a run without a curve."""
    if not points:
        return ""
    rows = "".join(
        f"<tr><td>{escape(_label(p))}</td><td><code>{escape(p.policy)}</code></td>{_cell(p.exact_places)}"
        f"{_cell(p.records_matched)}{_cell(p.attached)}{_cell(p.ward_planning)}</tr>"
        for p in points
    )
    drawn = [(_label(p), p.attached.value, p.ward_planning.value) for p in points]
    shown = [(label, x, y) for label, x, y in drawn if x is not None and y is not None]
    on_curve = {p.policy for p in points}
    context = [
        (r.policy, r.exposure.value, r.keeps["ward_planning"].value)
        for r in decision.ranking
        if r.policy not in on_curve and "ward_planning" in r.keeps
    ]
    chart = (
        charts.curve(
            "The protection curve: registries attached to named voters against ward planning kept",
            "curve-chart",
            shown,
            [(n, x, y) for n, x, y in context if x is not None and y is not None],
            "memberships attached to the right named voter",
            "ward planning kept",
        )
        if shown
        else '<p class="note">No point of the curve has both figures; the table says why.</p>'
    )
    return (
        '<section id="curve"><h2>The protection curve</h2>'
        f"<p>The tables of <b>{escape(points[0].policy)}</b> published with discrete Laplace noise at each epsilon "
        "(all tables together), each attacked like a policy: places rebuilt exactly, rebuilt records that match a "
        "true record, registry memberships attached to the right named voter through the electoral roll, and ward "
        "planning's cells counted within 10%. Grey rings on the chart are the scenario's other policies.</p>"
        '<table class="rank" id="curve-table"><tr><th>noise</th><th>policy</th><th>places rebuilt exactly</th>'
        "<th>records matching a true one</th><th>attached to the right voter</th><th>ward planning kept</th></tr>"
        f"{rows}</table>{chart}</section>"
    )


def _label(p: CurvePoint) -> str:
    return "no noise" if p.epsilon is None else f"ε = {p.epsilon:g}"


def _cell(f: Figure) -> str:
    if f.value is None:
        return f'<td class="lv-unmeasured" title="{escape(f.reason or "")}">not measured</td>'
    ci = (
        "" if f.ci_low is None or f.ci_high is None else f' <span class="ci">({f.ci_low:.1%} to {f.ci_high:.1%})</span>'
    )
    return f'<td class="num" title="{escape(f.source)}">{f.value:.1%}{ci}</td>'
