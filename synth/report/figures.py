"""Lookups into a run's summarized results, and the way the report writes their numbers."""

from __future__ import annotations

import polars as pl

from synth.measure.names import HASH_REVERSAL, HEADLINE, LINKAGE, PROBABILISTIC_LINKAGE

HASH, PROBABILISTIC = HASH_REVERSAL, PROBABILISTIC_LINKAGE


class Figures:
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


def num(v: float | None) -> str:
    return "n/a" if v is None else f"{v:,.0f}"


def pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1%}"


def notes_by_attack(notes: list[str], policy: str) -> dict[str, list[str]]:
    """The run's notes on ``policy`` (``POLICY / UNIT: message``), by unit."""
    out: dict[str, list[str]] = {}
    for note in notes:
        unit, sep, message = note.removeprefix(f"{policy} / ").partition(": ")
        if note.startswith(f"{policy} / ") and sep:
            out.setdefault(unit, []).append(message)
    return out
