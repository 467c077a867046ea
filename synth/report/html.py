"""The report of a scenario run: one self-contained HTML file (inline styles and SVG, nothing fetched).

It opens with plain sentences per policy (who can be re-identified, contacted and profiled, and what the
policy keeps of each purpose), then the charts (exposure against utility, exposure by group and by
district, uniqueness estimators against the truth), the tables with intervals, what each policy does,
and the questions the DPDP Act 2023 raises about it. Figures are means over the scenario's seeds; an
interval is the seeds' 95% intervals pooled by Rubin's rules (:func:`synth.measure.pooled.pool_seeds`), so
it holds both each seed's sampling error and the variation between seeds.
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from synth.attacks import hash_reversal, probabilistic_linkage, reach, singling_out
from synth.attacks.auxiliary import SOURCES
from synth.attacks.registry import HEADLINE, LINKAGE
from synth.measure import hash_reversal as hash_costs
from synth.measure.pooled import pool_seeds
from synth.report import svg

HASH, REACH, SINGLING_OUT = hash_reversal.ATTACK_ID, reach.ATTACK_ID, singling_out.ATTACK_ID
PROBABILISTIC = probabilistic_linkage.ATTACK_ID
ESTIMATORS = ("pitman", "zayatz", "snb", "dankar")
PURPOSE_MEASURE = {
    "outreach": ("outreach_reach", "Outreach: share of intended recipients reachable"),
    "ward_planning": ("ward_planning_within_tolerance", "Ward planning: cells counted within 10%"),
    "research": ("research_accuracy", "Research: accuracy of a model trained on the release"),
}
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
});
"""
STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:980px;margin:2em auto;padding:0 1em;
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
    results = pl.read_parquet(run / "results.parquet")
    if (run / "timings.parquet").is_file():
        results = pl.concat([results, pl.read_parquet(run / "timings.parquet")])
    resolved = json.loads((run / "scenario.resolved.json").read_text())
    notes = json.loads((run / "notes.json").read_text()) if (run / "notes.json").is_file() else []
    html = build_html(results, resolved, notes)
    tmp = run / ".report.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(run / "report.html")
    return run / "report.html"


def summarize(results: pl.DataFrame) -> pl.DataFrame:
    """Mean over seeds of every (policy, attack, group, measure), with the seeds' intervals pooled.

    The interval adds the variation between seeds to the seeds' own intervals (Rubin's rules; see
    :mod:`synth.measure.pooled`); a single seed keeps its own interval.
    """
    return pool_seeds(results)


def build_html(results: pl.DataFrame, resolved: dict[str, Any], notes: list[str]) -> str:
    """The whole report as a string."""
    scenario = resolved.get("scenario", {})
    head = scenario.get("scenario", {})
    policies = [p["id"] for p in resolved.get("policies", [])] or results["policy"].unique(
        maintain_order=True
    ).to_list()
    table = summarize(results)
    fig = _Figures(table)
    sections = [
        f"<h1>{escape(str(head.get('id', 'scenario')))}</h1>",
        f"<p>{escape(str(head.get('description', '')))}</p>",
        _setting(resolved),
        "<h2>Summary</h2>",
        '<ul class="summary">' + "".join(f"<li>{_sentence(fig, p, notes)}</li>" for p in policies) + "</ul>",
        "<h2>Exposure against utility</h2>",
        "".join(_frontier(fig, policies, purpose) for purpose in resolved.get("purposes", PURPOSE_MEASURE)),
        "<h2>Exposure by group and district</h2>",
        _by_stratum(fig, policies, "registry", "Re-identified by registry group (share of released rows)"),
        _by_stratum(fig, policies, "district", "Re-identified by district (share of released rows)"),
        "<h2>Population uniqueness: estimators against the truth</h2>",
        _uniqueness(fig, policies),
        "<h2>The cost of every hash</h2>",
        _hash_costs(fig, policies),
        "<h2>What each policy does</h2>",
        _policy_steps(resolved),
        "<h2>Questions under the DPDP Act 2023</h2>",
        '<p class="note">Questions for the reader, not legal advice.</p>',
        "".join(_dpdp(fig, p) for p in policies),
        "<h2>All figures</h2>",
        '<p class="note">Means over the seeds. The 95% interval pools the seeds\' own intervals with the '
        "variation between seeds (Rubin's rules: the within-seed variance read from each interval's width, "
        "plus the between-seed variance of the values, scaled by Student's t with Rubin's degrees of freedom); "
        "with one seed it is that seed's interval. Measure names are defined by <code>synth list measures</code>.</p>",
        "".join(_figures_table(table, p, notes) for p in policies),
        "<h2>Not measured</h2>",
        "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>" if notes else "<p>Everything ran.</p>",
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(str(head.get('id', 'report')))}: synth report</title>"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<style>{STYLE}</style><script>{CHECK_SCRIPT}</script></head><body>" + "".join(sections) + "</body></html>"
    )


