"""Attribute inference on hand-built tables: a secret that is a rule of the quasi-identifiers is learnt
exactly, the majority baseline predicts the commonest label, and scoring is checked by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from synth.attacks.attribute_inference import AttributeInferenceParams, attribute_inference
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import NotApplicable
from synth.errors import SpecError
from synth.release.build import AttackerView
from synth.scoring.inference import score_inference

# 240 released pensioners in two wards: every woman of 60 and over in ward 3 draws a widow's pension,
# everybody else an old-age pension (a rule of age, gender and ward the model can learn).
_AGES = np.tile(np.arange(40, 100, 2), 8)  # 30 ages x 8
_GENDER = np.repeat(["F", "M"], 120)
_WARD = np.tile(np.repeat([3, 5], 30), 4)
_WIDOW = (_GENDER == "F") & (_WARD == 3) & (_AGES >= 60)
RELEASE = pl.DataFrame(
    {
        "row_id": np.arange(240),
        "age": _AGES,
        "gender": _GENDER,
        "local_body": ["Kalpetta"] * 240,
        "ward": pl.Series(_WARD, dtype=pl.Int16),
        "scheme": np.where(_WIDOW, "widow", "old_age"),
        "registry": ["pensioners"] * 240,
    }
)
ROLL = pl.DataFrame(
    {
        "epic": ["SYN1", "SYN2", "SYN3", "SYN4", "SYN5"],
        "name": ["A", "B", "C", "D", "E"],
        "sex": ["F", "F", "M", "F", "F"],
        "age": [71, 45, 71, 81, 65],
        "district": ["Wayanad"] * 5,
        "taluk": ["Vythiri"] * 5,
        "local_body": ["Kalpetta"] * 5,
        "ward": pl.Series([3, 3, 3, 5, 3], dtype=pl.Int16),
    }
)
AUX = AuxiliaryData(electoral_roll=ROLL)


def test_a_rule_of_the_quasi_identifiers_is_learnt_for_every_voter() -> None:
    out = attribute_inference(AttackerView(RELEASE), AUX, np.random.default_rng(0))
    # women of 60+ in ward 3 (SYN1, SYN5) are labelled widows; the man, the young woman and ward 5 are not
    assert out.rows() == [("SYN1", "yes"), ("SYN2", "none"), ("SYN3", "none"), ("SYN4", "none"), ("SYN5", "yes")]


@pytest.mark.parametrize("rows", [1, 2, 4])
def test_the_roll_labelled_a_slice_at_a_time_gets_the_labels_of_the_whole(
    rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slices of one, two and four entries, a combination of quasi-identifiers (SYN1's, again as SYN6) in two of
    them: the labels of the roll labelled at once, in its order."""
    again = ROLL.head(1).with_columns(epic=pl.lit("SYN6"), name=pl.lit("F"))
    aux = AuxiliaryData(electoral_roll=pl.concat([ROLL, again]))
    whole = attribute_inference(AttackerView(RELEASE), aux, np.random.default_rng(0))
    monkeypatch.setattr("synth.attacks.attribute_inference.SLICE_ROWS", rows)
    sliced = attribute_inference(AttackerView(RELEASE), aux, np.random.default_rng(0))
    assert sliced.equals(whole)
    labels = [("SYN1", "yes"), ("SYN2", "none"), ("SYN3", "none"), ("SYN4", "none"), ("SYN5", "yes"), ("SYN6", "yes")]
    assert sliced.rows() == labels


def test_pension_scheme_and_the_majority_baseline() -> None:
    params = AttributeInferenceParams(secret="pension_scheme")
    out = attribute_inference(AttackerView(RELEASE), AUX, np.random.default_rng(0), params)
    assert out["prediction"].to_list() == ["widow", "old_age", "old_age", "old_age", "widow"]
    assert out.schema["prediction"] == pl.Categorical  # a code a voter: the whole state's roll has 2.7 crore
    base = AttributeInferenceParams(secret="pension_scheme", model="majority")
    majority = attribute_inference(AttackerView(RELEASE), AUX, np.random.default_rng(0), base)
    assert majority["prediction"].to_list() == ["old_age"] * 5  # 200 of 240 rows are old-age pensions


