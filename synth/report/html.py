"""The report of a scenario run: one self-contained HTML file (inline styles and SVG, nothing fetched).

It opens with the decision (:mod:`synth.report.decision_table`): the policy recommended for each purpose and
the policies ranked by exposure, then what each field costs, the protection curve and the searched frontier
where the scenario asks for them. Then plain sentences per policy (who can be re-identified, contacted and
profiled, and what the policy keeps of each purpose), then the charts (exposure against utility, exposure by
group and by district, uniqueness estimators against the truth; drawn by :mod:`synth.report.charts`), the tables
with intervals, what each policy does, and the law, concretely: which safeguard each policy is in the words of
the DPDP Rules 2025 and what it achieves. Figures are means over the scenario's seeds; an interval is the seeds'
95% intervals pooled by Rubin's rules (:func:`synth.measure.pooled.pool_seeds`), so it holds both each seed's
sampling error and the variation between seeds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from synth.engine.io import atomic_text
from synth.measure.composed import composed_table
from synth.measure.curve import CurvePoint, curve_points
from synth.measure.decision import Decision, decide_run, scenario_policies
from synth.measure.names import COSTS, ESTIMATOR_LABELS, HEADLINE, LINKAGE, PURPOSE_MEASURE, SOURCES
from synth.measure.pooled import pool_seeds
from synth.report import charts
from synth.report.composed_section import composed_body
from synth.report.curve_section import curve_label, curve_section
from synth.report.decision_table import STYLE as DECISION_STYLE
from synth.report.decision_table import decision_section, whatif_section
from synth.report.figures import Figures, notes_by_attack
from synth.report.hash_cost_tables import hash_costs_section
from synth.report.law import law_section
from synth.report.search_section import search_section
from synth.report.sensitivity_section import sensitivity_section
from synth.report.summary import policy_sentence

ESTIMATORS = tuple(ESTIMATOR_LABELS)
CHECK_SCRIPT = """
document.addEventListener('DOMContentLoaded', function () {
  var charts = document.querySelectorAll('svg.chart-svg');
  var rendered = 0;
  charts.forEach(function (c) {
    var box = c.getBBox();
    if (box.width > 0 && box.height > 0 && c.childElementCount > 0) {
      c.setAttribute('data-rendered', 'yes');
      rendered++;
    }
  });
  document.body.setAttribute('data-charts', charts.length + ':' + rendered);
  // how far down the page the decision ends (the first screen is the top 900 px)
  var ends = ['ranking', 'recommendations'].map(function (id) {
    var el = document.getElementById(id);
    return id + '=' + (el ? Math.ceil(el.getBoundingClientRect().bottom + window.scrollY) : 'absent');
  });
  document.body.setAttribute('data-decision-ends', ends.join(';'));
  // text labels of a chart that overlap one another (bounding boxes on the page), as "chart:label|label;..."
  var overlaps = [];
  charts.forEach(function (c) {
    var boxes = Array.prototype.map.call(c.querySelectorAll('text'), function (t) {
      return [t.textContent, t.getBoundingClientRect()];
    });
    for (var i = 0; i < boxes.length; i++) {
      for (var j = i + 1; j < boxes.length; j++) {
        var a = boxes[i][1], b = boxes[j][1];
        if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
          overlaps.push(c.parentNode.id + ':' + boxes[i][0] + '|' + boxes[j][0]);
        }
      }
    }
  });
  document.body.setAttribute('data-overlaps', overlaps.join(';'));
});
"""
STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}td,th{border:1px solid #ddd;padding:.25em .5em}
th{background:#f3f3f3;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.summary li{margin:.4em 0}.note{color:#555;font-size:.9em}figure.chart{margin:1em 0}
figcaption{font-weight:600;margin-bottom:.3em}.grid{stroke:#e5e5e5}.tick{font-size:11px;fill:#444}
.axis{font-size:12px;fill:#222}.label{font-size:11px;fill:#222}.q{margin:.2em 0}
"""


