"""Utility measures on hand-built releases: every figure below is worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import pytest

from synth.core.coding import AGE_BANDS
from synth.errors import SpecError
from synth.measure.utility.outreach import outreach_utility
from synth.measure.utility.research import fit_and_score, research_utility
from synth.measure.utility.ward_planning import ward_planning_utility
from synth.policies import MinimizedRelease, Policy, Step, minimize
from synth.policies.columns import DropColumns
from synth.policies.generalize import CoarsenGeography, GeneralizeAge
from synth.policies.masking import MaskPhone
from synth.policies.no_release import ControllerSends
from synth.policies.tokenize import Tokenize
from synth.release import ReleaseSpec
from synth.release.build import AttackerView, Release
from synth.scoring.stats import wilson


def _release(columns: dict[str, Sequence[object]], people: Sequence[str]) -> Release:
    data = pl.DataFrame(columns).with_columns(row_id=pl.int_range(pl.len(), dtype=pl.Int64))
    data = data.select("row_id", *columns)
    registry = data["registry"] if "registry" in data.columns else pl.Series("registry", ["employees"] * data.height)
    truth = pl.DataFrame({"row_id": data["row_id"], "person_id": list(people), "registry": registry})
    return Release(spec=ReleaseSpec(), data=data, truth=truth)


def _minimize(release: Release, *steps: Step) -> MinimizedRelease:
    return minimize(release, Policy(id="hand", description="", steps=list(steps)))


def _by_hand(
    release: Release, data: pl.DataFrame, steps: Sequence[str] = (), rows_are_people: bool = True
) -> MinimizedRelease:
    """A minimized release built by hand (rows a policy could have produced)."""
    truth = (
        release.truth.join(data.select("row_id"), on="row_id", how="semi") if rows_are_people else release.truth.clear()
    )
    return MinimizedRelease(
        policy_id="hand",
        view=AttackerView(data=data),
        truth=truth,
        report=[{"step": s} for s in steps],
        rows_are_people=rows_are_people,
    )


# ------------------------------------------------------------------------------------------------ outreach

# p1 has two rows (two registries, one number); p2 and p3 share a household number; p4 has none.
PHONES = ["+910000000001", "+910000000001", "+910000000002", "+910000000002", None, "+910000000005"]
PEOPLE = ["p1", "p1", "p2", "p3", "p4", "p5"]
RECIPIENTS = 4  # p1, p2, p3, p5: everyone with a number; p4 can be reached by nobody


@pytest.fixture
def contacts() -> Release:
    return _release({"phone": PHONES, "age": [30, 30, 40, 12, 50, 70]}, PEOPLE)


def test_plain_numbers_reach_each_person_once(contacts: Release) -> None:
    out = outreach_utility(contacts, _minimize(contacts))
    assert out.reach == wilson(4, 4)
    assert (out.reach.successes, out.reach.trials, out.reach.value) == (4, RECIPIENTS, 1.0)
    assert (out.channel, out.people_released, out.people_without_number) == ("phone", 5, 1)


@pytest.mark.parametrize("step", [DropColumns(["phone"]), MaskPhone()])
def test_dropped_or_masked_numbers_reach_nobody(contacts: Release, step: Step) -> None:
    out = outreach_utility(contacts, _minimize(contacts, step))
    assert (out.reach.successes, out.reach.trials, out.channel) == (0, RECIPIENTS, "none")


def test_tokens_reach_through_the_controller(contacts: Release) -> None:
    tokenized = _minimize(contacts, Tokenize())
    assert tokenized.view.data["phone"].drop_nulls().n_unique() == 3  # one token per number, shared like the number
    out = outreach_utility(contacts, tokenized)
    assert (out.reach.successes, out.reach.trials, out.channel) == (4, 4, "controller_vault")
    # without p5's row (suppressed, say) the holder has tokens for p1, p2 and p3 only
    fewer = _by_hand(contacts, tokenized.view.data.filter(pl.col("row_id") != 5), steps=["tokenize"])
    assert outreach_utility(contacts, fewer).reach == wilson(3, 4)


def test_controller_sends_to_everyone_with_a_number(contacts: Release) -> None:
    out = outreach_utility(contacts, _minimize(contacts, ControllerSends()))
    assert (out.reach.successes, out.reach.trials, out.channel) == (4, 4, "controller_sends")


def test_a_number_reaches_only_if_it_is_the_rows_own(contacts: Release) -> None:
    held = contacts.data.filter(pl.col("row_id").is_in([1, 2, 5])).with_columns(
        phone=pl.Series(["+910000000001", "+910000000005", "+91XXXXXX0005"])  # own, someone else's, masked
    )
    out = outreach_utility(contacts, _by_hand(contacts, held))
    assert (out.reach.successes, out.reach.trials, out.reach.value, out.channel) == (1, 4, 0.25, "phone")


def test_synthetic_rows_reach_nobody(contacts: Release) -> None:
    fake = pl.DataFrame({"row_id": [0, 1], "phone": ["+910000000001", "+910000000002"]})
    out = outreach_utility(contacts, _by_hand(contacts, fake, steps=["synthesize"], rows_are_people=False))
    assert (out.reach.successes, out.channel) == (0, "none")


# ------------------------------------------------------------------------------------------- ward planning

PLACES = pl.DataFrame({"local_body": ["Alpha", "Alpha"], "ward": pl.Series([1, 2], dtype=pl.Int16)})
GRID = 2 * 17 * 2  # two wards, 17 age bands, 2 genders


@pytest.fixture
def wards() -> Release:
    # cells: (Alpha, 1, 30-34, F) 3, (Alpha, 1, 80+, M) 1, (Alpha, 2, 40-44, F) 2, (Alpha, 2, 60-64, M) 20
    rows = [("Alpha", 1, a, "F") for a in (31, 33, 34)] + [("Alpha", 1, 85, "M")]
    rows += [("Alpha", 2, a, "F") for a in (40, 44)] + [("Alpha", 2, 62, "M")] * 20
    local_body, ward, age, gender = zip(*rows, strict=True)
    return _release(
        {
            "local_body": local_body,
            "ward": pl.Series(ward, dtype=pl.Int16),
            "age": pl.Series(age, dtype=pl.Int16),
            "gender": gender,
            "registry": ["pensioners"] * len(rows),
        },
        [f"p{i}" for i in range(len(rows))],
    )


def test_age_bands_are_five_years_with_80_plus() -> None:
    assert len(AGE_BANDS) == 17 and AGE_BANDS[:2] == ("0-4", "5-9") and AGE_BANDS[-2:] == ("75-79", "80+")


def test_rows_as_released_count_exactly(wards: Release) -> None:
    for steps in ((), (GeneralizeAge(width=5, top=80),), (GeneralizeAge(width=5),)):  # "85-89" lies in 80+
        out = ward_planning_utility(wards, _minimize(wards, *steps), PLACES)
        assert (out.available, out.source, out.scale, out.abs_error, out.relative_l1, out.mae) == (
            True,
            "rows",
            1.0,
            0.0,
            0.0,
            0.0,
        )
        assert (out.true_total, out.received_total, out.cells, out.within_tolerance) == (26, 26.0, GRID, wilson(4, 4))


def test_noisy_counts_with_a_missing_an_overcounted_and_a_stray_cell(wards: Release) -> None:
    counts = pl.DataFrame(
        {
            "local_body": ["Alpha", "Alpha", "Alpha", "Alpha", "Beta"],
            "ward": pl.Series([1, 2, 2, 2, 1], dtype=pl.Int16),
            "age": ["30-34", "40-44", "60-64", "0-4", "20-24"],
            "gender": ["F", "F", "M", "M", "F"],
            "count": [3, 5, 22, 0, 1],
        }
    )  # (Alpha, 1, 80+, M) is missing; Beta is no ward of the grid
    out = ward_planning_utility(wards, _by_hand(wards, counts, ["dp_counts"], rows_are_people=False), PLACES)
    # errors: 0 (exact) + 1 (missing) + 3 (2 -> 5) + 2 (20 -> 22) + 0 (empty, listed) + 1 (stray) = 7
    assert (out.available, out.source, out.true_total, out.received_total) == (True, "noisy_counts", 26, 31.0)
    assert (out.abs_error, out.relative_l1, out.cells, out.mae) == (7.0, 7 / 26, GRID + 1, 7 / (GRID + 1))
    # tolerance max(1, 10%): 3 -> 3 yes, 1 -> 0 yes (1 <= 1), 2 -> 5 no (3 > 1), 20 -> 22 yes (2 <= 2)
    assert out.within_tolerance == wilson(3, 4)


def test_synthetic_rows_are_scaled_to_the_original(wards: Release) -> None:
    small = _release(
        {
            "local_body": ["Alpha"] * 4,
            "ward": pl.Series([1] * 4, dtype=pl.Int16),
            "age": pl.Series([30, 30, 50, 50], dtype=pl.Int16),
            "gender": ["F", "F", "M", "M"],
        },
        ["a", "b", "c", "d"],
    )
    fake = pl.DataFrame(
        {
            "row_id": [0, 1],
            "local_body": ["Alpha", "Alpha"],
            "ward": pl.Series([1, 2], dtype=pl.Int16),
            "age": pl.Series([31, 52], dtype=pl.Int16),
            "gender": ["F", "M"],
        }
    )
    out = ward_planning_utility(small, _by_hand(small, fake, ["synthesize"], rows_are_people=False), PLACES)
    # scale 4 / 2 = 2: (Alpha, 1, 30-34, F) 2 = 2; (Alpha, 1, 50-54, M) 2 -> 0; (Alpha, 2, 50-54, M) 0 -> 2
    assert (out.source, out.scale, out.received_total, out.abs_error, out.relative_l1) == (
        "synthetic_rows",
        2.0,
        4.0,
        4.0,
        1.0,
    )
    assert out.within_tolerance == wilson(1, 2)


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        (
            (CoarsenGeography("local_body"),),
            "the received data has no 'ward' column (ward counts need local_body, ward, age, gender)",
        ),
        (
            (DropColumns(["age", "gender"]),),
            "the received data has no 'age', 'gender' column (ward counts need local_body, ward, age, gender)",
        ),
        ((GeneralizeAge(width=10, top=80),), "ages are banded coarser than five years (e.g. '30-39')"),
        ((GeneralizeAge(mode="top_code", top=30),), "ages are banded coarser than five years (e.g. '30+')"),
        (
            (GeneralizeAge(mode="birth_year"),),
            "the age column holds values that are not ages or age bands (e.g. '1941')",
        ),
        ((ControllerSends(contact_column="gender"),), "no rows were received"),
    ],
)
def test_ward_planning_not_served(wards: Release, steps: tuple[Step, ...], reason: str) -> None:
    out = ward_planning_utility(wards, _minimize(wards, *steps), PLACES)
    assert (out.available, out.reason, out.relative_l1, out.within_tolerance) == (False, reason, None, None)


def test_gender_generalized_away_is_not_served(wards: Release) -> None:
    held = wards.data.with_columns(gender=pl.lit("*"))
    out = ward_planning_utility(wards, _by_hand(wards, held), PLACES)
    assert (out.available, out.reason) == (False, "the gender column holds values other than F, M (e.g. '*')")


# ------------------------------------------------------------------------------------------------ research


def test_fit_and_score_by_hand() -> None:
    train = pl.DataFrame({"gender": ["F"] * 4 + ["M"] * 2, "registry": ["womens_scheme"] * 4 + ["employees"] * 2})
    test = pl.DataFrame(
        {
            "gender": ["F", "F", "F", "M", "F"],
            "registry": ["womens_scheme", "womens_scheme", "womens_scheme", "employees", "employees"],
        }
    )
    # the tree learns F -> womens_scheme, M -> employees: wrong only on the last row
    assert fit_and_score(train, test, categorical=["gender"]) == wilson(4, 5)
    # the majority class of train is womens_scheme: right on the three womens_scheme rows
    assert fit_and_score(train, test, categorical=["gender"], model="majority") == wilson(3, 5)
    ages = pl.DataFrame({"age": [20, 25, 30, 65, 70, 75], "registry": ["employees"] * 3 + ["pensioners"] * 3})
    unseen = pl.DataFrame({"age": [22, 68, 90], "registry": ["employees", "pensioners", "pensioners"]})
    assert fit_and_score(ages, unseen, numeric=["age"]).value == 1.0


def _noisy_rows(n: int, seed: int) -> pl.DataFrame:
    """Rows whose registry depends on age, gender and district, with noise, nulls and many repeated rows."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, n)
    gender = rng.choice(np.array(["F", "M", "T", None], dtype=object), n, p=[0.5, 0.45, 0.01, 0.04])
    district = rng.choice(["D1", "D2", "D3", "D4", "D5"], n)
    score = (age > 58) * 2 + (gender == "F") + (district == "D2") + rng.integers(0, 3, n)
    names = np.array(["employees", "entrepreneurs", "womens_scheme", *["pensioners"] * 4])
    return pl.DataFrame({"age": age, "gender": gender, "district": district, "registry": names[score]})


