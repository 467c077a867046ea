"""The report's protection curve (:mod:`synth.measure.curve`): a published-tables policy from no noise to the
smallest epsilon, what reconstruction rebuilt and attached to named voters at each, and what ward planning keeps;
a table here, the points on the exposure-utility charts (:mod:`synth.report.html`)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from synth.measure.curve import CurvePoint
from synth.measure.decision import Figure


def curve_section(points: Sequence[CurvePoint]) -> str:
    """The section, or "" for a run without a curve."""
    if not points:
        return ""
    rows = "".join(
        f"<tr><td>{escape(curve_label(p))}</td><td><code>{escape(p.policy)}</code></td>{_cell(p.exact_places)}"
        f"{_cell(p.records_matched)}{_cell(p.attached)}{_cell(p.ward_planning)}</tr>"
        for p in points
    )
    return (
        '<section id="curve"><h2>The protection curve</h2>'
        f"<p>The tables of <b>{escape(points[0].policy)}</b> published with discrete Laplace noise at each epsilon "
        "(all tables together), each attacked like a policy: places rebuilt exactly, rebuilt records that match a "
        "true record, registry memberships attached to the right named voter through the electoral roll, and ward "
        "planning's cells counted within 10%. The curve is drawn, dashed, on the "
        '<a href="#exposure-utility">charts of exposure against utility</a>, beside the scenario\'s policies.</p>'
        '<table class="rank" id="curve-table"><tr><th>noise</th><th>policy</th><th>places rebuilt exactly</th>'
        "<th>records matching a true one</th><th>attached to the right voter</th><th>ward planning kept</th></tr>"
        f"{rows}</table></section>"
    )


def curve_label(p: CurvePoint) -> str:
    """A point's name on the charts and in the table: its epsilon, or "no noise"."""
    return "no noise" if p.epsilon is None else f"ε = {p.epsilon:g}"


def _cell(f: Figure) -> str:
    if f.value is None:
        return f'<td class="lv-unmeasured" title="{escape(f.reason or "")}">not measured</td>'
    ci = (
        "" if f.ci_low is None or f.ci_high is None else f' <span class="ci">({f.ci_low:.1%} to {f.ci_high:.1%})</span>'
    )
    return f'<td class="num" title="{escape(f.source)}">{f.value:.1%}{ci}</td>'