def render_report(run_dir: str | Path) -> Path:
    """Write ``run_dir/report.html`` from the run's results, notes and resolved scenario; return its path."""
    run = Path(run_dir)
    for name in ("results.parquet", "scenario.resolved.json"):
        if not (run / name).is_file():
            raise FileNotFoundError(f"{run}: no {name}; is this the output folder of `synth run`?")
    results = measured = pl.read_parquet(run / "results.parquet")
    if (run / "timings.parquet").is_file():  # the hash rates the cost tables need; not what each unit cost
        timings = pl.read_parquet(run / "timings.parquet")
        results = pl.concat([results, timings.filter(~pl.col("measure").is_in(list(COSTS)))])
    resolved = json.loads((run / "scenario.resolved.json").read_text())
    notes = json.loads((run / "notes.json").read_text()) if (run / "notes.json").is_file() else []
    if resolved.get("releases"):  # several releases at once: their own page
        table = composed_table(measured, [r["id"] for r in resolved["releases"]])
        head = resolved.get("scenario", {}).get("scenario", {})
        body = f"<h1>{escape(str(head.get('id', 'scenario')))}</h1><p>{escape(str(head.get('description', '')))}</p>"
        setting = _setting(resolved, recipient=False)  # each release's leak is in its table
        atomic_text(run / "report.html", _page(head, body + setting + composed_body(table, resolved, notes)))
        return run / "report.html"
    decision = decide_run(measured, resolved, notes)  # the results alone, not the hash rates beside them
    curve = curve_points(measured, resolved, notes)
    extra = search_section(run) + sensitivity_section(run, decision)
    html = build_html(results, resolved, notes, decision, extra, curve)
    atomic_text(run / "report.html", html)
    return run / "report.html"


def summarize(results: pl.DataFrame) -> pl.DataFrame:
    """Mean over seeds of every (policy, attack, group, measure), with the seeds' intervals pooled.

    The interval adds the variation between seeds to the seeds' own intervals (Rubin's rules; see
    :mod:`synth.measure.pooled`); a single seed keeps its own interval.
    """
    return pool_seeds(results)


def build_html(
    results: pl.DataFrame,
    resolved: dict[str, Any],
    notes: list[str],
    decision: Decision | None = None,
    search: str = "",
    curve: Sequence[CurvePoint] = (),
) -> str:
    """The whole report as a string (``decision``: the run's, else decided here from ``results``; ``search``: the
    searched frontier's and the sensitivity's sections, if the run has them; ``curve``: the protection curve's
    points, if it has one)."""
    scenario = resolved.get("scenario", {})
    head = scenario.get("scenario", {})
    # the what-if's and the curve's own policies are shown in their sections only
    policies = [p["id"] for p in scenario_policies(resolved)] or results["policy"].unique(maintain_order=True).to_list()
    table = summarize(results)
    fig = Figures(table)
    decision = decision or decide_run(results, resolved, notes)
    colours = charts.colours_of(policies)  # a policy's colour is the same in every chart
    sections = [
        f"<h1>{escape(str(head.get('id', 'scenario')))}</h1>",
        decision_section(decision),
        whatif_section(decision),
        curve_section(curve),
        search,
        "<h2>The scenario</h2>",
        f"<p>{escape(str(head.get('description', '')))}</p>",
        _setting(resolved),
        "<h2>Summary</h2>",
        '<ul class="summary">' + "".join(f"<li>{policy_sentence(fig, p, notes)}</li>" for p in policies) + "</ul>",
        '<h2 id="exposure-utility">Exposure against utility</h2>',
        "".join(
            _frontier(decision, policies, purpose, colours, curve)
            for purpose in resolved.get("purposes", PURPOSE_MEASURE)
        ),
        "<h2>Exposure by group and district</h2>",
        _by_stratum(fig, policies, "registry", "Re-identified by registry group (share of released rows)", colours),
        _by_stratum(fig, policies, "district", "Re-identified by district (share of released rows)", colours),
        "<h2>Population uniqueness: estimators against the truth</h2>",
        _uniqueness(fig, policies),
        "<h2>The cost of every hash</h2>",
        hash_costs_section(fig, policies),
        "<h2>What each policy does</h2>",
        _policy_steps(resolved),
        "<h2>The law, concretely</h2>",
        law_section(decision, fig, resolved),
        "<h2>All figures</h2>",
        '<p class="note">Means over the seeds. The 95% interval pools the seeds\' own intervals with the '
        "variation between seeds (Rubin's rules: the within-seed variance read from each interval's width, "
        "plus the between-seed variance of the values, scaled by Student's t with Rubin's degrees of freedom); "
        "with one seed it is that seed's interval. Measure names are defined by <code>synth list measures</code>.</p>",
        "".join(_figures_table(table, p, notes) for p in policies),
        "<h2>Not measured</h2>",
        "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>" if notes else "<p>Everything ran.</p>",
    ]
    return _page(head, "".join(sections))