def test_a_tree_fitted_to_counted_rows_is_the_tree_fitted_to_the_rows() -> None:
    """The equivalence :func:`fit_and_score` rests on: fitted to each distinct row weighed by its rows, with leaves
    bound by a share of the weight, a tree splits where the same tree fitted to every row splits, and so predicts
    alike. Here the bound on a leaf (0.1% of 40,000 rows: 40) binds, and the rows repeat (2,646 distinct of 40,000)."""
    from sklearn.tree import DecisionTreeClassifier

    from synth.measure.utility.research import MIN_LEAF, ROWS, _counted, _matrices

    rows = _noisy_rows(40_000, seed=5)
    numeric, categorical = ["age"], ["gender", "district"]
    counted = _counted(rows, [*numeric, *categorical, "registry"])
    assert counted.height == 2_646 and counted[ROWS].sum() == rows.height
    x_rows, x_counted = _matrices(rows, counted, numeric, categorical)
    for seed in range(3):
        each = DecisionTreeClassifier(min_samples_leaf=MIN_LEAF, random_state=seed)
        each.fit(x_rows, rows["registry"].to_numpy())
        weighed = DecisionTreeClassifier(min_weight_fraction_leaf=MIN_LEAF, random_state=seed)
        weighed.fit(x_counted, counted["registry"].to_numpy(), sample_weight=counted[ROWS].cast(pl.Float64).to_numpy())
        assert each.tree_.node_count > 50 and each.tree_.n_leaves == weighed.tree_.n_leaves
        np.testing.assert_array_equal(each.tree_.feature, weighed.tree_.feature)
        np.testing.assert_array_equal(each.tree_.threshold, weighed.tree_.threshold)
        np.testing.assert_array_equal(each.tree_.children_left, weighed.tree_.children_left)
        np.testing.assert_array_equal(each.tree_.value, weighed.tree_.value)
        np.testing.assert_array_equal(each.predict(x_rows), weighed.predict(x_rows))
    # bound by a share of the distinct rows instead of the weight, the counted rows grow another tree
    loose = DecisionTreeClassifier(min_samples_leaf=MIN_LEAF, random_state=seed)
    loose.fit(x_counted, counted["registry"].to_numpy(), sample_weight=counted[ROWS].cast(pl.Float64).to_numpy())
    assert loose.tree_.node_count != each.tree_.node_count


