"""The decision on a hand-built table of pooled figures: the ranking (least exposing first, unmeasured exposure
never ranked), the recommendation rule (ties, a purpose no policy serves) and research kept as the gain over the
majority class."""

from __future__ import annotations

import json

import polars as pl
import pytest

from synth.measure.decision import Figure, decide, level

POLICIES = [
    ("as_exported", "rows"),
    ("hmac", "rows"),
    ("drop_ward", "rows"),
    ("controller_sends", "nothing"),
    ("dp", "counts"),
    ("synthetic", "synthetic"),
]
KEEP = {"outreach": 0.9, "ward_planning": 0.9, "research": 0.9}
ROWS = [
    # policy, attack, measure, value, ci_low, ci_high
    ("as_exported", "reidentification", "recall", 0.83, 0.82, 0.84),
    ("as_exported", "reach", "contactable", 700.0, None, None),
    ("as_exported", "reach", "fraud_ready", 100.0, None, None),
    ("as_exported", "reach", "people_released", 1000.0, None, None),
    ("as_exported", "utility", "outreach_reach", 1.0, 0.99, 1.0),
    ("as_exported", "utility", "ward_planning_within_tolerance", 1.0, 0.98, 1.0),
    ("as_exported", "utility", "research_accuracy", 0.9, 0.88, 0.92),
    ("as_exported", "utility", "research_ceiling", 0.9, None, None),
    ("as_exported", "utility", "research_baseline", 0.7, None, None),
    ("hmac", "reidentification", "recall", 0.45, 0.43, 0.47),
    ("hmac", "reach", "contactable", 300.0, None, None),
    ("hmac", "reach", "fraud_ready", 50.0, None, None),
    ("hmac", "reach", "people_released", 1000.0, None, None),
    ("hmac", "utility", "outreach_reach", 1.0, 0.99, 1.0),
    ("hmac", "utility", "ward_planning_within_tolerance", 1.0, 0.98, 1.0),
    ("hmac", "utility", "research_accuracy", 0.8, 0.78, 0.82),
    ("hmac", "utility", "research_ceiling", 0.9, None, None),
    ("hmac", "utility", "research_baseline", 0.7, None, None),
    ("drop_ward", "reidentification", "recall", 0.45, 0.43, 0.47),  # ties with hmac
    ("drop_ward", "reach", "contactable", 250.0, None, None),
    ("drop_ward", "reach", "fraud_ready", 40.0, None, None),
    ("drop_ward", "reach", "people_released", 1000.0, None, None),
    ("drop_ward", "utility", "outreach_reach", 1.0, 0.99, 1.0),
    ("drop_ward", "utility", "research_accuracy", 0.9, 0.88, 0.92),
    ("drop_ward", "utility", "research_ceiling", 0.9, None, None),
    ("drop_ward", "utility", "research_baseline", 0.7, None, None),
    ("controller_sends", "utility", "outreach_reach", 1.0, 0.99, 1.0),
    ("dp", "utility", "ward_planning_within_tolerance", 0.95, 0.93, 0.97),
    ("synthetic", "membership_inference", "tpr", 0.3, 0.25, 0.35),
    ("synthetic", "membership_inference", "fpr", 0.2, 0.15, 0.25),
    ("synthetic", "utility", "research_accuracy", 0.7, 0.68, 0.72),  # the majority class: gains nothing
    ("synthetic", "utility", "research_ceiling", 0.9, None, None),
    ("synthetic", "utility", "research_baseline", 0.7, None, None),
    ("synthetic", "reidentification", "recall", 0.0, 0.0, 0.1),  # a group figure below is ignored
]
SUMMARY = pl.DataFrame(
    [(p, a, "all", m, v, lo, hi) for p, a, m, v, lo, hi in ROWS]
    + [("as_exported", "reidentification", "registry=pensioners", "recall", 0.99, None, None)],
    schema=["policy", "attack", "group", "measure", "value", "ci_low", "ci_high"],
    orient="row",
)
NOTES = [
    "drop_ward / utility: ward_planning: the received data has no 'ward' column (ward counts need local_body, ward, "
    "age, gender)",
    "dp / reidentification: attack 'reidentification': the release's rows are not people (synthetic or aggregate)",
]


