"""The report's first screen: the recommendation for each purpose, then the policies ranked by exposure, each
figure with its interval, the attack that produced it (in the cell's title), and a colour for its level (the
level is in the title too, so colour is never the only cue). A figure that was not measured reads "not measured"
in its cell, with a numbered note right under the table saying why (one note per distinct reason, so the table
keeps one line a policy and fits the first screen)."""

from __future__ import annotations

from html import escape

from synth.measure.decision import Decision, Figure, Ranked, WhatIfRow, level
from synth.report import charts

STYLE = """
table.rank{font-size:.82em}table.rank td,table.rank th{padding:.15em .4em}table.rank td.num{white-space:nowrap}
table.rank caption{text-align:left;font-size:.95em;margin-bottom:.2em}ol.why{font-size:.8em;margin:.2em 0 1em}
.lv-low{background:#dcecf7}.lv-moderate{background:#fdf1c7}.lv-high{background:#fbd7ae}.lv-severe{background:#f3b3a0}
.lv-unmeasured{background:#eeeeee;color:#444;font-style:italic}.ci{color:#555;font-size:.8em}
ul.recs{margin:.3em 0 .8em;padding-left:1.2em}ul.recs li{margin:.25em 0}
table.whatif{font-size:.82em}table.whatif td,table.whatif th{white-space:nowrap;padding:.15em .4em}
td.delta{text-align:right;font-variant-numeric:tabular-nums}
.barbox{display:inline-block;width:50px;height:.8em;margin-right:.4em;vertical-align:middle;background:#f3f3f3}
.barbox span{display:block;height:100%}.protects{background:#1b6ca8}.exposes{background:#d1495b}
.costs{background:#edae49}.gains{background:#66a182}
"""


def decision_section(decision: Decision) -> str:
    """The recommendations and the ranking table, as HTML."""
    recs = "".join(f'<li id="rec-{escape(r.purpose)}">{escape(r.why)}</li>' for r in decision.recommendations)
    purposes = [r.purpose for r in decision.recommendations]
    head = (
        "<tr><th>rank</th><th>policy</th><th>re-identified</th><th>contactable</th><th>fraud-ready</th>"
        + "".join(f"<th>keeps {escape(p.replace('_', ' '))}</th>" for p in purposes)
        + "</tr>"
    )
    keep = {r.purpose: r.keep for r in decision.recommendations}
    reasons: dict[str, int] = {}
    body = "".join(_row(r, purposes, keep, reasons) for r in decision.ranking)
    why = "".join(f'<li value="{i}">{escape(reason)}</li>' for reason, i in reasons.items())
    return (
        '<section id="decision"><h2>The decision</h2>'
        + (f'<ul class="recs" id="recommendations">{recs}</ul>' if recs else "")
        + '<table class="rank" id="ranking">'
        + "<caption>Policies ranked by the share of released rows the strongest attacker ties to the right named "
        "voter, least first (a policy whose exposure was not measured is not ranked); contactable and fraud-ready "
        "as shares of the people released. Hover a cell for the attack that produced it.</caption>"
        + head
        + body
        + "</table>"
        + (f'<ol class="why" id="not-measured">{why}</ol>' if why else "")
        + "</section>"
    )


def _row(r: Ranked, purposes: list[str], keep: dict[str, float], reasons: dict[str, int]) -> str:
    cells = [
        f'<td class="num">{r.rank if r.rank is not None else "not ranked"}</td>',
        f"<td><b>{escape(r.policy)}</b></td>",
    ]
    exposure = (r.exposure, r.contactable, r.fraud_ready)
    if not any(f.measured for f in exposure):  # one reason for the three
        cells.append(_unmeasured(r.exposure, reasons, 3))
    else:
        cells += [_cell(f, *_exposure_level(f.value), reasons) for f in exposure]
    for p in purposes:
        cells.append(_cell(r.keeps[p], *_kept_level(r.keeps[p].value, keep[p]), reasons))
    return f'<tr data-policy="{escape(r.policy)}">{"".join(cells)}</tr>'


def _unmeasured(f: Figure, reasons: dict[str, int], span: int = 1) -> str:
    reason = f.reason or "no reason recorded"
    number = reasons.setdefault(reason, len(reasons) + 1)
    cols = f' colspan="{span}"' if span > 1 else ""
    return f'<td class="lv-unmeasured"{cols} title="{escape(reason)}">not measured <sup>{number}</sup></td>'


def _exposure_level(v: float | None) -> tuple[str, str]:
    """The cell's colour class and the level written in its title."""
    if v is None:
        return "unmeasured", ""
    name = level(v)
    return name, f"{name} exposure"