def test_fit_and_score_counts_every_row_it_scores() -> None:
    """Scored on counted rows, the accuracy is that of predicting each row, recounted here row by row."""
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.tree import DecisionTreeClassifier

    from synth.measure.utility.research import MIN_LEAF, MISSING

    train, test = _noisy_rows(30_000, seed=1), _noisy_rows(10_000, seed=2)
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    cat = ["gender", "district"]

    def x(frame: pl.DataFrame, fit: bool) -> np.ndarray:
        strings = frame.select(pl.col(c).fill_null(MISSING) for c in cat).to_numpy()
        encoded = encoder.fit_transform(strings) if fit else encoder.transform(strings)
        return np.hstack([frame.select(pl.col("age").cast(pl.Float64)).to_numpy(), encoded])

    tree = DecisionTreeClassifier(min_samples_leaf=MIN_LEAF, random_state=7).fit(x(train, True), train["registry"])
    correct = int((tree.predict(x(test, False)) == test["registry"].to_numpy()).sum())
    assert 0.3 * test.height < correct < 0.9 * test.height
    assert fit_and_score(train, test, ["age"], cat, random_state=7) == wilson(correct, test.height)
    majority = int((test["registry"] == train["registry"].mode().sort()[0]).sum())
    assert fit_and_score(train, test, ["age"], cat, model="majority") == wilson(majority, test.height)