class _Figures:
    """Lookups into the summarized results."""

    def __init__(self, table: pl.DataFrame) -> None:
        self.values = {(r["policy"], r["attack"], r["group"], r["measure"]): r for r in table.iter_rows(named=True)}

    def get(self, policy: str, attack: str, measure: str, group: str = "all") -> float | None:
        row = self.values.get((policy, attack, group, measure))
        return None if row is None else float(row["value"])

    def best_chain(self, policy: str, attack: str) -> tuple[str, float] | None:
        """The chain that re-identified most rows for ``attack``, and how many."""
        chains = [
            (g.split("=", 1)[1], v)
            for g in self.groups(attack, "chain")
            if (v := self.get(policy, attack, "correct", g))
        ]
        return max(chains, key=lambda c: c[1]) if chains else None

    def groups(self, attack: str, stratum: str) -> list[str]:
        return sorted({g for (_, a, g, _) in self.values if a == attack and g.startswith(f"{stratum}=")})

    def linkage(self, policy: str) -> tuple[str, float, float] | None:
        """The strongest attacker (re-identification by any chain) where the scenario has it, else the linkage
        attack that re-identifies most: its id, rows re-identified and recall."""
        correct = self.get(policy, HEADLINE, "correct")
        if correct is not None:
            return HEADLINE, correct, self.get(policy, HEADLINE, "recall") or 0.0
        best = None
        for attack in LINKAGE:
            correct = self.get(policy, attack, "correct")
            if correct is not None and (best is None or correct > best[1]):
                best = (attack, correct, self.get(policy, attack, "recall") or 0.0)
        return best


def _n(v: float | None) -> str:
    return "n/a" if v is None else f"{v:,.0f}"


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1%}"


def _setting(resolved: dict[str, Any]) -> str:
    s = resolved.get("scenario", {})
    attacker = s.get("attacker", {})
    world = resolved.get("world_manifest_spec", {})
    where = ", ".join(world.get("districts") or []) or "the whole state"
    if world.get("local_bodies"):
        where = f"{world['local_bodies']} local bodies of {where}"
    recipient = s.get("recipient", {})
    return (
        f"<p>World: synthetic {escape(str(world.get('preset', '')))}, {escape(where)}, seed {world.get('seed')}. "
        f"Recipient: {escape(str(recipient.get('name', 'the recipient')))}; onward leak: "
        f"{float(recipient.get('onward_leak', 1.0)):.0%} of the released rows. Attacker's sources: "
        f"{escape(', '.join(attacker.get('sources', list(SOURCES[:2]))))}. "
        f"Seeds: {escape(', '.join(map(str, s.get('seeds', [0]))))}.</p>"
    )