def _page(head: Mapping[str, Any], body: str) -> str:
    """A whole HTML page: offline (no request leaves it), its charts checked as it loads."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(str(head.get('id', 'report')))}: synth report</title>"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<style>{STYLE}{DECISION_STYLE}</style><script>{CHECK_SCRIPT}</script></head><body>" + body + "</body></html>"
    )


def _setting(resolved: dict[str, Any], recipient: bool = True) -> str:
    """The world, the recipient and its leak (``recipient``: a scenario of one release), the attacker, the seeds."""
    s = resolved.get("scenario", {})
    attacker = s.get("attacker", {})
    world = resolved.get("world_manifest_spec", {})
    where = ", ".join(world.get("districts") or []) or "the whole state"
    if world.get("local_bodies"):
        where = f"{world['local_bodies']} local bodies of {where}"
    held = s.get("recipient", {})
    leak = (
        f"Recipient: {escape(str(held.get('name', 'the recipient')))}; onward leak: "
        f"{float(held.get('onward_leak', 1.0)):.0%} of the released rows. "
        if recipient
        else ""
    )
    noise = world.get("noise") or {}
    assumed = (
        " Assumptions overridden: " + escape(", ".join(f"{k} = {v:g}" for k, v in sorted(noise.items()))) + "."
        if noise
        else ""
    )
    return (
        f"<p>World: synthetic {escape(str(world.get('preset', '')))}, {escape(where)}, seed {world.get('seed')}."
        f"{assumed} "
        f"{leak}Attacker's sources: {escape(', '.join(attacker.get('sources', list(SOURCES[:2]))))}. "
        f"Seeds: {escape(', '.join(map(str, s.get('seeds', [0]))))}.</p>"
    )


def _frontier(
    decision: Decision, policies: list[str], purpose: str, colours: dict[str, str], curve: Sequence[CurvePoint]
) -> str:
    """Each policy's re-identification against what it keeps of ``purpose``, with the protection curve's points
    where they have both figures; a policy whose exposure was not measured is left off the chart, not drawn at 0,
    and named under it."""
    _, label = PURPOSE_MEASURE[purpose]
    by = {r.policy: r for r in decision.ranking}
    shown = [p for p in policies if p in by]
    points = [
        (p, e, k)
        for p in shown
        if (e := by[p].exposure.value) is not None and (k := by[p].keeps[purpose].value) is not None
    ]
    off = [p for p in shown if by[p].exposure.value is None]
    note = (
        f'<p class="note">Not on the chart, their re-identification not measured: {escape(", ".join(off))} '
        "(the decision's notes say why).</p>"
        if off
        else ""
    )
    if not points:
        return f'<p class="note">{escape(label)}: no policy gives a figure.</p>{note}'
    on_curve = [
        (curve_label(c), e, k)
        for c in curve
        if (e := c.attached.value) is not None and purpose in c.keeps and (k := c.keeps[purpose].value) is not None
    ]
    chart = charts.scatter(
        f"{label} against re-identification" + (", with the protection curve" if on_curve else ""),
        f"frontier-{purpose}",
        points,
        "re-identified (share of rows; of registry memberships for tables)",
        f"{purpose.replace('_', ' ')} kept",
        colours,
        on_curve,
    )
    return chart + note


def _by_stratum(fig: Figures, policies: list[str], stratum: str, title: str, colours: dict[str, str]) -> str:
    found = [a for a in (HEADLINE, *LINKAGE) if fig.groups(a, stratum)]
    if not found:
        return f'<p class="note">No linkage breakdown by {stratum}.</p>'
    attack = max(found, key=lambda a: sum(fig.get(p, a, "correct") or 0.0 for p in policies))
    groups = fig.groups(attack, stratum)
    names = [g.split("=", 1)[1] for g in groups]
    if len(groups) < 2:  # a chart of one category says nothing a table does not
        return (
            f'<p class="note">{escape(title)}: one {stratum} only ({escape(", ".join(names))}); '
            "its figures are in the tables below.</p>"
        )
    series = [(p, [fig.get(p, attack, "recall", g) for g in groups]) for p in policies]
    series = [(p, vs) for p, vs in series if any(v is not None for v in vs)]
    return charts.grouped_bars(
        f"{title}, {attack.replace('_', ' ')}", f"by-{stratum}", names, series, "re-identified", colours=colours
    )


def _uniqueness(fig: Figures, policies: list[str]) -> str:
    shown = [p for p in policies if fig.get(p, "release", "true_share") is not None]
    if not shown:
        return '<p class="note">No release of rows to estimate uniqueness on.</p>'
    series = [("truth", [fig.get(p, "release", "true_share") for p in shown])]
    series += [(e, [fig.get(p, "release", f"unique_share_{e}") for p in shown]) for e in ESTIMATORS]
    chart = charts.grouped_bars(
        "Share of the population unique on the release's quasi-identifiers", "uniqueness", shown, series, "share", True
    )
    missing = [
        f"{ESTIMATOR_LABELS[e]} for {', '.join(p for p, v in zip(shown, vs, strict=True) if v is None)}"
        for e, vs in series[1:]
        if any(v is None for v in vs)
    ]
    why = (
        f" No bar where the estimator's fit did not converge on the release, so it gives no estimate: "
        f"{'; '.join(missing)}."
        if missing
        else ""
    )
    return chart + (
        '<p class="note">Estimators see only the release and the population size, as a data holder would; '
        f"the truth is counted in the synthetic world.{escape(why)}</p>"
    )


def _policy_steps(resolved: dict[str, Any]) -> str:
    items = []
    for p in resolved.get("policies", []):
        steps = "".join(f"<li><code>{escape(s)}</code></li>" for s in p.get("steps", [])) or "<li>none</li>"
        items.append(f"<h3>{escape(p['id'])}</h3><p>{escape(p.get('description', ''))}</p><ol>{steps}</ol>")
    return "".join(items)


def _figures_table(table: pl.DataFrame, policy: str, notes: list[str]) -> str:
    """Every figure of ``policy``; beside an attack's figures, or in their place, what its notes say (a
    lower bound, not applicable, not measured)."""
    rows = table.filter((pl.col("policy") == policy) & (pl.col("group") == "all"))
    said = notes_by_attack(notes, policy)
    if rows.height == 0 and not said:
        return f"<h3>{escape(policy)}</h3><p>No figures.</p>"
    body = []
    shown = rows["attack"].unique(maintain_order=True).to_list()
    for attack in [*shown, *(a for a in said if a not in shown)]:
        for r in rows.filter(pl.col("attack") == attack).iter_rows(named=True):
            ci = "" if r["ci_low"] is None else f"{r['ci_low']:.4g} to {r['ci_high']:.4g}"
            body.append(
                f"<tr><td>{escape(r['attack'])}</td><td>{escape(r['measure'])}</td>"
                f'<td class="num">{r["value"]:,.6g}</td><td class="num">{ci}</td></tr>'
            )
        kind = "note" if attack in shown else "not measured"
        body += [
            f'<tr class="note"><td>{escape(attack)}</td><td colspan="3">{kind}: {escape(m)}</td></tr>'
            for m in said.get(attack, [])
        ]
    return (
        f"<h3>{escape(policy)}</h3><table><tr><th>attack</th><th>measure</th><th>value</th><th>95% interval</th></tr>"
        + "".join(body)
        + "</table>"
    )