def test_the_ranking_puts_the_least_exposing_first_and_never_ranks_an_unmeasured_exposure() -> None:
    decision = decide(SUMMARY, POLICIES, KEEP, NOTES)
    assert [(r.policy, r.rank) for r in decision.ranking] == [
        ("controller_sends", 1),  # nothing leaves the controller: exactly 0
        ("hmac", 2),  # ties with drop_ward on 45%: the scenario's order
        ("drop_ward", 3),
        ("as_exported", 4),
        ("dp", None),  # counts: not measured, not 0
        ("synthetic", None),  # its reidentification row is not read: synthetic rows are not people
    ]
    by = {r.policy: r for r in decision.ranking}
    assert by["as_exported"].exposure == Figure(0.83, 0.82, 0.84, "re-identification by any chain of attacks")
    assert by["controller_sends"].exposure == Figure(
        0.0, 0.0, 0.0, "nothing released: the controller sends the messages itself"
    )
    assert by["dp"].exposure.value is None
    assert by["dp"].exposure.reason == (
        "the release holds counts, not rows; no reconstruction of people from them ran, so its exposure is unknown, "
        "not 0"
    )
    assert by["synthetic"].exposure.reason == (
        "the rows are synthetic, not people: re-identification does not apply; membership inference flags 30.0% of "
        "members against 20.0% of non-members"
    )
    assert by["hmac"].contactable == Figure(0.3, source="reach: 300 of 1,000 people released")
    assert by["hmac"].fraud_ready == Figure(0.05, source="reach: 50 of 1,000 people released")
    assert by["dp"].contactable.reason == "the scenario has no reach attack"


def test_what_each_policy_keeps_names_its_source_or_says_why_it_is_absent() -> None:
    by = {r.policy: r for r in decide(SUMMARY, POLICIES, KEEP, NOTES).ranking}
    research = by["hmac"].keeps["research"]  # (0.8 - 0.7) / (0.9 - 0.7): half the original release's gain
    assert research.value == pytest.approx(0.5)
    assert (research.ci_low, research.ci_high) == (pytest.approx(0.4), pytest.approx(0.6))
    assert research.source == (
        "utility: research accuracy 80.0% against the majority class's 70.0% and the original release's 90.0%"
    )
    assert by["synthetic"].keeps["research"].value == 0.0  # 70% accuracy is the majority class: nothing kept
    assert by["drop_ward"].keeps["ward_planning"] == Figure(  # what was received cannot serve it: exactly 0
        0.0,
        0.0,
        0.0,
        "utility: nothing of it can be done with what was received (the received data has no 'ward' column (ward "
        "counts need local_body, ward, age, gender))",
    )
    assert by["controller_sends"].keeps["research"].reason == "the run has no figure for it and no note on why"
    assert by["as_exported"].keeps["outreach"] == Figure(1.0, 0.99, 1.0, "utility: outreach_reach")


def test_each_purpose_gets_the_least_exposing_policy_that_keeps_enough_and_its_runner_up() -> None:
    recs = {r.purpose: r for r in decide(SUMMARY, POLICIES, KEEP, NOTES).recommendations}
    assert (recs["outreach"].policy, recs["outreach"].runner_up) == ("controller_sends", "hmac")
    assert recs["outreach"].why == (
        "controller_sends is the least-exposing policy that keeps at least 90.0% of outreach: 0.0% of released rows "
        "re-identified (nothing released: the controller sends the messages itself), 100.0% of outreach kept. "
        "Runner-up: hmac (45.0% re-identified, keeps 100.0%)."
    )
    assert (recs["ward_planning"].policy, recs["ward_planning"].runner_up) == ("hmac", "as_exported")
    assert recs["ward_planning"].why.endswith(
        "Runner-up: as_exported (83.0% re-identified, keeps 100.0%). (dp also keeps enough, but its exposure was "
        "not measured)"
    )
    assert (recs["research"].policy, recs["research"].runner_up) == ("drop_ward", "as_exported")