def _sentence(fig: _Figures, policy: str, notes: list[str]) -> str:
    released = fig.get(policy, REACH, "people_released") or fig.get(policy, "utility", "outreach_people_released")
    parts = [f"<b>{escape(policy)}</b>: "]
    link = fig.linkage(policy)
    if link is not None:
        attack, correct, recall = link
        precision = fig.get(policy, attack, "precision")
        groups = _by_group(fig, policy, attack, "recall")
        best = fig.best_chain(policy, attack)
        how = (
            f"by any chain of attacks (most by {escape(best[0].replace('>', ' then ').replace('_', ' '))}: "
            f"{_n(best[1])})"
            if attack == HEADLINE and best
            else f"by {attack.replace('_', ' ')}"
        )
        parts.append(
            f"the strongest attacker re-identifies {_n(correct)} released rows ({_pct(recall)} of them{groups}) "
            f"{how}, with {_pct(precision)} of the rows it links right"
        )
        said = _notes_by_attack(notes, policy)
        bounds = [f"{a.replace('_', ' ')} {m}" for a in LINKAGE for m in said.get(a, []) if "lower bound" in m]
        if bounds:
            parts.append(f" (a lower bound: {escape('; '.join(bounds))})")
        # a linkage attack of the scenario that did not run is not a 0: say why beside the figure it leaves out
        skipped = [
            f"{a.replace('_', ' ')}: {m.removeprefix(f'attack {a!r}: ')}"
            for a in LINKAGE
            if fig.get(policy, a, "correct") is None
            for m in said.get(a, [])
        ]
        if skipped:
            parts.append(f" (did not run: {escape('; '.join(skipped))})")
        parts.append(_at_precision(fig, policy))
    else:
        parts.append("no released row can be linked to a named person (the release holds no rows of people)")
    contact, fraud = fig.get(policy, REACH, "contactable"), fig.get(policy, REACH, "fraud_ready")
    if contact is not None:
        share = f" ({_pct(contact / released)})" if released else ""
        parts.append(
            f"; {_n(contact)} people can be phoned{share} and {_n(fraud)} vulnerable people profiled"
            f"{_by_group(fig, policy, REACH, 'fraud_ready', ' (rows ready for fraud: ')}"
        )
    recovered = fig.get(policy, HASH, "correct")
    if recovered is not None:
        cands, plan = fig.get(policy, HASH, "candidates"), fig.get(policy, HASH, "plan_size")
        core, gpu = (
            fig.get(policy, HASH, "real_space_cpu_core_seconds"),
            fig.get(policy, HASH, "real_space_gpu_seconds"),
        )
        part = (
            f" in a slice of {_n(cands)} of the plan's {_n(plan)} numbers (a lower bound: the whole plan recovers more)"
            if cands and plan and cands < plan
            else f" over the whole plan of {_n(plan)} numbers (exactly what hashing every number recovers)"
        )
        cost = (
            f"; the real mobile space takes {core / 3600:,.1f} core-hours, {gpu:,.1f} s on one GPU"
            if core and gpu and recovered
            else f"; enumerating the real mobile space ({core / 3600:,.1f} core-hours, {gpu:,.1f} s on one GPU) "
            "recovers none of them"
            if core and gpu
            else ""
        )
        parts.append(
            f"; hash reversal recovered {_n(recovered)} phone numbers "
            f"({_pct(fig.get(policy, HASH, 'recall'))} of the digests){part}{cost}"
        )
    unique = fig.get(policy, SINGLING_OUT, "unique_in_population")
    named = fig.get(policy, SINGLING_OUT, "with_names_unique_in_population")
    if named is not None:
        parts.append(
            f"; {_pct(named)} of rows single out one person in the whole population "
            f"({_pct(unique)} on age, sex and place alone)"
        )
    elif unique is not None:
        parts.append(f"; {_pct(unique)} of rows single out one person in the whole population")
    keeps = []
    for purpose, (measure, _) in PURPOSE_MEASURE.items():
        v = fig.get(policy, "utility", measure)
        if v is not None:
            keeps.append(f"{purpose.replace('_', ' ')} {_pct(v)}")
    ceiling = fig.get(policy, "utility", "research_ceiling")
    if keeps:
        extra = (
            f" (the original release gives {_pct(ceiling)})" if ceiling is not None and "research" in keeps[-1] else ""
        )
        parts.append(f". It keeps: {', '.join(keeps)}{extra}.")
    else:
        parts.append(". It keeps none of the measured purposes.")
    return "".join(parts)


def _at_precision(fig: _Figures, policy: str) -> str:
    """``; an attacker who sets probabilistic linkage's threshold for 90% precision links ...``, where measured."""
    at = {level: fig.get(policy, PROBABILISTIC, f"recall_at_precision_{level}") for level in (90, 95, 99)}
    if at[90] is None:
        return ""
    return (
        f"; an attacker who sets probabilistic linkage's threshold for 90% of its links right links {_pct(at[90])} "
        f"of the rows by it alone ({_pct(at[95])} at 95%, {_pct(at[99])} at 99%; "
        f"{_pct(fig.get(policy, PROBABILISTIC, 'recall'))} at the scenario's threshold)"
    )


def _by_group(fig: _Figures, policy: str, attack: str, measure: str, lead: str = ": ") -> str:
    """``: employees 80%, pensioners 85%, ...``, the share of each registry group's rows, if broken down."""
    shares = [
        f"{g.split('=', 1)[1].replace('_', ' ')} {_pct(v)}"
        for g in fig.groups(attack, "registry")
        if (v := fig.get(policy, attack, measure, g)) is not None
    ]
    if not shares:
        return ""
    return f"{lead}{', '.join(shares)}" + (")" if lead.startswith(" (") else "")


