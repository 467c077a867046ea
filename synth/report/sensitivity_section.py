"""The report's sensitivity (:mod:`synth.scenario.sensitivity`): each policy's headlines as central [lowest,
highest] over the world's assumptions set low and high, with the assumption that moves each most, and a tornado
chart of what each assumption does to the re-identification of the policy the settings were judged by."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from synth.measure.decision import Decision
from synth.measure.sensitivity import EXPOSURE, headline_value, headlines
from synth.report import charts

SENSITIVITY_JSON = Path("sensitivity") / "sensitivity.json"
LABELS = {EXPOSURE: "re-identified", "contactable": "contactable", "fraud_ready": "fraud-ready"}


def sensitivity_section(run_dir: Path, decision: Decision) -> str:
    """The section, or "" for a run without a sensitivity."""
    path = run_dir / SENSITIVITY_JSON
    if not path.is_file():
        return ""
    summary = json.loads(path.read_text())
    central = decision.to_dict()
    rows = headlines(central, summary)
    assumptions = summary["assumptions"]
    listed = "".join(
        f'<tr><td><code>{escape(a["name"])}</code></td><td class="num">{a["low"]:g}</td>'
        f'<td class="num">{a["central"]:g}</td><td class="num">{a["high"]:g}</td>'
        f'<td class="num">{a["worst"]:g}</td></tr>'
        for a in assumptions
    )
    table = "".join(
        f"<tr><td>{escape(r['policy'])}</td><td>{escape(_label(r['measure']))}</td>{_range(r)}"
        f"<td>{escape(r['moves_most'] or 'none')}</td></tr>"
        for r in rows
    )
    judge = summary["judge"]
    at = headline_value(central, judge, EXPOSURE)

    def value(name: str, end: str) -> float | None:
        return headline_value(summary["decisions"][f"{name}={end}"], judge, EXPOSURE)

    def swing(name: str) -> float:
        low, high = value(name, "low"), value(name, "high")
        return 0.0 if low is None or high is None else abs(high - low)

    changes = sorted((a["name"] for a in assumptions), key=swing, reverse=True)  # a tornado: the widest on top
    series = [
        (
            f"{end} setting",
            [
                None
                if (v := headline_value(summary["decisions"][f"{n}={end}"], judge, EXPOSURE)) is None or at is None
                else v - at
                for n in changes
            ],
        )
        for end in ("low", "high")
    ]
    chart = charts.change_bars(
        f"What each assumption does to {judge}'s re-identification (central {_share(at)})",
        "sensitivity-chart",
        changes,
        series,
        "change in points from the central setting",
    )
    return (
        '<section id="sensitivity"><h2>The range of every headline over the world\'s assumptions</h2>'
        "<p>Each assumption about the attacker's sources set low, then high, the others central; then all at the "
        "end that re-identifies more people (their worst) and all at the other (their best). Each setting is a world "
        "of its own over the same people. A headline reads central [lowest, highest] over every setting.</p>"
        '<table id="sensitivity-assumptions"><tr><th>assumption</th><th>low</th><th>central</th><th>high</th>'
        f"<th>worst</th></tr>{listed}</table>"
        f"{chart}"
        '<table class="rank" id="sensitivity-table"><tr><th>policy</th><th>headline</th><th>central [lowest, '
        f"highest]</th><th>moved most by</th></tr>{table}</table></section>"
    )


def _label(measure: str) -> str:
    if measure.startswith("keeps."):
        return f"{measure.removeprefix('keeps.').replace('_', ' ')} kept"
    return LABELS[measure]


def _range(row: dict[str, Any]) -> str:
    return f'<td class="num">{_share(row["central"])} [{_share(row["low"])}, {_share(row["high"])}]</td>'


def _share(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1%}"