def test_at_equal_exposure_the_policy_that_releases_less_ranks_first() -> None:
    zero = pl.DataFrame(
        [("k5", "reidentification", "all", "recall", 0.0, 0.0, 0.01)], schema=SUMMARY.schema, orient="row"
    )
    ranking = decide(pl.concat([SUMMARY, zero]), [("k5", "rows"), *POLICIES], KEEP, NOTES).ranking
    assert [(r.policy, r.rank) for r in ranking[:2]] == [("controller_sends", 1), ("k5", 2)]


def test_a_tie_on_exposure_goes_to_the_policy_that_keeps_more() -> None:
    recs = decide(SUMMARY, POLICIES, {"research": 0.4}, NOTES).recommendations
    assert (recs[0].policy, recs[0].runner_up) == ("drop_ward", "hmac")  # hmac ranks higher, but keeps 50%
    assert " It ties with hmac on exposure and keeps more of research. " in recs[0].why


def test_a_purpose_no_policy_serves_says_so() -> None:
    recs = decide(SUMMARY, POLICIES, {"ward_planning": 1.0, "research": 1.0}, NOTES).recommendations
    assert (recs[0].policy, recs[0].runner_up) == ("hmac", "as_exported")  # 100% is reachable: keep is inclusive
    unserved = decide(SUMMARY, POLICIES[4:], {"research": 0.9, "outreach": 0.9}, NOTES).recommendations
    assert [(r.purpose, r.policy, r.why) for r in unserved] == [
        ("research", None, "No policy keeps 90.0% of research; the most any keeps is 0.0%, by synthetic."),
        ("outreach", None, "No policy keeps 90.0% of outreach; no policy has a figure for it."),
    ]


def test_the_decision_is_plain_data_for_results_json() -> None:
    data = decide(SUMMARY, POLICIES, KEEP, NOTES).to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["ranking"][0]["policy"] == "controller_sends"
    assert data["ranking"][0]["keeps"]["outreach"]["value"] == 1.0
    assert data["recommendations"][1] == {
        "purpose": "ward_planning",
        "keep": 0.9,
        "policy": "hmac",
        "runner_up": "as_exported",
        "why": data["recommendations"][1]["why"],
    }


@pytest.mark.parametrize(("share", "name"), [(0.0, "low"), (0.0099, "low"), (0.01, "moderate"), (0.5, "severe")])
def test_exposure_levels(share: float, name: str) -> None:
    assert level(share) == name


def test_a_bounded_attack_makes_its_figure_a_lower_bound_wherever_it_is_shown() -> None:
    bounded = "hmac / probabilistic_linkage: made no guess: ... so its figures (0) are a lower bound of what ..."
    sliced = "as_exported / hash_reversal: a slice of the plan, a lower bound"
    decision = decide(SUMMARY, POLICIES, KEEP, [*NOTES, bounded, sliced, "drop_ward / singling_out: a lower bound"])
    by = {r.policy: r for r in decision.ranking}
    assert by["hmac"].exposure.lower_bound == bounded.removeprefix("hmac / ")
    assert by["as_exported"].exposure.lower_bound == sliced.removeprefix("as_exported / ")  # the chain holds it
    assert by["drop_ward"].exposure.lower_bound is None  # singling out is not chained
    ward = decision.recommendations[1]
    assert ward.policy == "hmac"
    assert "at least 45.0% of released rows re-identified (re-identification by any chain of attacks; a lower " in (
        ward.why
    )


def test_the_whatif_deltas_against_the_base_policy() -> None:
    whatif = [
        ("ward", "drop", "ward dropped", "drop_ward"),
        ("phone", "hmac", "phone as an HMAC", "hmac"),
    ]
    rows = decide(SUMMARY, POLICIES, KEEP, NOTES, whatif, "as_exported").whatif
    ward, phone = rows
    assert ward.exposure_change == pytest.approx(0.45 - 0.83)
    assert (ward.kept_change("outreach"), ward.kept_change("ward_planning"), ward.kept_change("research")) == (
        0.0,
        -1.0,  # no ward column received: ward planning is lost entirely
        0.0,
    )
    assert ward.sentence == (
        "With ward dropped, re-identification falls from 83.0% to 45.0%; it costs ward planning 100.0 points "
        "(100.0% kept to 0.0%) and keeps outreach, research as they were."
    )
    assert phone.kept_change("research") == pytest.approx(-0.5)
    assert phone.sentence == (
        "With phone as an HMAC, re-identification falls from 83.0% to 45.0%; it costs research 50.0 points "
        "(100.0% kept to 50.0%) and keeps outreach, ward planning as they were."
    )
    data = decide(SUMMARY, POLICIES, KEEP, NOTES, whatif, "as_exported").to_dict()["whatif"]
    assert data[0]["kept_change"] == {"outreach": 0.0, "ward_planning": -1.0, "research": 0.0}
    assert (data[0]["base"], data[0]["policy"], data[0]["exposure"]["value"]) == ("as_exported", "drop_ward", 0.45)