def _exposure(fig: _Figures, policy: str) -> float:
    link = fig.linkage(policy)
    return link[2] if link is not None else 0.0


def _frontier(fig: _Figures, policies: list[str], purpose: str) -> str:
    measure, label = PURPOSE_MEASURE[purpose]
    points = [(p, _exposure(fig, p), u) for p in policies if (u := fig.get(p, "utility", measure)) is not None]
    if not points:
        return f'<p class="note">{escape(label)}: no policy gives a figure.</p>'
    return svg.scatter(
        f"{label} against re-identification", f"frontier-{purpose}", points, "re-identified (share of rows)", label
    )


def _by_stratum(fig: _Figures, policies: list[str], stratum: str, title: str) -> str:
    found = [a for a in (HEADLINE, *LINKAGE) if fig.groups(a, stratum)]
    if not found:
        return f'<p class="note">No linkage breakdown by {stratum}.</p>'
    attack = max(found, key=lambda a: sum(fig.get(p, a, "correct") or 0.0 for p in policies))
    groups = fig.groups(attack, stratum)
    series = [(p, [fig.get(p, attack, "recall", g) for g in groups]) for p in policies]
    series = [(p, vs) for p, vs in series if any(v is not None for v in vs)]
    names = [g.split("=", 1)[1] for g in groups]
    return svg.grouped_bars(f"{title}, {attack.replace('_', ' ')}", f"by-{stratum}", names, series, "re-identified")


def _uniqueness(fig: _Figures, policies: list[str]) -> str:
    shown = [p for p in policies if fig.get(p, "release", "true_share") is not None]
    if not shown:
        return '<p class="note">No release of rows to estimate uniqueness on.</p>'
    series = [("truth", [fig.get(p, "release", "true_share") for p in shown])]
    series += [(e, [fig.get(p, "release", f"unique_share_{e}") for p in shown]) for e in ESTIMATORS]
    chart = svg.grouped_bars(
        "Share of the population unique on the release's quasi-identifiers", "uniqueness", shown, series, "share", True
    )
    return chart + (
        '<p class="note">Estimators see only the release and the population size, as a data holder would; '
        "the truth is counted in the synthetic world. A missing bar: the estimator did not converge.</p>"
    )