def _kept_level(v: float | None, keep: float) -> tuple[str, str]:
    if v is None:
        return "unmeasured", ""
    if v >= keep:
        return "low", f"serves the purpose (keeps at least {keep:.0%})"
    if v >= keep / 2:
        return "high", f"keeps less than the {keep:.0%} required"
    return "severe", f"keeps less than half of the {keep:.0%} required"


def _cell(f: Figure, css: str, label: str, reasons: dict[str, int]) -> str:
    if f.value is None:
        return _unmeasured(f, reasons)
    low, high, shown = (None if v is None else f"{v:.1%}" for v in (f.ci_low, f.ci_high, f.value))
    ci = f' <span class="ci">({low} to {high})</span>' if low is not None and (low, high) != (shown, shown) else ""
    if f.lower_bound:  # a bounded attack: the figure may understate the exposure, and says so in place
        title = f"{f.source}: {label}; a lower bound: {f.lower_bound}"
        return f'<td class="num lv-{css}" title="{escape(title)}">at least {shown}{ci}</td>'
    return f'<td class="num lv-{css}" title="{escape(f.source)}: {escape(label)}">{shown}{ci}</td>'


def whatif_section(decision: Decision) -> str:
    """What each field costs: a sentence per change, and a table with the change in exposure and in each purpose,
    drawn as bars of one scale (a full bar is 100 points)."""
    if not decision.whatif:
        return ""
    first = decision.whatif[0]
    purposes = list(first.changed.keeps)
    head = (
        "<tr><th>change</th><th>re-identified</th><th>points</th>"
        + "".join(f"<th>{escape(p.replace('_', ' '))} kept</th><th>points</th>" for p in purposes)
        + "</tr>"
    )
    base = (
        f"<tr><td><b>{escape(first.base.policy)}</b> (the base)</td>{_plain(first.base.exposure)}<td></td>"
        + "".join(f"{_plain(first.base.keeps[p])}<td></td>" for p in purposes)
        + "</tr>"
    )
    rows = "".join(_whatif_row(w, purposes) for w in decision.whatif)
    sentences = "".join(f"<li>{escape(w.sentence)}</li>" for w in decision.whatif)
    return (
        '<section id="whatif"><h2>What each field costs</h2>'
        f"<p>Each change is made alone to <b>{escape(first.base.policy)}</b> and attacked like every policy. "
        "Points are the change from the base; bars: blue, re-identification avoided; red, re-identification "
        "added; amber, a purpose lost; green, a purpose gained (a full bar is 100 points).</p>"
        f'<table class="whatif" id="whatif-table">{head}{base}{rows}</table>'
        f'<ul class="recs">{sentences}</ul>{_whatif_chart(decision, purposes)}</section>'
    )


def _whatif_chart(decision: Decision, purposes: list[str]) -> str:
    """The marginal contributions as bars: each change's effect on re-identification and on each purpose, in
    points from the base (left of zero: less re-identified, or a purpose lost)."""
    series = [("re-identified", [w.exposure_change for w in decision.whatif])]
    series += [(f"{p.replace('_', ' ')} kept", [w.kept_change(p) for w in decision.whatif]) for p in purposes]
    return charts.change_bars(
        f"What each change does, in points from {decision.whatif[0].base.policy}",
        "whatif-chart",
        [w.label for w in decision.whatif],
        series,
        "change from the base (points)",
    )


def _whatif_row(w: WhatIfRow, purposes: list[str]) -> str:
    cells = [f"<td>{escape(w.label)}</td>", _plain(w.changed.exposure), _change(w.exposure_change, "exposure")]
    for p in purposes:
        cells += [_plain(w.changed.keeps[p]), _change(w.kept_change(p), "kept")]
    return f'<tr data-whatif="{escape(w.policy)}">{"".join(cells)}</tr>'


def _plain(f: Figure) -> str:
    if f.value is None:
        return f'<td class="lv-unmeasured" title="{escape(f.reason or "")}">not measured</td>'
    return f'<td class="num" title="{escape(f.source)}">{f.value:.1%}</td>'


def _change(delta: float | None, of: str) -> str:
    """The change in points, after its bar (a full bar is 100 points)."""
    if delta is None:
        return "<td></td>"
    css = {("exposure", True): "protects", ("exposure", False): "exposes", ("kept", True): "costs"}.get(
        (of, delta < 0), "gains"
    )
    width = min(abs(delta), 1.0) * 100
    bar = f'<span class="{css}" style="width:{width:.1f}%"></span>' if round(delta, 4) else ""
    return f'<td class="delta"><span class="barbox">{bar}</span>{delta * 100:+.1f}</td>'
