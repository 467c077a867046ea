"""Published tables (the ``tables`` step): exact counts per place for each declared cross-tabulation, zeros
published, small cells suppressed on request, and every bad parameter named with its policy and step."""

from __future__ import annotations

import polars as pl
import pytest

from synth.errors import PolicyError
from synth.policies.library import load_policy, policy_from_dict
from synth.policies.tables import PublishTables

RELEASE = pl.DataFrame(
    {
        "row_id": [0, 1, 2, 3, 4],
        "name": ["A", "B", "C", "D", "E"],
        "age": [23, 27, 67, 71, 34],
        "gender": ["F", "M", "F", "F", "M"],
        "local_body": ["Kalpetta"] * 4 + ["Meppadi"],
        "ward": [1, 1, 1, 2, 1],
        "registry": ["employees", "employees", "pensioners", "pensioners", "employees"],
    }
)


def _policy(**step: object) -> pl.DataFrame:
    policy = policy_from_dict({"policy": {"id": "mine"}, "steps": [{"step": "tables", **step}]})
    return policy.fit_transform(RELEASE)


def test_each_table_counts_every_place_and_every_combination_zeros_included() -> None:
    out = _policy(tables=[["registry", "gender"]], age_width=10)
    assert out.columns == ["local_body", "ward", "table", "registry", "gender", "count"]
    kalpetta_1 = out.filter((pl.col("local_body") == "Kalpetta") & (pl.col("ward") == 1))
    assert kalpetta_1.select("registry", "gender", "count").rows() == [
        ("employees", "F", 1),
        ("employees", "M", 1),
        ("pensioners", "F", 1),
        ("pensioners", "M", 0),
    ]
    assert out.height == 3 * 4  # three places, two registries x two genders each
    assert out["count"].sum() == RELEASE.height


def test_ages_are_published_in_bands_and_tables_share_one_frame() -> None:
    out = _policy(tables=[["age", "gender"], ["registry"]], age_width=10, by=["local_body"])
    assert out["table"].unique(maintain_order=True).to_list() == ["age x gender", "registry"]
    ages = out.filter(pl.col("table") == "age x gender")
    assert sorted(ages["age"].unique().to_list()) == ["20-29", "30-39", "60-69", "70-79"]
    assert ages.filter((pl.col("local_body") == "Kalpetta") & (pl.col("age") == "20-29"))["count"].to_list() == [1, 1]
    assert out.filter(pl.col("table") == "registry")["age"].null_count() == 4  # not crossed: missing


def test_small_cells_are_suppressed_and_the_threshold_published() -> None:
    policy = policy_from_dict(
        {"policy": {"id": "mine"}, "steps": [{"step": "tables", "tables": [["registry"]], "threshold": 2}]}
    )
    out = policy.fit_transform(RELEASE)
    assert out.select("local_body", "ward", "registry", "count").rows() == [
        ("Kalpetta", 1, "employees", 2),
        ("Kalpetta", 1, "pensioners", None),  # 1: suppressed
        ("Kalpetta", 2, "employees", 0),  # zeros are published
        ("Kalpetta", 2, "pensioners", None),
        ("Meppadi", 1, "employees", None),
        ("Meppadi", 1, "pensioners", 0),
    ]
    assert policy.released_metadata() == {"suppression_threshold": 2}
    assert policy.steps[0].report()["suppressed"] == 3


def test_the_shipped_ward_tables_release_counts() -> None:
    for pid, threshold in (("ward_tables", 1), ("ward_tables_suppressed", 5)):
        policy = load_policy(pid)
        assert policy.releases == "counts"
        (step,) = policy.steps
        assert isinstance(step, PublishTables) and step.threshold == threshold


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            {"tables": [["age", "caste"]]},
            "policy 'mine', step 1 (tables): column 'caste' is not in the release (it has row_id, name, age, gender, "
            "local_body, ward, registry)",
        ),
        (
            {"tables": []},
            "policy 'mine', step 1 (tables): tables = []: must list at least one table, e.g. [['age', 'gender']]",
        ),
        (
            {"threshold": 0},
            "policy 'mine', step 1 (tables): threshold = 0: must be a whole number of at least 1 (1: no suppression)",
        ),
        (
            {"tables": "age"},
            "policy 'mine', step 1 (tables): tables = 'age': must be a list of lists of column names",
        ),
        (
            {"tables": [["name"]]},
            "policy 'mine', step 1 (tables): tables: ['name'] names 'name', which a table cannot publish (an "
            "identifier)",
        ),
    ],
)
def test_bad_tables_are_named_with_the_policy_and_the_key(step: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError) as err:
        _policy(**step)
    assert str(err.value) == message


def test_dp_counts_over_the_same_tables_spends_epsilon_on_all_of_them_together() -> None:
    """Every row falls once in each table: with two tables and two rows a person, the count vector moves by 4 in
    L1, so epsilon 1 needs a scale of 4, which OpenDP's privacy map confirms."""
    step = {"step": "dp_counts", "tables": [["registry"], ["gender"]], "epsilon": 1.0, "random_state": 7}
    policy = policy_from_dict({"policy": {"id": "noisy"}, "steps": [step]})
    out = policy.fit_transform(RELEASE)
    assert policy.report()[0]["noise_scale"] == 4.0 and policy.report()[0]["epsilon"] == pytest.approx(1.0)
    assert policy.released_metadata() == {"noise_scale": 4.0}
    assert out.columns == ["local_body", "ward", "table", "registry", "gender", "count"]
    assert out.height == 3 * (2 + 2) and out["count"].min() >= 0  # every place, every value, clamped at 0
    twin = policy_from_dict({"policy": {"id": "noisy"}, "steps": [step]}).fit_transform(RELEASE)
    assert out.equals(twin)  # the same seed, the same counts


def test_every_bad_parameter_is_named_at_once() -> None:
    with pytest.raises(PolicyError) as err:
        _policy(tables=[["age", "age"]], by=5, threshold=0.5)
    assert str(err.value).splitlines() == [
        "policy 'mine', step 1 (tables): tables: ['age', 'age'] must name one or more distinct columns",
        "policy 'mine', step 1 (tables): by = 5: must be a non-empty list of place columns",
        "policy 'mine', step 1 (tables): threshold = 0.5: must be a whole number of at least 1 (1: no suppression)",
    ]
