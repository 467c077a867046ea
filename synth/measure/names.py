"""Every measure's stable name and meaning, in one place, and the flattening of scores into tidy rows.

A score (a frozen dataclass from :mod:`synth.measure`) becomes rows of ``measure, value, ci_low,
ci_high``: a whole-number or real field gives its value; a :class:`~synth.scoring.stats.Rate` or
:class:`~synth.scoring.stats.Risk` gives its value with its 95% interval; a nested score gives its rows
with the field name as a prefix (``research_accuracy``); text, flags and figures that are not
available (None, NaN) give no row. Every name a score can produce is in :data:`MEASURES`, and tests
hold the two together, so results files, reports and CI thresholds can rely on them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from synth.measure.uniqueness_estimators import ESTIMATORS
from synth.scoring.stats import Rate, Risk

# The attacks the report and the gate speak of, by the ids they are registered under in
# synth.attacks.registry (a test holds each to the registry, so a renamed attack fails the suite).
HEADLINE = "reidentification"  # the strongest attacker: any chain
EXACT_LINKAGE = "exact_linkage"
LINKAGE = (EXACT_LINKAGE, "probabilistic_linkage")  # the attacks whose guesses are links to roll entries
HASH_REVERSAL = "hash_reversal"
PROBABILISTIC_LINKAGE = "probabilistic_linkage"
REACH = "reach"
SINGLING_OUT = "singling_out"
MEMBERSHIP_INFERENCE = "membership_inference"
CALLER_ID_LOOKUP = "caller_id_lookup"
RECONSTRUCTION = "reconstruction"
COMPOSITION = "composition"  # across two releases (synth.attacks.registry.ACROSS_RELEASES)
COMPOSED = "composed"  # a composed scenario's own figures: every combination of its releases, per person
CHAINED = (*LINKAGE, HASH_REVERSAL, CALLER_ID_LOOKUP)  # the attacks whose findings the strongest attacker chains
SOURCES = ("electoral_roll", "caller_id")  # the auxiliary sources a scenario may grant from its world
ESTIMATOR_LABELS = {
    "pitman": "Pitman's sampling formula",
    "zayatz": "Zayatz's method",
    "snb": "the shifted negative binomial",
    "dankar": "the estimator Dankar's rule picks",
}
# Each purpose's headline measure and how the report labels it.
PURPOSE_MEASURE = {
    "outreach": ("outreach_reach", "Outreach: share of intended recipients reachable"),
    "ward_planning": ("ward_planning_within_tolerance", "Ward planning: cells counted within 10%"),
    "research": ("research_accuracy", "Research: accuracy of a model trained on the release"),
}

MEASURES: dict[str, str] = {
    # what every attack reports
    "rows": "Released rows the attack ran over (rows with a digest, for hash reversal).",
    "targets": "People the attack made a claim about: every roll entry (inference), the drawn targets (membership).",
    "guesses": "Claims made: links to a roll entry, unique predicates, positive labels, numbers recovered, "
    "targets flagged as members.",
    "correct": "Claims the truth confirms.",
    "precision": "correct / guesses.",
    "recall": "correct / rows (linkage, hash reversal), or correct / people who truly hold the attribute (inference).",
    "baseline": "The same figure for the naive baseline, run through the same function: recall of linkage on a "
    "release with each column shuffled, precision of singling out on such a release, accuracy of the "
    "majority class, recall of a random number per digest, precision of flagging members at random, "
    "the share of records drawn at random consistent with the one-way margins alone that match a true record "
    "(reconstruction).",
    "risk": "(attack - control) / (1 - control), as anonymeter defines it; the control is the baseline, or the "
    "holdout's flag rate for membership.",
    # attack-specific
    "accuracy": "Share of roll entries whose inferred attribute (including 'none') is the true one.",
    "tpr": "Membership: share of members flagged as members.",
    "fpr": "Membership: share of the holdout (never given to the synthesizer) flagged as members; the control.",
    "unique_in_release": "Singling out: share of released rows whose quasi-identifiers no other released row has.",
    "unique_in_population": "Share of released rows whose quasi-identifiers nobody else in the population has.",
    "with_names_rows": "Singling out with names: released rows the attack ran over (the release prints names).",
    "with_names_unique_in_release": "Singling out with names: share of released rows whose name, age, gender and "
    "place no other released row has.",
    "with_names_correct": "Singling out with names: unique predicates (name among them) the population confirms.",
    "with_names_precision": "Singling out with names: correct / rows unique in the release on name, age, gender "
    "and place.",
    "with_names_unique_in_population": "Share of released rows whose name, age, gender and place nobody else in "
    "the population has.",
    "with_names_baseline": "Singling out with names: precision of the same predicates on a release with each "
    "column shuffled (the same shuffle as the figure without names).",
    **{
        f"recall_at_precision_{level}": f"Probabilistic linkage: the largest recall of any threshold on the match "
        f"probability whose guesses are at least {level}% right, the threshold set with the truth in hand (the "
        "attacker's best choice for that precision; scanned down to a match probability of 0.01)."
        for level in (90, 95, 99)
    },
    **{
        f"threshold_at_precision_{level}": f"Probabilistic linkage: the match-probability threshold of "
        f"recall_at_precision_{level} (absent where no threshold reaches {level}% precision)."
        for level in (90, 95, 99)
    },
    "with_names_risk": "Singling out with names: (precision - baseline) / (1 - baseline).",
    "candidates": "Hash reversal: numbers hashed (the whole numbering plan unless a budget was set).",
    "plan_size": "Hash reversal: numbers in the world's numbering plan.",
    "hashes_per_second": "Hash reversal: measured candidates per second on one CPU core.",
    "full_plan": 'Hash reversal: 1 when the enumeration covered the whole numbering plan (budget "full", scored '
    "exactly as the digests whose preimage is a number of the plan, or a budget of at least its size), "
    "0 when it covered only a slice.",
    "plan_cpu_core_seconds": "Hash reversal: seconds to recover every digest from the world's whole numbering plan "
    "on one CPU core at the measured rate of the policy's primitive (times the birth dates, once per salt).",
    "plan_gpu_seconds": "Hash reversal: the same at a published GPU rate (hashcat, RTX 4090).",
    "real_space_cpu_core_seconds": "Hash reversal: seconds to recover every digest from the real Indian mobile "
    "space (4 x 10^9) on one CPU core at the measured rate (times the birth dates, once per salt).",
    "real_space_gpu_seconds": "Hash reversal: the same at a published GPU rate (hashcat, RTX 4090).",
    "reversible": "Hash reversal: 1 when the attacker holds every input of the hash but the number (no secret salt, "
    "no kept key); 0 when reversal by enumeration is infeasible (the cost figures are then absent).",
    "enumerations": "Hash reversal: enumerations of the space that recover every digest (one per salt released "
    "beside a record, else one).",
    "birth_dates": "Hash reversal: birth dates tried with every number to recover every digest (1 unless the birth "
    "date is hashed with the phone; the union of the windows of the released ages otherwise).",
    "gpu_hashes_per_second": "Hash reversal: the published GPU rate of the policy's primitive (hashcat, RTX 4090), "
    "scaled to its iteration count.",
    "per_record_gpu_seconds": "Hash reversal: seconds to recover one record from the real Indian mobile space on "
    "one GPU (its salt, the window of birth dates its age leaves).",
    "membership_disclosed": "Re-identification: released rows of a registry's members re-identified by any chain; "
    "each tells the attacker that its person is in the registry (draws the pension, is in the scheme).",
    "people_released": "Distinct people with at least one released row.",
    "contactable": "Reach: people the attacker can phone or message.",
    "addressable": "Reach: people the attacker holds with name and address (house, ward, local body).",
    "fraud_ready": "Reach: contactable vulnerable people (pensioners aged 70 and over, women in the women's "
    "security scheme, disability pensioners) with name and place.",
    # release measures
    "reidentified_share": "Composed releases: people (group all) or a release's rows (group release=ID) that some "
    "chain of attacks, over every release of the combination, links to their own roll entry.",
    "contactable_share": "Composed releases: people the attacker can phone or message, holding every release of the "
    "combination.",
    "fraud_ready_share": "Composed releases: contactable vulnerable people (as reach counts them), holding every "
    "release of the combination.",
    "singled_out": "Composition: regions where a class of one release meets a class of the other that hold exactly "
    "one released person in every assignment consistent with both releases' class sizes.",
    "phones_withheld": "Composed releases: a release's rows that released no plain phone number.",
    "phones_recovered": "Composed releases: of a release's rows that released no plain phone number, those whose "
    "number the attacker now knows, right.",
    "places": "Reconstruction: places (wards) whose published tables the attack solved.",
    "unique_places": "Reconstruction: share of places whose tables admit exactly one multiset of records (decided "
    "by a second integer program).",
    "exact_places": "Reconstruction: share of places whose reconstructed records equal the true records.",
    "rows_in_exact_places": "Reconstruction: share of the release's rows in places reconstructed exactly.",
    "records_matched": "Reconstruction: share of reconstructed records that match a true record of their place on "
    "every attribute (counted as a multiset).",
    "infeasible_places": "Reconstruction: places whose tables no multiset of records fits (noisy tables).",
    "attached_claims": "Reconstruction: (voter, registry) claims made from the rebuilt records: every voter of a roll "
    "cell (place, age band, sex) whose records put at least min_share of its voters in the registry.",
    "attached_correct": "Reconstruction: claims the truth confirms (the voter is in the registry).",
    "attached_precision": "Reconstruction: attached_correct / attached_claims.",
    "attached_recall": "Reconstruction: share of the release's true (person, registry) memberships claimed.",
    "attached_baseline": "Reconstruction: the precision of the same claims made from the baseline's records (drawn "
    "at random from the margins alone).",
    "attached_risk": "Reconstruction: (attached_precision - attached_baseline) / (1 - attached_baseline).",
    "k": "k-anonymity: size of the smallest class of rows sharing their quasi-identifiers.",
    "classes": "Classes of rows sharing their quasi-identifiers.",
    "rows_in_classes_below_2": "Rows in classes of fewer than 2 rows (unique rows).",
    "rows_in_classes_below_5": "Rows in classes of fewer than 5 rows.",
    "rows_in_classes_below_10": "Rows in classes of fewer than 10 rows.",
    "l": "l-diversity: fewest distinct sensitive values in any class.",
    "classes_with_one_value": "Classes whose sensitive value is certain (homogeneous).",
    "rows_in_homogeneous_classes": "Rows in homogeneous classes.",
    "release_rows": "Rows the uniqueness estimators saw.",
    "population_size": "People in the population (the N a data holder would take from the census).",
    "true_uniques": "People unique in the population on the release's quasi-identifiers (the truth).",
    "true_share": "true_uniques / population_size.",
    **{
        f"{kind}_{estimator}": f"{what} estimated from the release alone by {ESTIMATOR_LABELS[estimator]}."
        for estimator in ESTIMATORS
        for kind, what in (("uniques", "Population uniques"), ("unique_share", "Share of the population unique"))
    },
    # utility
    "outreach_reach": "Outreach: intended recipients the holder can reach, of those with a sendable number.",
    "outreach_people_released": "Outreach: distinct people in the original release.",
    "outreach_people_without_number": "Outreach: released people with no sendable number in any row.",
    "ward_planning_scale": "Ward planning: factor applied to the received counts (synthetic rows are rescaled).",
    "ward_planning_true_total": "Ward planning: people in the true grid of counts.",
    "ward_planning_received_total": "Ward planning: people in the received counts.",
    "ward_planning_abs_error": "Ward planning: sum over cells of |received - true|.",
    "ward_planning_relative_l1": "Ward planning: abs_error / true_total.",
    "ward_planning_cells": "Ward planning: cells of the grid (local body, ward, age band, gender).",
    "ward_planning_mae": "Ward planning: mean absolute error per cell.",
    "ward_planning_within_tolerance": "Ward planning: true non-empty cells counted within max(1, 10%).",
    "research_train_rows": "Research: received rows the model was trained on.",
    "research_test_rows": "Research: true rows it was tested on.",
    "research_accuracy": "Research: accuracy of a model trained on the received rows, tested on the truth.",
    "research_ceiling": "Research: the same model trained on the original release.",
    "research_baseline": "Research: the majority class.",
}


# Measured on the machine that ran the attack: they differ from run to run, so runs keep them apart from
# the results (which are identical for the same scenario and seed).
# what a unit of a cell cost where it ran; peak_rss_exact is 1 where the unit raised its process's high-water mark (its
# peak is that mark, exact), 0 where its peak was sampled every 10 ms (a lower bound: synth.engine.meter)
COSTS = ("wall_seconds", "cpu_seconds", "peak_rss_bytes", "peak_rss_exact")
TIMED = ("hashes_per_second", "real_space_cpu_core_seconds", "plan_cpu_core_seconds", *COSTS)


class MeasureRow(NamedTuple):
    """One figure: its stable name, value and 95% interval (None where it is not a sampled rate)."""

    measure: str
    value: float
    ci_low: float | None
    ci_high: float | None


def measure_rows(score: Any, prefix: str = "") -> list[MeasureRow]:
    """Flatten a score dataclass into rows named by :data:`MEASURES`.

    Raises
    ------
    KeyError
        If the score has a figure whose name is not in :data:`MEASURES` (a new field must be documented).
    """
    if not dataclasses.is_dataclass(score) or isinstance(score, type):
        raise TypeError(f"measure_rows: expected a score dataclass, got {type(score).__name__}")
    rows: list[MeasureRow] = []
    for field in dataclasses.fields(score):
        value = getattr(score, field.name)
        name = f"{prefix}{field.name}"
        if isinstance(value, Rate | Risk):
            rows.append(_row(name, value.value, value.ci_low, value.ci_high))
        elif isinstance(value, bool) or value is None or isinstance(value, str | tuple):
            continue
        elif isinstance(value, int | float):
            if not (isinstance(value, float) and math.isnan(value)):
                rows.append(_row(name, float(value), None, None))
        elif dataclasses.is_dataclass(value):
            rows.extend(measure_rows(value, f"{name}_"))
        elif isinstance(value, Mapping):
            rows.extend(_mapping_rows(name, value))
    return rows


def _mapping_rows(name: str, value: Mapping[Any, Any]) -> list[MeasureRow]:
    rows = []
    for key, item in value.items():
        if dataclasses.is_dataclass(item):  # uniqueness estimates, by estimator
            if item.converged:  # type: ignore[union-attr]
                rows.append(_row(f"uniques_{key}", float(item.population_uniques), None, None))  # type: ignore[union-attr]
                rows.append(_row(f"unique_share_{key}", float(item.share), None, None))  # type: ignore[union-attr]
        else:  # thresholds -> counts (rows in classes below k)
            rows.append(_row(f"{name}_{key}", float(item), None, None))
    return rows


def _row(name: str, value: float, ci_low: float | None, ci_high: float | None) -> MeasureRow:
    if name not in MEASURES:
        raise KeyError(f"measure '{name}' is not documented in synth.measure.names.MEASURES")
    return MeasureRow(name, value, ci_low, ci_high)


def reconstruction_sentence(value: Callable[[str], float | None]) -> str:
    """What the reconstruction attack achieved, from its measures (``value(measure)``), in one clause; "" when
    it did not run. Read by the decision's reason and the report's summary."""
    exact, rows, matched = value("exact_places"), value("rows_in_exact_places"), value("records_matched")
    if exact is None or rows is None or matched is None:
        return ""
    chance = value("baseline")
    versus = "" if chance is None else f" (records drawn at random from the margins alone: {chance:.1%})"
    return (
        f"reconstruction from the published tables rebuilt every record of {exact:.1%} of places "
        f"({rows:.1%} of the rows) and {matched:.1%} of its records match a true record{versus}"
    )
