"""The decision a run supports: the policies ranked by how many people the strongest attacker re-identifies, and
for each purpose the least-exposing policy that still serves it.

Every figure names the attack that produced it, and a figure that could not be measured says why instead of
standing in as a 0: a policy whose exposure is unmeasured is never ranked above a measured one and is never
recommended. What leaves the controller decides how exposure is read:

- rows of people: the re-identification of the strongest attacker (every chain of attacks), else the linkage
  attack that links most, as the share of released rows tied to the right named voter;
- nothing (the controller sends the messages itself): exactly 0, nobody's data leaves;
- counts: the share of the release's registry memberships that the reconstruction attack attaches to the right
  named voter (records rebuilt from the published tables, matched to the roll on place, age band and sex); not
  measured where no reconstruction ran or the tables publish no registry;
- synthetic rows: not measured as re-identification (the rows are not people); what membership inference
  found is said in the reason.

What a policy keeps of a purpose is a share: outreach, the intended recipients it still reaches; ward planning,
the cells it counts within tolerance; research, the accuracy a model gains over the majority class, as a share
of what the original release gains (a release that gains nothing keeps 0, however high its raw accuracy). A
purpose that what was received cannot serve at all (no rows, counts, no ward column) keeps exactly 0, with
the reason as its source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import polars as pl

from synth.measure.names import (
    CHAINED,
    HEADLINE,
    LINKAGE,
    MEMBERSHIP_INFERENCE,
    PURPOSE_MEASURE,
    REACH,
    RECONSTRUCTION,
    reconstruction_sentence,
)
from synth.measure.whatif_sentence import whatif_sentence
from synth.policies.base import RELEASE_KINDS

DEFAULT_KEEP = 0.9  # the share of a purpose a policy must keep to serve it, unless the scenario says otherwise
LEVELS = ("low", "moderate", "high", "severe")  # exposure levels, by the share re-identified
EXPOSURE_LEVELS = (0.01, 0.10, 0.50)  # upper bounds of low, moderate and high


@dataclass(frozen=True)
class Figure:
    """One figure of the decision: its value and 95% interval, the attack (or measure) that produced it, and,
    where it has no value, why."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    source: str = ""
    reason: str | None = None
    lower_bound: str | None = None  # why the value may understate the truth (a bounded attack), if it may

    @property
    def measured(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Ranked:
    """One policy in the ranking (``rank`` is None for a policy whose exposure was not measured)."""

    policy: str
    rank: int | None
    releases: str
    exposure: Figure
    contactable: Figure
    fraud_ready: Figure
    keeps: Mapping[str, Figure]


@dataclass(frozen=True)
class Recommendation:
    """The least-exposing policy that keeps at least ``keep`` of ``purpose`` (None: no policy does), the next one
    (``runner_up``), and one sentence on why."""

    purpose: str
    keep: float
    policy: str | None
    runner_up: str | None
    why: str


@dataclass(frozen=True)
class WhatIfRow:
    """What one change to one field does (:mod:`synth.scenario.whatif`): the base policy's figures and the
    changed release's, and one sentence on the difference."""

    field: str
    change: str
    label: str
    policy: str
    base: Ranked
    changed: Ranked
    sentence: str

    @property
    def exposure_change(self) -> float | None:
        """Re-identified share with the change minus without it (negative: the change protects)."""
        return _difference(self.changed.exposure, self.base.exposure)

    def kept_change(self, purpose: str) -> float | None:
        """Share of ``purpose`` kept with the change minus without it (negative: the change costs the purpose)."""
        return _difference(self.changed.keeps[purpose], self.base.keeps[purpose])


@dataclass(frozen=True)
class Decision:
    """The ranking, the recommendations and the what-if of one run."""

    ranking: tuple[Ranked, ...]
    recommendations: tuple[Recommendation, ...]
    whatif: tuple[WhatIfRow, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``results.json``."""
        return {
            "ranking": [_ranked_dict(r) for r in self.ranking],
            "recommendations": [asdict(r) for r in self.recommendations],
            "whatif": [
                {
                    "field": w.field,
                    "change": w.change,
                    "label": w.label,
                    "policy": w.policy,
                    "base": w.base.policy,
                    "exposure": asdict(w.changed.exposure),
                    "exposure_change": w.exposure_change,
                    "keeps": {k: asdict(f) for k, f in w.changed.keeps.items()},
                    "kept_change": {k: w.kept_change(k) for k in w.changed.keeps},
                    "sentence": w.sentence,
                }
                for w in self.whatif
            ],
        }


def _ranked_dict(r: Ranked) -> dict[str, Any]:
    return asdict(r) | {"keeps": {k: asdict(f) for k, f in r.keeps.items()}}


def _difference(after: Figure, before: Figure) -> float | None:
    return None if after.value is None or before.value is None else after.value - before.value


def decide(
    summary: pl.DataFrame,
    policies: Sequence[tuple[str, str]],
    keep: Mapping[str, float],
    notes: Sequence[str] = (),
    whatif: Sequence[tuple[str, str, str, str]] = (),
    base: str | None = None,
) -> Decision:
    """Rank the policies, recommend one per purpose, and say what each what-if change does.

    Parameters
    ----------
    summary
        The run's figures pooled over seeds (:func:`synth.measure.pooled.pool_seeds`): ``policy``, ``attack``,
        ``group``, ``measure``, ``value``, ``ci_low``, ``ci_high``.
    policies
        ``(policy id, what it releases)`` of the policies to rank, in the scenario's order (a kind of
        :data:`synth.policies.base.RELEASE_KINDS`).
    keep
        Purpose -> the share of it a policy must keep to serve it, in the scenario's order.
    notes
        The run's notes (``POLICY / UNIT: message``): why a unit did not run.
    whatif
        ``(field, change, label, policy)`` of each what-if change, the policy being the one whose figures answer
        it (it releases rows; it need not be among ``policies``).
    base
        The policy the what-if changes (needed with ``whatif``).

    Returns
    -------
    Decision
        The ranking (least exposing first; ties by what leaves the controller, nothing first, then in the
        scenario's order; unmeasured exposure last, unranked), one recommendation per purpose, and the what-if.
    """
    look = _Lookup(summary, notes)
    rows = [_ranked(look, policy, kind, keep) for policy, kind in policies]
    order = {p: i for i, (p, _) in enumerate(policies)}
    # equal exposure: the policy that lets less leave the controller first, then the scenario's order
    kinds = {k: i for i, k in enumerate(RELEASE_KINDS)}
    measured = sorted(
        (r for r in rows if r.exposure.measured),
        key=lambda r: (r.exposure.value, kinds.get(r.releases, len(kinds)), order[r.policy]),
    )
    unmeasured = [r for r in rows if not r.exposure.measured]
    ranking = tuple([replace(r, rank=i) for i, r in enumerate(measured, start=1)] + unmeasured)
    recommendations = tuple(_recommend(ranking, purpose, share) for purpose, share in keep.items())
    if not whatif:
        return Decision(ranking, recommendations)
    if base is None:
        raise ValueError("decide: a what-if needs its base policy")
    before = _ranked(look, base, dict(policies).get(base, "rows"), keep)
    changes = []
    for field, change, label, policy in whatif:
        after = _ranked(look, policy, "rows", keep)
        changes.append(WhatIfRow(field, change, label, policy, before, after, whatif_sentence(label, before, after)))
    return Decision(ranking, recommendations, tuple(changes))


def decide_run(results: pl.DataFrame, resolved: Mapping[str, Any], notes: Sequence[str]) -> Decision:
    """:func:`decide` for a run: its tidy results (pooled over seeds here), its ``scenario.resolved.json`` (the
    policies, what each releases, the share each purpose must keep, and the what-if) and its notes. The what-if's
    and the curve's own policies are not ranked."""
    from synth.measure.pooled import pool_seeds

    policies = [(p["id"], str(p.get("releases", "rows"))) for p in scenario_policies(resolved)]
    purposes = resolved.get("purposes", list(PURPOSE_MEASURE))
    keep = resolved.get("keep") or {}  # written with sorted keys: the purposes keep the scenario's order
    whatif = resolved.get("whatif") or {}
    return decide(
        pool_seeds(results),
        policies,
        {p: float(keep.get(p, DEFAULT_KEEP)) for p in purposes},
        notes,
        [(w["field"], w["change"], w["label"], w["policy"]) for w in whatif.get("items", [])],
        whatif.get("base"),
    )


def scenario_policies(resolved: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The scenario's own policies of a resolved scenario, not the what-if's or the curve's variants."""
    return [p for p in resolved.get("policies", []) if not (p.get("whatif") or p.get("curve"))]


def level(share: float) -> str:
    """The exposure level of a share re-identified (:data:`LEVELS` at the bounds :data:`EXPOSURE_LEVELS`)."""
    return next((name for name, bound in zip(LEVELS, EXPOSURE_LEVELS, strict=False) if share < bound), LEVELS[-1])


class _Lookup:
    def __init__(self, summary: pl.DataFrame, notes: Sequence[str]) -> None:
        totals = summary.filter(pl.col("group") == "all")
        self.rows = {(r["policy"], r["attack"], r["measure"]): r for r in totals.iter_rows(named=True)}
        self.notes = list(notes)

    def figure(self, policy: str, attack: str, measure: str, source: str) -> Figure | None:
        row = self.rows.get((policy, attack, measure))
        if row is None or row["value"] is None:
            return None
        return Figure(float(row["value"]), _float(row["ci_low"]), _float(row["ci_high"]), source)

    def value(self, policy: str, attack: str, measure: str) -> float | None:
        row = self.rows.get((policy, attack, measure))
        return None if row is None or row["value"] is None else float(row["value"])

    def bound(self, policy: str, units: Sequence[str]) -> str | None:
        """The notes of ``policy`` on ``units`` that call a figure a lower bound, joined; None if there are none."""
        said = [
            note.removeprefix(f"{policy} / ")
            for note in self.notes
            if "lower bound" in note and any(note.startswith(f"{policy} / {unit}: ") for unit in units)
        ]
        return "; ".join(said) or None

    def said(self, policy: str, units: Sequence[str], topic: str = "") -> str | None:
        """The first note of ``policy`` on one of ``units`` (and on ``topic`` within it), without its prefix."""
        for unit in units:
            prefix = f"{policy} / {unit}: {topic}"
            for note in self.notes:
                if note.startswith(prefix):
                    return note.removeprefix(prefix).removeprefix(f"attack '{unit}': ")
        return None


def _float(v: Any) -> float | None:
    return None if v is None else float(v)


def _ranked(look: _Lookup, policy: str, kind: str, keep: Mapping[str, float]) -> Ranked:
    exposure = _exposure(look, policy, kind)
    contactable, fraud = _reach(look, policy, kind, "contactable"), _reach(look, policy, kind, "fraud_ready")
    keeps = {purpose: _kept(look, policy, purpose) for purpose in keep}
    return Ranked(policy, None, kind, exposure, contactable, fraud, keeps)


def _counts_exposure(look: _Lookup, policy: str) -> Figure:
    """Tables: the memberships (released rows) attached to the right named voter, else what reconstruction did."""
    right = look.value(policy, RECONSTRUCTION, "attached_precision")
    how = "" if right is None else f" ({right:.1%} of the claims right)"
    source = f"reconstruction: registries attached to named voters from the records rebuilt from the tables{how}"
    if (attached := look.figure(policy, RECONSTRUCTION, "attached_recall", source)) is not None:
        return attached
    if rebuilt := reconstruction_sentence(lambda m: look.value(policy, RECONSTRUCTION, m)):
        why = f"{rebuilt}; the tables publish no registry to attach to a named voter, so its re-identification is"
    else:
        why = "no reconstruction of people from them ran, so its exposure is"
    return Figure(None, reason=f"the release holds counts, not rows; {why} unknown, not 0")


def _exposure(look: _Lookup, policy: str, kind: str) -> Figure:
    if kind == "nothing":
        return Figure(0.0, 0.0, 0.0, "nothing released: the controller sends the messages itself")
    if kind == "counts":
        return _counts_exposure(look, policy)
    if kind == "synthetic":
        tpr, fpr = look.value(policy, MEMBERSHIP_INFERENCE, "tpr"), look.value(policy, MEMBERSHIP_INFERENCE, "fpr")
        found = ""
        if tpr is not None and fpr is not None:
            found = f"; membership inference flags {tpr:.1%} of members against {fpr:.1%} of non-members"
        return Figure(None, reason=f"the rows are synthetic, not people: re-identification does not apply{found}")
    headline = look.figure(policy, HEADLINE, "recall", "re-identification by any chain of attacks")
    if headline is not None:  # as strong as the weakest attack it chains
        return replace(headline, lower_bound=look.bound(policy, (HEADLINE, *CHAINED)))
    bound = look.bound(policy, LINKAGE)
    linked = [f for a in LINKAGE if (f := look.figure(policy, a, "recall", a.replace("_", " "))) is not None]
    if linked:
        best = max(linked, key=lambda f: f.value or 0.0)
        source = f"{best.source} (the scenario has no chained attacker)"
        return Figure(best.value, best.ci_low, best.ci_high, source, lower_bound=bound)
    why = look.said(policy, (HEADLINE, *LINKAGE)) or "no linkage attack ran on it"
    return Figure(None, reason=why)


def _reach(look: _Lookup, policy: str, kind: str, measure: str) -> Figure:
    """The people the attacker can reach (``contactable`` or ``fraud_ready``), as a share of the people released."""
    if kind == "nothing":
        return Figure(0.0, 0.0, 0.0, "nothing released")
    count = look.value(policy, REACH, measure)
    released = look.value(policy, REACH, "people_released")
    if count is None or not released:
        why = look.said(policy, (REACH,)) or "the scenario has no reach attack"
        return Figure(None, reason=why)
    return Figure(count / released, source=f"reach: {count:,.0f} of {released:,.0f} people released")


def _kept(look: _Lookup, policy: str, purpose: str) -> Figure:
    measure, _ = PURPOSE_MEASURE[purpose]
    if purpose != "research":
        got = look.figure(policy, "utility", measure, f"utility: {measure}")
        return got or _unserved(look, policy, purpose)
    acc = look.figure(policy, "utility", "research_accuracy", "")
    ceiling = look.value(policy, "utility", "research_ceiling")
    base = look.value(policy, "utility", "research_baseline")
    if acc is None or acc.value is None or ceiling is None or base is None:
        return _unserved(look, policy, purpose)
    if ceiling <= base:
        return Figure(None, reason="the original release's model gains nothing over the majority class")
    span = ceiling - base

    def share(v: float | None) -> float | None:
        return None if v is None else (v - base) / span

    return Figure(
        share(acc.value),
        share(acc.ci_low),
        share(acc.ci_high),
        f"utility: research accuracy {acc.value:.1%} against the majority class's {base:.1%} and the original "
        f"release's {ceiling:.1%}",
    )


def _unserved(look: _Lookup, policy: str, purpose: str) -> Figure:
    """A purpose with no utility figure: kept exactly 0 where what was received cannot serve it at all (no rows,
    counts, no ward column, ages too coarse for the grid), else not measured, with the note. The utility modules
    give a figure unless one of these holds, or the original release itself lacks what the measure needs (no
    truth to measure against: their reasons then name "the original release")."""
    said = look.said(policy, ("utility",), f"{purpose}: ") or look.said(policy, ("utility",))
    if said is not None and "original release" not in said:
        return Figure(0.0, 0.0, 0.0, f"utility: nothing of it can be done with what was received ({said})")
    return Figure(None, reason=said or "the run has no figure for it and no note on why")


def _recommend(ranking: Sequence[Ranked], purpose: str, keep: float) -> Recommendation:
    label = purpose.replace("_", " ")
    serving = [r for r in ranking if r.rank is not None and (r.keeps[purpose].value or 0.0) >= keep]
    # ranked least exposing first; among equal exposure, the one that keeps more of the purpose
    serving.sort(key=lambda r: (r.exposure.value, -(r.keeps[purpose].value or 0.0), r.rank))
    unmeasured = [r.policy for r in ranking if r.rank is None and (r.keeps[purpose].value or 0.0) >= keep]
    aside = (
        f" ({', '.join(unmeasured)} also keep{'s' if len(unmeasured) == 1 else ''} enough, but "
        f"{'its' if len(unmeasured) == 1 else 'their'} exposure was not measured)"
        if unmeasured
        else ""
    )
    if not serving:
        kept = [r for r in ranking if r.keeps[purpose].value is not None]
        most = max(kept, key=lambda r: r.keeps[purpose].value or 0.0, default=None)
        best = (
            f"; the most any keeps is {_pct(most.keeps[purpose].value)}, by {most.policy}"
            if most is not None
            else "; no policy has a figure for it"
        )
        return Recommendation(purpose, keep, None, None, f"No policy keeps {_pct(keep)} of {label}{best}{aside}.")
    first = serving[0]
    second = serving[1] if len(serving) > 1 else None
    tie = ""
    if second is not None and second.exposure.value == first.exposure.value:
        more = first.keeps[purpose].value != second.keeps[purpose].value
        tie = f" It ties with {second.policy} on exposure and " + (
            f"keeps more of {label}." if more else "on what it keeps; the scenario lists it first."
        )
    runner = (
        f" Runner-up: {second.policy} ({_pct(second.exposure.value)} re-identified, keeps "
        f"{_pct(second.keeps[purpose].value)})."
        if second is not None
        else " No other policy keeps enough."
    )
    least, bound = ("at least ", "; a lower bound") if first.exposure.lower_bound else ("", "")
    why = (
        f"{first.policy} is the least-exposing policy that keeps at least {_pct(keep)} of {label}: "
        f"{least}{_pct(first.exposure.value)} of released rows re-identified ({first.exposure.source}{bound}), "
        f"{_pct(first.keeps[purpose].value)} of {label} kept.{tie}{runner}{aside}"
    )
    return Recommendation(purpose, keep, first.policy, second.policy if second else None, why)


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1%}"
