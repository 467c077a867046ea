"""Research utility: accuracy of predicting ``registry`` from the received rows, tested on the truth.

A decision tree predicts ``registry`` from age (exact or banded), gender and district (whichever the received
rows hold; categoricals one-hot encoded). A seeded share of the original release's people (all their rows) is
held out as the test set, coded the way the received data is coded (an exact age becomes the received band
that holds it); where the received rows are real people's rows, the rows of test people are left out of
training. Synthetic rows are all used for training (the synthesizer saw every row, test people included: a
caveat of the design, not a leak this measure can remove). Reported beside the same model trained on the
original release's training rows (the ceiling) and the majority class of those rows (the baseline), all
through :func:`fit_and_score`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from synth.checks import number
from synth.core.coding import ANY
from synth.errors import SpecError
from synth.measure.utility.inputs import check_pair, check_rng, checked_age_intervals, is_aggregate, quoted
from synth.policies.apply import MinimizedRelease
from synth.release.build import Release
from synth.scoring.stats import Rate, wilson

LABEL = "registry"
FEATURES = ("age", "gender", "district")
TEST_SHARE = 0.3
MIN_LEAF = 0.001  # a leaf holds at least 0.1% of the training rows (at least one)
MISSING = "<missing>"
ROWS = "rows_"  # the rows a distinct row of features and label stands for

Model = Literal["tree", "majority"]
MODELS = ("tree", "majority")


@dataclass(frozen=True)
class ResearchUtility:
    """Accuracy of predicting ``registry`` from the received rows, tested on the truth.

    Attributes
    ----------
    available
        False for aggregate or empty releases and when the label or every feature is missing; the
        figures are then None.
    reason
        Why not (empty when available).
    features
        Features the received rows gave, as coded (``"age"``, ``"age (bands)"``, ``"gender"``, ``"district"``).
    train_rows
        Received rows the model was trained on.
    test_rows
        Original release rows of the held-out people.
    accuracy
        Correct predictions of the model trained on the received rows, of the test rows.
    ceiling
        The same model trained on the original release's training rows, with the original's features.
    baseline
        The majority class of the original release's training rows.
    """

    available: bool
    reason: str = ""
    features: tuple[str, ...] = ()
    train_rows: int | None = None
    test_rows: int | None = None
    accuracy: Rate | None = None
    ceiling: Rate | None = None
    baseline: Rate | None = None


@dataclass(frozen=True)
class _Coding:
    """How a table codes the features: numeric and categorical columns, and the age bands if banded."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    age_bands: pl.DataFrame | None  # label, lo, hi of each received age label (banded ages only)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(
            f"{c} (bands)" if c == "age" and self.age_bands is not None else c
            for c in FEATURES
            if c in (*self.numeric, *self.categorical)
        )


def _coding(data: pl.DataFrame) -> _Coding:
    """Which features a table gives, and how: exact ages are numeric, banded ages and the rest categorical."""
    numeric: list[str] = []
    categorical: list[str] = []
    bands = None
    if "age" in data.columns:
        if data.schema["age"].is_numeric():
            numeric.append("age")
        else:
            intervals = checked_age_intervals(data["age"])
            if intervals.height and bool(intervals["valid"].all()) and not bool((intervals["label"] == ANY).all()):
                categorical.append("age")
                bands = intervals.select("label", "lo", "hi")
    for c in FEATURES[1:]:
        if c in data.columns:
            values = data[c].cast(pl.String).drop_nulls()
            if values.len() and not bool((values == ANY).all()):
                categorical.append(c)
    return _Coding(tuple(numeric), tuple(categorical), bands)


