"""Every score flattens into documented measure names, with values and intervals as they were."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synth.measure.names import MEASURES, MeasureRow, measure_rows
from synth.measure.release import KAnonymityProfile, LDiversityProfile
from synth.measure.uniqueness import PopulationUniqueness
from synth.measure.uniqueness_estimators import estimate_all
from synth.measure.utility import Utility
from synth.measure.utility.outreach import OutreachUtility
from synth.measure.utility.research import ResearchUtility
from synth.measure.utility.ward_planning import WardPlanningUtility
from synth.scoring.hash_reversal import HashReversalScore
from synth.scoring.inference import InferenceScore
from synth.scoring.linkage import LinkageScore
from synth.scoring.membership import MembershipScore
from synth.scoring.reach import ReachScore
from synth.scoring.singling_out import SinglingOutScore
from synth.scoring.stats import Rate, Risk, wilson

RATE = wilson(3, 4)
RISK = Risk(0.5, 0.1, 0.9)


def _filled(cls: type) -> object:
    """An instance with every numeric field set, so that every name it can produce is produced."""
    values = {}
    for f in dataclasses.fields(cls):
        kind = str(f.type)
        if "Rate" in kind:
            values[f.name] = RATE
        elif "Risk" in kind:
            values[f.name] = RISK
        elif kind.startswith("dict[int"):
            values[f.name] = {2: 1, 5: 2, 10: 3}
        elif "int" in kind or "float" in kind:
            values[f.name] = 7
        elif "bool" in kind:
            values[f.name] = True
        else:
            values[f.name] = None
    return cls(**values)


def test_linkage_score_flattens_with_its_intervals() -> None:
    score = LinkageScore(
        guesses=4,
        correct=3,
        rows=10,
        precision=RATE,
        recall=wilson(3, 10),
        baseline=Rate(0, 10, 0.0, 0.0, 0.28),
        risk=RISK,
    )
    assert measure_rows(score) == [
        MeasureRow("guesses", 4.0, None, None),
        MeasureRow("correct", 3.0, None, None),
        MeasureRow("rows", 10.0, None, None),
        MeasureRow("precision", 0.75, RATE.ci_low, RATE.ci_high),
        MeasureRow("recall", 0.3, wilson(3, 10).ci_low, wilson(3, 10).ci_high),
        MeasureRow("baseline", 0.0, 0.0, 0.28),
        MeasureRow("risk", 0.5, 0.1, 0.9),
    ]


@pytest.mark.parametrize(
    "cls",
    [
        LinkageScore,
        SinglingOutScore,
        InferenceScore,
        MembershipScore,
        HashReversalScore,
        ReachScore,
        KAnonymityProfile,
        LDiversityProfile,
    ],
)
def test_every_field_of_every_score_is_documented(cls: type) -> None:
    names = [r.measure for r in measure_rows(_filled(cls))]
    assert names and all(n in MEASURES for n in names)


def test_utility_and_uniqueness_are_prefixed_and_skip_what_is_missing() -> None:
    utility = Utility(
        policy_id="k5",
        outreach=OutreachUtility(reach=RATE, channel="phone", people_released=9, people_without_number=1),
        ward_planning=WardPlanningUtility(available=False, reason="no ward"),
        research=ResearchUtility(
            available=True, features=("age",), train_rows=5, test_rows=4, accuracy=RATE, ceiling=RATE, baseline=RATE
        ),
    )
    names = [r.measure for r in measure_rows(utility)]
    assert names == [
        "outreach_reach",
        "outreach_people_released",
        "outreach_people_without_number",
        "research_train_rows",
        "research_test_rows",
        "research_accuracy",
        "research_ceiling",
        "research_baseline",
    ]
    estimates = estimate_all(np.array([2, 1, 1, 1, 3]), 100)
    report = PopulationUniqueness(("age",), 8, 100, 3, 0.03, estimates)
    rows = {r.measure: r.value for r in measure_rows(report)}
    assert rows["true_uniques"] == 3 and rows["population_size"] == 100
    for name, est in estimates.items():
        assert (f"uniques_{name}" in rows) == est.converged
    assert measure_rows(_filled(KAnonymityProfile))[-3:] == [
        MeasureRow("rows_in_classes_below_2", 1.0, None, None),
        MeasureRow("rows_in_classes_below_5", 2.0, None, None),
        MeasureRow("rows_in_classes_below_10", 3.0, None, None),
    ]


def test_an_undocumented_figure_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class NewScore:
        leaks: int

    with pytest.raises(KeyError, match=r"measure 'leaks' is not documented in synth\.measure\.names\.MEASURES"):
        measure_rows(NewScore(1))
    with pytest.raises(TypeError, match="expected a score dataclass, got int"):
        measure_rows(3)


def test_the_attack_names_the_report_reads_are_the_registered_ones() -> None:
    from synth.attacks import composition, hash_reversal, probabilistic_linkage, reach, singling_out
    from synth.attacks.auxiliary import SOURCES
    from synth.attacks.registry import ACROSS_RELEASES, ATTACKS
    from synth.attacks.registry import HEADLINE as REGISTERED_HEADLINE
    from synth.attacks.registry import LINKAGE as REGISTERED_LINKAGE
    from synth.measure import names

    assert names.HEADLINE == REGISTERED_HEADLINE == "reidentification"
    assert names.LINKAGE == REGISTERED_LINKAGE == ("exact_linkage", "probabilistic_linkage")
    assert names.HASH_REVERSAL == hash_reversal.ATTACK_ID
    assert names.PROBABILISTIC_LINKAGE == probabilistic_linkage.ATTACK_ID
    assert names.REACH == reach.ATTACK_ID
    assert names.SINGLING_OUT == singling_out.ATTACK_ID
    assert names.SOURCES == SOURCES
    assert names.COMPOSITION == composition.ATTACK_ID and names.COMPOSITION in ACROSS_RELEASES
    assert {names.HEADLINE, *names.LINKAGE, names.HASH_REVERSAL, names.REACH, names.SINGLING_OUT} <= set(ATTACKS)


def test_every_estimator_and_purpose_measure_is_a_documented_measure() -> None:
    from synth.measure import names
    from synth.measure.uniqueness_estimators import ESTIMATORS

    assert tuple(names.ESTIMATOR_LABELS) == ESTIMATORS == ("pitman", "zayatz", "snb", "dankar")
    assert {f"unique_share_{e}" for e in ESTIMATORS} <= set(names.MEASURES)
    assert {measure for measure, _ in names.PURPOSE_MEASURE.values()} <= set(names.MEASURES)