def test_the_prior_baseline_by_hand() -> None:
    """The attacker's prior over 1,000 voters: 40 widows and 200 old-age pensioners are released, so 760 voters
    are nobody's pensioner; the baseline labels every voter 'none'. Over 5 voters the prior is 200 old-age."""
    assert int(_WIDOW.sum()) == 40
    voters = pl.concat([ROLL] * 200).with_columns(epic=pl.format("SYN{}", pl.int_range(pl.len())))
    params = AttributeInferenceParams(secret="pension_scheme", model="prior")
    base = attribute_inference(
        AttackerView(RELEASE), AuxiliaryData(electoral_roll=voters), np.random.default_rng(0), params
    )
    assert base.height == 1_000 and set(base["prediction"]) == {"none"}
    small = attribute_inference(AttackerView(RELEASE), AUX, np.random.default_rng(0), params)
    assert small["prediction"].to_list() == ["old_age"] * 5  # 200 old-age rows, 40 widows, 0 left for 'none'
    # widowhood over 1,000 voters: 40 'yes' released, 960 'none'
    widowhood = AttributeInferenceParams(secret="widowhood", model="prior")
    aux = AuxiliaryData(electoral_roll=voters)
    assert set(attribute_inference(AttackerView(RELEASE), aux, np.random.default_rng(0), widowhood)["prediction"]) == {
        "none"
    }
    # scored: the baseline's accuracy is the share of voters whose true label is 'none'
    truth = pl.DataFrame({"epic": base["epic"], "truth": ["none"] * 700 + ["old_age"] * 250 + ["widow"] * 50})
    assert score_inference(base, base, truth).baseline.value == 0.7


def test_womens_scheme_from_the_registry_column() -> None:
    mixed = RELEASE.with_columns(
        registry=pl.when(pl.col("gender") == "F").then(pl.lit("womens_scheme")).otherwise(pl.lit("pensioners"))
    )
    params = AttributeInferenceParams(secret="womens_scheme")
    out = attribute_inference(AttackerView(mixed.drop("scheme")), AUX, np.random.default_rng(0), params)
    assert out["prediction"].to_list() == ["yes", "yes", "none", "yes", "yes"]