def test_a_purpose_with_no_truth_is_not_measured_and_one_the_received_data_cannot_serve_keeps_nothing() -> None:
    notes = [
        "hmac / utility: research: the original release has no 'registry' column (the label)",
        "as_exported / utility: ward_planning: ages are banded coarser than five years (e.g. '0-9')",
    ]
    summary = SUMMARY.filter(
        ~((pl.col("policy") == "hmac") & pl.col("measure").str.starts_with("research"))
        & ~((pl.col("policy") == "as_exported") & pl.col("measure").str.starts_with("ward_planning"))
    )
    by = {r.policy: r for r in decide(summary, POLICIES, KEEP, notes).ranking}
    assert by["hmac"].keeps["research"] == Figure(
        None, reason="the original release has no 'registry' column (the label)"
    )
    assert by["as_exported"].keeps["ward_planning"].value == 0.0


def _counts(rows: list[tuple[str, str, str, float, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(p, a, "all", m, v, lo, hi) for p, a, m, v, lo, hi in rows],
        schema=["policy", "attack", "group", "measure", "value", "ci_low", "ci_high"],
        orient="row",
    )


REBUILT = [
    ("tables", "reconstruction", "exact_places", 0.0667, 0.0229, 0.1786),
    ("tables", "reconstruction", "rows_in_exact_places", 0.0401, 0.0367, 0.0438),
    ("tables", "reconstruction", "records_matched", 0.9564, 0.9525, 0.9599),
    ("tables", "reconstruction", "baseline", 0.3228, 0.3143, 0.3313),
    ("tables", "utility", "ward_planning_within_tolerance", 1.0, 0.99, 1.0),
]


def test_counts_whose_tables_publish_no_registry_say_what_reconstruction_achieved_and_stay_unmeasured() -> None:
    (ranked,) = decide(_counts(REBUILT), [("tables", "counts")], {"ward_planning": 0.9}, []).ranking
    assert ranked.rank is None and ranked.exposure.value is None
    assert ranked.exposure.reason == (
        "the release holds counts, not rows; reconstruction from the published tables rebuilt every record of 6.7% "
        "of places (4.0% of the rows) and 95.6% of its records match a true record (records drawn at random from "
        "the margins alone: 32.3%); the tables publish no registry to attach to a named voter, so its "
        "re-identification is unknown, not 0"
    )


def test_counts_whose_registries_reconstruction_attaches_to_voters_are_ranked_by_that_share() -> None:
    rows = [
        *REBUILT,
        ("tables", "reconstruction", "attached_recall", 0.5567, 0.5477, 0.5657),
        ("tables", "reconstruction", "attached_precision", 0.7242, 0.7148, 0.7333),
        ("as_exported", "reidentification", "recall", 0.77, 0.76, 0.78),
        ("as_exported", "utility", "ward_planning_within_tolerance", 1.0, 0.99, 1.0),
    ]
    decision = decide(_counts(rows), [("as_exported", "rows"), ("tables", "counts")], {"ward_planning": 0.9}, [])
    assert [(r.policy, r.rank) for r in decision.ranking] == [("tables", 1), ("as_exported", 2)]
    assert decision.ranking[0].exposure == Figure(
        0.5567,
        0.5477,
        0.5657,
        "reconstruction: registries attached to named voters from the records rebuilt from the tables (72.4% of "
        "the claims right)",
    )
    assert decision.recommendations[0].policy == "tables"