# Ten people with four rows each, one per district; the district decides the registry (D4: employees,
# the rest pensioners). Every person has three pensioner rows and one employee row, so whichever three
# people are held out, the test holds 12 rows of which 9 are pensioners, and training's majority is
# pensioners: the baseline is 9/12 and a model that sees the district gets 12/12.
def _districts() -> Release:
    n = 10
    return _release(
        {
            "age": pl.Series([a for a in range(30, 30 + 4 * n, 4) for _ in range(4)], dtype=pl.Int16),
            "gender": [g for i in range(n) for g in ["F" if i % 2 else "M"] * 4],
            "district": ["D1", "D2", "D3", "D4"] * n,
            "registry": ["pensioners", "pensioners", "pensioners", "employees"] * n,
        },
        [f"p{i}" for i in range(n) for _ in range(4)],
    )


@pytest.mark.parametrize("steps", [(), (GeneralizeAge(width=5, top=80),), (DropColumns(["age", "gender"]),)])
def test_research_with_the_district(steps: tuple[Step, ...]) -> None:
    release = _districts()
    out = research_utility(release, _minimize(release, *steps), np.random.default_rng(1))
    assert (out.available, out.test_rows, out.train_rows) == (True, 12, 28)
    assert out.accuracy == out.ceiling == wilson(12, 12)
    assert out.baseline == wilson(9, 12)