def test_banded_ages_are_recoded_on_the_roll() -> None:
    banded = RELEASE.with_columns(
        age=(pl.col("age") // 10 * 10).cast(pl.String) + "-" + (pl.col("age") // 10 * 10 + 9).cast(pl.String)
    )
    out = attribute_inference(AttackerView(banded), AUX, np.random.default_rng(0))
    assert out["prediction"].to_list() == ["yes", "none", "none", "none", "yes"]


def test_a_roll_of_enums_gets_the_labels_of_a_roll_of_strings() -> None:
    """A granted roll holds sexes and places as enums (synth.scenario.auxiliary), which the attack reads as they are:
    the same labels as on the roll of strings, on whole years and on bands, each entry with its own epic."""
    enums = ROLL.with_columns(
        sex=pl.col("sex").cast(pl.Enum(["M", "F"])),
        district=pl.col("district").cast(pl.Enum(["Wayanad"])),
        taluk=pl.col("taluk").cast(pl.Enum(["Vythiri"])),
        local_body=pl.col("local_body").cast(pl.Enum(["Kalpetta"])),
    )
    banded = RELEASE.with_columns(
        age=(pl.col("age") // 10 * 10).cast(pl.String) + "-" + (pl.col("age") // 10 * 10 + 9).cast(pl.String)
    )
    for release in (RELEASE, banded):
        on_strings = attribute_inference(AttackerView(release), AUX, np.random.default_rng(0))
        aux = AuxiliaryData(electoral_roll=enums)
        on_enums = attribute_inference(AttackerView(release), aux, np.random.default_rng(0))
        assert on_enums.equals(on_strings)
        assert on_enums["prediction"].to_list() == ["yes", "none", "none", "none", "yes"]
        assert on_enums["epic"].to_list() == ROLL["epic"].to_list()


def test_seeded_twins_and_training_sample() -> None:
    params = AttributeInferenceParams(max_train_rows=100)
    runs = [attribute_inference(AttackerView(RELEASE), AUX, np.random.default_rng(4), params) for _ in range(2)]
    assert runs[0].equals(runs[1])


def test_scoring_by_hand() -> None:
    truth = pl.DataFrame(
        {"epic": ["SYN1", "SYN2", "SYN3", "SYN4", "SYN5"], "truth": ["yes", "none", "none", "yes", "none"]}
    )
    attack = pl.DataFrame(
        {"epic": ["SYN1", "SYN2", "SYN3", "SYN4", "SYN5"], "prediction": ["yes", "none", "none", "none", "yes"]}
    )
    baseline = attack.with_columns(prediction=pl.lit("none"))
    s = score_inference(attack, baseline, truth)
    # right: SYN1, SYN2, SYN3 (3 of 5); flagged: SYN1, SYN5, of which SYN1 is right; positives: SYN1, SYN4
    assert (s.targets, s.guesses, s.correct) == (5, 2, 1)
    assert (s.accuracy.value, s.baseline.value, s.precision.value, s.recall.value) == (0.6, 0.6, 0.5, 0.5)
    assert s.risk.value == 0.0  # no better than always saying "none"


def test_not_applicable_names_the_attack_and_the_column() -> None:
    rng = np.random.default_rng(0)
    cases = [
        (
            RELEASE.drop("scheme"),
            "attack 'attribute_inference': secret 'widowhood' is learnt from the column 'scheme', which the release "
            "lacks (it has row_id, age, gender, local_body, ward, registry)",
        ),
        (RELEASE.clear(), "attack 'attribute_inference': the release is empty; nothing to learn from"),
        (
            RELEASE.select("row_id", "scheme"),
            "attack 'attribute_inference': the release shares no quasi-identifier with the roll "
            "(it has row_id, scheme)",
        ),
    ]
    for data, message in cases:
        with pytest.raises(NotApplicable) as err:
            attribute_inference(AttackerView(data), AUX, rng)
        assert err.type is NotApplicable and str(err.value) == message


def test_an_ungranted_roll_is_a_spec_error() -> None:
    with pytest.raises(SpecError) as err:
        attribute_inference(AttackerView(RELEASE), AuxiliaryData(), np.random.default_rng(0))
    assert str(err.value) == (
        "attack 'attribute_inference': needs the auxiliary source 'electoral_roll', which the scenario did not "
        "grant (granted: none)"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"secret": "widow"},
            "secret = 'widow': unknown secret; allowed are widowhood, disability, womens_scheme, pension_scheme "
            "(did you mean 'widowhood'?)",
        ),
        ({"model": "forest"}, "model = 'forest': unknown model; allowed are gradient_boosting, prior, majority"),
        ({"max_train_rows": 99}, "max_train_rows = 99; allowed is a whole number of at least 100"),
        ({"max_train_rows": True}, "max_train_rows = True; allowed is a whole number of at least 100"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as err:
        AttributeInferenceParams(**kwargs)  # type: ignore[arg-type]
    assert str(err.value) == f"attack 'attribute_inference': {message}"


def test_every_bad_parameter_is_reported_at_once() -> None:
    with pytest.raises(SpecError) as err:
        AttributeInferenceParams(secret="widow", model="forest")
    assert str(err.value).splitlines() == [
        "attack 'attribute_inference': secret = 'widow': unknown secret; allowed are widowhood, disability, "
        "womens_scheme, pension_scheme (did you mean 'widowhood'?)",
        "attack 'attribute_inference': model = 'forest': unknown model; allowed are gradient_boosting, prior, majority",
    ]


def test_the_same_predictions_on_one_openmp_thread_or_two() -> None:
    """A worker of a local cluster fits on one OpenMP thread, a run in this process on one per core (the suite
    itself sets one: tests/conftest.py). The predictions must not depend on it."""
    rng = np.random.default_rng(3)
    n = 1_500
    release = pl.DataFrame(
        {
            "row_id": np.arange(n),
            "age": rng.integers(18, 95, n),
            "gender": rng.choice(["F", "M"], n),
            "local_body": rng.choice(["Kalpetta", "Meppadi", "Vythiri"], n),
            "ward": pl.Series(rng.integers(1, 20, n), dtype=pl.Int16),
            "scheme": rng.choice(["widow", "old_age", "disability"], n, p=[0.3, 0.6, 0.1]),
            "registry": ["pensioners"] * n,
        }
    )
    m = 1_000
    roll = pl.DataFrame(
        {
            "epic": [f"SYN{i}" for i in range(m)],
            "name": ["A"] * m,
            "sex": rng.choice(["F", "M"], m),
            "age": rng.integers(18, 95, m),
            "district": ["Wayanad"] * m,
            "taluk": ["Vythiri"] * m,
            "local_body": rng.choice(["Kalpetta", "Meppadi", "Vythiri"], m),
            "ward": pl.Series(rng.integers(1, 20, m), dtype=pl.Int16),
        }
    )
    params, aux = AttributeInferenceParams(secret="pension_scheme"), AuxiliaryData(roll)
    runs = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="openmp"):
            runs.append(attribute_inference(AttackerView(release), aux, np.random.default_rng(0), params))
            assert {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "openmp"} == {threads}
    assert runs[0].equals(runs[1])
    assert runs[0]["prediction"].n_unique() > 1  # a model that learnt something, not one label for everyone