def _hash_costs(fig: _Figures, policies: list[str]) -> str:
    """Time to reverse a hashed phone: the scenario's hashed policies as measured in this run, then every primitive a
    data holder might choose, projected to one GPU. Shown always: the choice of a hash is made before a scenario
    compares a few of them (see :mod:`synth.measure.hash_reversal` for the model and the sources)."""

    def took(policy: str, measure: str) -> str:
        value = fig.get(policy, HASH, measure)
        return hash_costs.duration(math.nan if value is None else value)

    rows = []
    for policy in policies:
        digests = fig.get(policy, HASH, "rows")
        if digests is None:
            continue
        head = (
            f"<tr><td>{escape(policy)}</td><td class='num'>{_n(fig.get(policy, HASH, 'correct'))} of {_n(digests)}"
            f"</td><td class='num'>{_n(fig.get(policy, HASH, 'hashes_per_second'))}</td>"
        )
        if fig.get(policy, HASH, "reversible") == 0:
            rows.append(
                f"{head}<td colspan='6'>infeasible: the digests need a secret the release does not hold</td></tr>"
            )
            continue
        counts = [fig.get(policy, HASH, m) for m in ("gpu_hashes_per_second", "birth_dates", "enumerations")]
        times = [
            took(policy, m) for m in ("real_space_cpu_core_seconds", "real_space_gpu_seconds", "per_record_gpu_seconds")
        ]
        rows.append(head + "".join(f"<td class='num'>{v}</td>" for v in [*map(_n, counts), *times]) + "</tr>")
    measured = (
        "<table><tr><th>policy</th><th>digests recovered</th><th>hashes/s, one CPU core (measured)</th>"
        "<th>hashes/s, one GPU (published)</th><th>birth dates per number</th><th>enumerations</th>"
        "<th>every digest, one CPU core</th><th>every digest, one GPU</th><th>one record, one GPU</th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else "<p>No policy of this scenario released hashed phone numbers.</p>"
    )
    space, records = hash_costs.REAL_MOBILE_SPACE, hash_costs.RECORDS
    reference = []
    for p in hash_costs.PRIMITIVES:
        one, every = p.seconds(p.gpu_rate, space, records)
        note = p.infeasible or (
            f"ambiguous: {p.ambiguity(space):.2f} numbers per digest on average" if p.truncated_bits else ""
        )
        reference.append(
            f"<tr><td>{escape(p.label)}</td><td class='num'>{_n(p.gpu_rate) if p.reversible else 'none'}</td>"
            f"<td class='num'>{hash_costs.duration(one)}</td><td class='num'>{hash_costs.duration(every)}</td>"
            f"<td>{escape(note)}</td><td>{p.gpu.mode if p.gpu else ''}</td></tr>"
        )
    sources = sorted({p.gpu.source for p in hash_costs.PRIMITIVES if p.gpu is not None})
    return (
        '<p class="note">Time to recover hashed phone numbers by enumerating every number they can be (the '
        f"{space:,.0f} Indian mobile numbers; worst case, half that on average): on one CPU core at the rate "
        "measured in this run for each policy's own primitive, and on one GPU at hashcat's published RTX 4090 rate. "
        "A salt per record multiplies the work by the records; a birth date hashed with the phone multiplies it by "
        "the birth dates tried: the 366 of the year of life a released age leaves for one record, the dates of "
        f"{hash_costs.DOB_YEARS} years (or of the released ages' years of life) for every record.</p>"
        + measured
        + f"<h3>Every primitive, one GPU, {space:,.0f} numbers, {records:,.0f} records</h3>"
        '<p class="note">Projected from the published rates below (the CPU rate of each primitive is measured by '
        '<code>make bench</code>: benchmarks/README.md). "Infeasible": the secret must be guessed for every '
        "number.</p>"
        "<table><tr><th>primitive</th><th>hashes/s, one GPU</th><th>one record</th><th>every record</th>"
        "<th>note</th><th>hashcat mode</th></tr>" + "".join(reference) + "</table>"
        '<ul class="note">' + "".join(f"<li>{escape(s)}</li>" for s in sources) + "</ul>"
    )


def _policy_steps(resolved: dict[str, Any]) -> str:
    items = []
    for p in resolved.get("policies", []):
        steps = "".join(f"<li><code>{escape(s)}</code></li>" for s in p.get("steps", [])) or "<li>none</li>"
        items.append(f"<h3>{escape(p['id'])}</h3><p>{escape(p.get('description', ''))}</p><ol>{steps}</ol>")
    return "".join(items)


def _dpdp(fig: _Figures, policy: str) -> str:
    link = fig.linkage(policy)
    reid = f"{_n(link[1])} released rows can be tied to named voters" if link else "no row can be tied to a voter"
    reach = fig.get(policy, "utility", "outreach_reach")
    questions = [
        (
            "Purpose limitation (sections 4 to 6)",
            "Was messaging these people a purpose they were told of and agreed to, or a legitimate use "
            f"the Act allows? This release lets its holder reach {_pct(reach)} of the intended recipients.",
        ),
        (
            "Data minimisation (section 6(1))",
            "Is every field released necessary for that purpose, or would a narrower release "
            "(tokens, aggregate counts, the controller sending) serve it?",
        ),
        (
            "Security safeguards (section 8(5))",
            f"If this release leaked onward, {reid}; are the safeguards around it reasonable for that exposure?",
        ),
    ]
    body = "".join(f'<p class="q"><b>{escape(t)}</b>: {escape(q)}</p>' for t, q in questions)
    return f"<h3>{escape(policy)}</h3>{body}"


def _notes_by_attack(notes: list[str], policy: str) -> dict[str, list[str]]:
    """The run's notes on ``policy`` (``POLICY / UNIT: message``), by unit."""
    out: dict[str, list[str]] = {}
    for note in notes:
        unit, sep, message = note.removeprefix(f"{policy} / ").partition(": ")
        if note.startswith(f"{policy} / ") and sep:
            out.setdefault(unit, []).append(message)
    return out


def _figures_table(table: pl.DataFrame, policy: str, notes: list[str]) -> str:
    """Every figure of ``policy``; beside an attack's figures, or in their place, what its notes say (a
    lower bound, not applicable, not measured)."""
    rows = table.filter((pl.col("policy") == policy) & (pl.col("group") == "all"))
    said = _notes_by_attack(notes, policy)
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
