"""A composed scenario's figures as a table: each release alone, every pair and all together (pooled over the
seeds), and the weakest links named: how much more of one release's rows another release gives away."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from synth.measure.names import COMPOSED, COMPOSITION
from synth.measure.pooled import pool_seeds

HEADLINES = ("reidentified_share", "contactable_share", "fraud_ready_share")


def composed_table(results: pl.DataFrame, releases: Sequence[str]) -> dict[str, Any]:
    """``rows``: one per combination (its releases, people, and each headline with its interval, plus each member
    release's rows re-identified and phones recovered); ``weakest``: for every pair and each of its releases,
    what the other adds to its rows' re-identification and recovered phones, the largest first, with a
    sentence."""
    pooled = pool_seeds(results.filter(pl.col("attack") == COMPOSED))
    figures = {(r["policy"], r["group"], r["measure"]): r for r in pooled.iter_rows(named=True)}

    def figure(combo: str, group: str, measure: str) -> dict[str, float | None]:
        row = figures.get((combo, group, measure))
        if row is None:
            return {"value": None, "ci_low": None, "ci_high": None}
        return {"value": row["value"], "ci_low": row["ci_low"], "ci_high": row["ci_high"]}

    combos = pooled["policy"].unique(maintain_order=True).to_list()
    rows = []
    for combo in combos:
        members = combo.split("+")
        rows.append(
            {
                "combination": combo,
                "releases": members,
                "people": figure(combo, "all", "people_released")["value"],
                **{m: figure(combo, "all", m) for m in HEADLINES},
                "members": {
                    r: {
                        m: figure(combo, f"release={r}", m)
                        for m in ("reidentified_share", "phones_withheld", "phones_recovered")
                    }
                    for r in members
                },
            }
        )
    weakest = []
    for combo in (c for c in combos if c.count("+") == 1):
        a, b = combo.split("+")
        for mine, other in ((a, b), (b, a)):
            alone = {
                m: figure(mine, f"release={mine}", m)["value"] or 0.0
                for m in ("reidentified_share", "phones_recovered")
            }
            held = {m: figure(combo, f"release={mine}", m)["value"] or 0.0 for m in alone}
            gain = held["reidentified_share"] - alone["reidentified_share"]
            phones = held["phones_recovered"] - alone["phones_recovered"]
            sentence = (
                f"{other} re-identifies {held['reidentified_share']:.1%} of {mine}'s rows "
                f"(alone: {alone['reidentified_share']:.1%})"
            )
            if phones > 0:
                sentence += (
                    f" and gives back the phone number of {held['phones_recovered']:.1%} of the rows that withheld it "
                    f"(alone: {alone['phones_recovered']:.1%})"
                )
            weakest.append(
                {
                    "release": mine,
                    "through": other,
                    "reidentified_gain": gain,
                    "phones_gain": phones,
                    "sentence": sentence,
                }
            )
    weakest.sort(key=lambda w: (-w["reidentified_gain"], -w["phones_gain"], releases.index(w["release"])))
    return {"rows": rows, "weakest": weakest, "composition": _composition(results)}


def _composition(results: pl.DataFrame) -> dict[str, Any] | None:
    """The composition attack's figures (pooled over the seeds), or None where it did not run."""
    pooled = pool_seeds(results.filter((pl.col("attack") == COMPOSITION) & (pl.col("group") == "all")))
    if pooled.height == 0:
        return None
    rows = {r["measure"]: r for r in pooled.iter_rows(named=True)}
    out: dict[str, Any] = {"combination": pooled["policy"][0]}
    for measure in ("rows", "classes", "k", "singled_out", "guesses", "correct", "precision", "recall"):
        r = rows[measure]
        out[measure] = {"value": r["value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"]}
    return out