def _coded(frame: pl.DataFrame, coding: _Coding, *, recode_age: bool) -> pl.DataFrame:
    """The features (as coded) and the label; ``recode_age`` maps exact ages to the coding's age bands."""
    out = frame.select(*coding.numeric, *coding.categorical, LABEL)
    if recode_age and coding.age_bands is not None:
        ages = out.select(pl.col("age").cast(pl.Int64)).unique()
        labelled = (
            ages.join(coding.age_bands, how="cross")
            .filter((pl.col("lo") <= pl.col("age")) & (pl.col("age") <= pl.col("hi")))
            .sort("age", pl.col("hi") - pl.col("lo"), "label")
            .group_by("age", maintain_order=True)
            .first()
            .select("age", "label")
        )
        out = (
            out.with_columns(pl.col("age").cast(pl.Int64))
            .join(labelled, on="age", how="left", maintain_order="left")
            .with_columns(pl.col("label").alias("age"))
            .drop("label")
        )
    return out.filter(pl.col(LABEL).is_not_null())


def _matrices(
    train: pl.DataFrame, test: pl.DataFrame, numeric: Sequence[str], categorical: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.preprocessing import OneHotEncoder

    def num(frame: pl.DataFrame) -> np.ndarray:
        return frame.select(pl.col(c).cast(pl.Float64).fill_null(-1.0) for c in numeric).to_numpy()

    def cat(frame: pl.DataFrame) -> np.ndarray:
        return frame.select(pl.col(c).cast(pl.String).fill_null(MISSING) for c in categorical).to_numpy()

    parts_train, parts_test = [], []
    if numeric:
        parts_train.append(num(train))
        parts_test.append(num(test))
    if categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=np.float64)
        parts_train.append(encoder.fit_transform(cat(train)))
        parts_test.append(encoder.transform(cat(test)))
    if not parts_train:
        return np.zeros((train.height, 1)), np.zeros((test.height, 1))
    return np.hstack(parts_train), np.hstack(parts_test)


def fit_and_score(
    train: pl.DataFrame,
    test: pl.DataFrame,
    numeric: Sequence[str] = (),
    categorical: Sequence[str] = (),
    label: str = LABEL,
    model: Model = "tree",
    random_state: int = 0,
) -> Rate:
    """Train a classifier of ``label`` on ``train`` and count its correct predictions on ``test``.

    Parameters
    ----------
    train, test
        Tables holding the features and the label, coded alike (rows with a null label are left out).
    numeric
        Numeric features (nulls become -1).
    categorical
        Categorical features, one-hot encoded on ``train`` (values unseen in training encode as all zeros).
    label
        The column to predict.
    model
        ``"tree"``: a decision tree whose leaves hold at least 0.1% of the training rows;
        ``"majority"``: the most frequent class of ``train`` (ties: the first in sorted order).
    random_state
        Seeds the tree (draw it from the caller's Generator).

    Returns
    -------
    Rate
        Correct predictions of the test rows, with a Wilson 95% interval.

    Raises
    ------
    SpecError
        An unknown model, a missing column, or no training or test rows.

    Examples
    --------
    >>> train = pl.DataFrame({"gender": ["F", "F", "M"], "registry": ["womens_scheme", "womens_scheme", "employees"]})
    >>> fit_and_score(train, train, categorical=["gender"]).value
    1.0
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.tree import DecisionTreeClassifier

    if model not in MODELS:
        raise SpecError(f"model = {model!r}: allowed are {', '.join(MODELS)}")
    for name, frame in (("train", train), ("test", test)):
        absent = [c for c in (*numeric, *categorical, label) if c not in frame.columns]
        if absent:
            raise SpecError(f"{name}: no column {quoted(absent)} (it has {', '.join(frame.columns)})")
    train, test = train.filter(pl.col(label).is_not_null()), test.filter(pl.col(label).is_not_null())
    if train.height == 0 or test.height == 0:
        raise SpecError(f"{'train' if train.height == 0 else 'test'}: no rows with a {label}")
    train, test = (_counted(frame, [*numeric, *categorical, label]) for frame in (train, test))
    x_train, x_test = _matrices(train, test, numeric, categorical)
    y_train = train[label].cast(pl.String).to_numpy()
    y_test = test[label].cast(pl.String).to_numpy()
    classifier = (
        DummyClassifier(strategy="most_frequent")
        if model == "majority"
        else DecisionTreeClassifier(min_weight_fraction_leaf=MIN_LEAF, random_state=random_state)
    )
    classifier.fit(x_train, y_train, sample_weight=train[ROWS].cast(pl.Float64).to_numpy())
    rows = test[ROWS].to_numpy()
    return wilson(int(rows[classifier.predict(x_test) == y_test].sum()), int(rows.sum()))


def _counted(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The distinct rows of ``columns``, each with the number of rows it stands for (:data:`ROWS`), in sorted order.

    A tree fitted to them, each weighed by its rows, is the tree fitted to the rows (its leaves bound by a share of
    the weight, not of the rows: for rows of weight one the same bound), and each predicts the same class for all
    the rows it stands for; the test proves it.
    """
    return frame.group_by(columns).agg(pl.len().alias(ROWS)).sort(columns, nulls_last=False)


