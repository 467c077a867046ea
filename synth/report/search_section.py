"""The report's searched frontier (:mod:`synth.scenario.search`): for each purpose, the screened candidates
charted by exposure against the share of the purpose kept, the frontier numbered, and a table of the frontier
attacked in full beside the screen's figures."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from synth.measure.names import PURPOSE_MEASURE
from synth.report import charts

SEARCH_JSON = Path("search") / "search.json"


def search_section(run_dir: Path) -> str:
    """The section, or "" for a run without a search."""
    path = run_dir / SEARCH_JSON
    if not path.is_file():
        return ""
    search = json.loads(path.read_text())
    candidates = search["candidates"]
    full = {r["policy"]: r for r in search["frontier"]["ranking"]}
    purposes = list(candidates[0]["screened"]["keeps"]) if candidates else []
    front = [c for c in candidates if c["frontier_for"]]
    drawn = "".join(_chart(candidates, purpose) for purpose in purposes)
    rows = "".join(_row(i, c, full.get(c["policy"]), purposes) for i, c in enumerate(front, start=1))
    head = (
        "<tr><th>#</th><th>policy</th><th>frontier for</th><th>re-identified, screened</th>"
        "<th>re-identified, every attack</th>"
        + "".join(f"<th>{escape(p.replace('_', ' '))} kept</th>" for p in purposes)
        + "</tr>"
    )
    return (
        '<section id="search"><h2>The searched frontier</h2>'
        f"<p>{len(candidates)} candidate policies composed from the shipped steps were screened with "
        f"{escape(', '.join(a.replace('_', ' ') for a in search['screen']))}; {len(front)} are on the frontier "
        "(no other candidate is at least as good on both re-identification and a purpose, and better on one) and "
        "were then attacked with every attack of the scenario. A screened figure is a lower bound of what the "
        "full attacker re-identifies. The frontier's policy files are in <code>search/frontier/</code>; "
        "<code>synth run</code> accepts them as they are.</p>"
        f'<table class="rank" id="frontier-table">{head}{rows}</table>{drawn}</section>'
    )


def _chart(candidates: list[dict[str, Any]], purpose: str) -> str:
    _, label = PURPOSE_MEASURE[purpose]
    numbered = {c["policy"]: i for i, c in enumerate((c for c in candidates if c["frontier_for"]), start=1)}
    frontier, dominated = [], []
    for c in candidates:
        x, y = c["screened"]["exposure"]["value"], c["screened"]["keeps"][purpose]["value"]
        if x is None or y is None:
            continue
        if purpose in c["frontier_for"]:
            frontier.append((numbered[c["policy"]], c["policy"], x, y))
        else:
            dominated.append((c["policy"], x, y))
    return charts.frontier_scatter(
        f"{label}: the searched frontier (numbered as in the table; grey rings are dominated)",
        f"search-{purpose}",
        frontier,
        dominated,
        "re-identified, screened (share of released rows)",
        f"{purpose.replace('_', ' ')} kept",
    )


def _row(i: int, c: dict[str, Any], full: dict[str, Any] | None, purposes: list[str]) -> str:
    screened = c["screened"]["exposure"]["value"]
    attacked = None if full is None else full["exposure"]["value"]
    cells = [
        f'<td class="num">{i}</td>',
        f'<td title="{escape(c["description"])}"><b>{escape(c["policy"])}</b></td>',
        f"<td>{escape(', '.join(p.replace('_', ' ') for p in c['frontier_for']))}</td>",
        f'<td class="num">at least {_pct(screened)}</td>',
        f'<td class="num">{_pct(attacked)}</td>',
    ]
    for p in purposes:
        kept = (full or c["screened"])["keeps"][p]["value"]
        cells.append(f'<td class="num">{_pct(kept)}</td>')
    return "<tr>" + "".join(cells) + "</tr>"


def _pct(v: float | None) -> str:
    return "not measured" if v is None else f"{v:.1%}"