def test_research_without_the_district_falls_to_the_baseline() -> None:
    release = _districts()
    # rows of one person share age and gender, three of four are pensioners: every leaf says pensioners
    out = research_utility(
        release, _minimize(release, GeneralizeAge(width=10), DropColumns(["district"])), np.random.default_rng(1)
    )
    assert out.features == ("age (bands)", "gender")
    assert out.accuracy == out.baseline == wilson(9, 12)
    assert out.ceiling == wilson(12, 12)


def test_research_drops_a_generalized_away_feature() -> None:
    release = _districts()
    held = release.data.with_columns(gender=pl.lit("*"), age=pl.lit("*"))
    out = research_utility(release, _by_hand(release, held), np.random.default_rng(1))
    assert (out.features, out.accuracy) == (("district",), wilson(12, 12))


def test_research_seeded_twins() -> None:
    release = _districts()
    minimized = _minimize(release, GeneralizeAge(width=5, top=80))
    runs = [research_utility(release, minimized, np.random.default_rng(9)) for _ in range(2)]
    assert runs[0] == runs[1]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (
            lambda r: _by_hand(
                r, pl.DataFrame({"district": ["D1"], "count": [4]}), ["dp_counts"], rows_are_people=False
            ),
            "aggregate counts, not rows, were received",
        ),
        (lambda r: _minimize(r, ControllerSends(contact_column="district")), "no rows were received"),
        (lambda r: _minimize(r, DropColumns(["registry"])), "the received data has no 'registry' column (the label)"),
        (
            lambda r: _minimize(r, DropColumns(["age", "gender", "district"])),
            "the received data holds none of the features (age, gender, district)",
        ),
    ],
)
def test_research_not_available(make, reason: str) -> None:  # type: ignore[no-untyped-def]
    release = _districts()
    out = research_utility(release, make(release), np.random.default_rng(1))
    assert (out.available, out.reason, out.accuracy, out.ceiling, out.baseline) == (False, reason, None, None, None)


# ---------------------------------------------------------------------------------------------- bad input


def test_bad_input_is_a_spec_error(contacts: Release) -> None:
    release = _districts()
    minimized = _minimize(release)
    with pytest.raises(SpecError) as exc:
        research_utility(release, minimized, 0)  # type: ignore[arg-type]
    assert str(exc.value) == "research: rng must be a numpy.random.Generator (np.random.default_rng(seed)), got int"
    with pytest.raises(SpecError) as exc:
        research_utility(release, minimized, np.random.default_rng(0), test_share=1.5)
    assert str(exc.value) == "research: test_share = 1.5: must be a number between 0 and 1 (both excluded)"
    with pytest.raises(SpecError) as exc:
        outreach_utility(contacts, minimized)  # 40 rows, of which contacts has 6
    assert str(exc.value) == (
        "minimized release 'hand': 34 of its 40 rows are not rows of the original release"
        " (was it minimized from another release?)"
    )
    empty = Release(spec=release.spec, data=release.data.clear(), truth=release.truth.clear())
    with pytest.raises(SpecError) as exc:
        outreach_utility(empty, _by_hand(empty, empty.data))
    assert str(exc.value) == "original release: no rows; there is nobody to measure utility for"
    with pytest.raises(SpecError) as exc:
        ward_planning_utility(release, minimized, PLACES.select("ward"))
    assert str(exc.value) == "places: must hold local_body and ward (it has ward)"
    train = pl.DataFrame({"gender": ["F"], "registry": ["womens_scheme"]})
    with pytest.raises(SpecError) as exc:
        fit_and_score(train, train, categorical=["gender"], model="forest")  # type: ignore[arg-type]
    assert str(exc.value) == "model = 'forest': allowed are tree, majority"
    with pytest.raises(SpecError) as exc:
        fit_and_score(train, train.drop("gender"), categorical=["gender"])
    assert str(exc.value) == "test: no column 'gender' (it has registry)"