def research_utility(
    original: Release, minimized: MinimizedRelease, rng: np.random.Generator, test_share: float = TEST_SHARE
) -> ResearchUtility:
    """Accuracy of predicting ``registry`` from the received rows, beside the ceiling and the majority baseline.

    Parameters
    ----------
    original
        The release before minimization: the test rows (true values) and the ceiling's training rows.
    minimized
        ``minimize(original, policy)``: the training rows.
    rng
        Draws the held-out people and the tree's ``random_state``.
    test_share
        Share of the original release's people held out for testing, between 0 and 1.

    Returns
    -------
    ResearchUtility
        ``available=False`` with a reason for aggregate or empty releases, and when the label or every
        feature is missing.

    Raises
    ------
    SpecError
        ``rng`` is not a numpy Generator, ``test_share`` is out of range, or the minimized release does
        not come from the original.
    """
    check_rng(rng, "research")
    if not (number(test_share) and 0 < test_share < 1):
        raise SpecError(f"research: test_share = {test_share!r}: must be a number between 0 and 1 (both excluded)")
    check_pair(original, minimized)
    data = minimized.view.data
    if LABEL not in original.data.columns:
        return ResearchUtility(False, f"the original release has no '{LABEL}' column (the label)")
    if is_aggregate(minimized):
        return ResearchUtility(False, "aggregate counts, not rows, were received")
    if data.height == 0:
        return ResearchUtility(False, "no rows were received")
    if LABEL not in data.columns:
        return ResearchUtility(False, f"the received data has no '{LABEL}' column (the label)")
    received_coding, ceiling_coding = _coding(data), _coding(original.data)
    if not received_coding.names:
        return ResearchUtility(False, f"the received data holds none of the features ({', '.join(FEATURES)})")
    if not ceiling_coding.names:
        return ResearchUtility(False, f"the original release holds none of the features ({', '.join(FEATURES)})")

    people = original.truth["person_id"].unique().sort()
    n_test = min(people.len() - 1, max(1, round(test_share * people.len())))
    if n_test < 1:
        return ResearchUtility(False, "the original release has too few people to hold any out for testing")
    test_people = people.gather(np.sort(rng.choice(people.len(), size=n_test, replace=False)))
    test_ids = original.truth.join(test_people.to_frame(), on="person_id", how="semi").select("row_id")
    test = original.data.join(test_ids, on="row_id", how="semi")
    original_train = original.data.join(test_ids, on="row_id", how="anti")
    received_train = data.join(test_ids, on="row_id", how="anti") if minimized.rows_are_people else data
    if received_train.filter(pl.col(LABEL).is_not_null()).height == 0:
        return ResearchUtility(False, "no received rows with a registry are left once the test people are held out")
    seed = int(rng.integers(0, 2**32 - 1))

    def score(train: pl.DataFrame, coding: _Coding, model: Model, *, received: bool) -> Rate:
        return fit_and_score(
            _coded(train, coding, recode_age=False),
            _coded(test, coding, recode_age=received),
            coding.numeric,
            coding.categorical,
            model=model,
            random_state=seed,
        )

    return ResearchUtility(
        available=True,
        features=received_coding.names,
        train_rows=received_train.height,
        test_rows=test.height,
        accuracy=score(received_train, received_coding, "tree", received=True),
        ceiling=score(original_train, ceiling_coding, "tree", received=False),
        baseline=score(original_train, ceiling_coding, "majority", received=False),
    )
