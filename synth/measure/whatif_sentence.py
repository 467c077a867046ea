"""The sentence a what-if change reads as in the report and ``results.json``: what it does to re-identification
and to each purpose (:mod:`synth.measure.decision` builds the rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from synth.measure.decision import Ranked


def whatif_sentence(label: str, before: Ranked, after: Ranked) -> str:
    """``With ward dropped, re-identification falls from 86.5% to 56.0%; it costs ward planning 100.0 points
    (100.0% kept to 0.0%) and keeps research as it was.``"""
    b, a = before.exposure, after.exposure
    if a.value is None or b.value is None:
        exposure = f"re-identification is not measured ({a.reason or b.reason})"
    else:
        move = "falls" if a.value < b.value else "rises" if a.value > b.value else "stays"
        exposure = (
            f"re-identification {move} from {_pct(b.value)} to {_pct(a.value)}"
            if move != "stays"
            else f"re-identification stays at {_pct(a.value)}"
        )
    costs, same, unknown = [], [], []
    for purpose, kept in after.keeps.items():
        name = purpose.replace("_", " ")
        was = before.keeps[purpose].value
        if kept.value is None or was is None:
            unknown.append(name)
        elif round(kept.value - was, 4) == 0:
            same.append(name)
        else:
            verb = "costs" if kept.value < was else "gains"
            costs.append(
                f"{verb} {name} {abs(kept.value - was) * 100:.1f} points ({_pct(was)} kept to {_pct(kept.value)})"
            )
    parts = costs + ([f"keeps {', '.join(same)} as {'it was' if len(same) == 1 else 'they were'}"] if same else [])
    parts += [f"leaves {', '.join(unknown)} not measured"] if unknown else []
    tail = f"; it {_and(parts)}" if parts else ""
    return f"With {label}, {exposure}{tail}."


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1%}"
