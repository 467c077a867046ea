"""Utility of a minimized release: what it keeps of its legitimate purposes, measured against the truth.

Three purposes, each measured on what the recipient actually holds (``minimized.view``) against the
original, unminimized release and its hidden truth:

Outreach
    The share of the intended recipients that the holder can message. Recipients are the distinct
    people of the original release with a sendable number: a plain ``+91`` number in at least one of
    their rows (nobody, not even the controller, can message a person the release has no number for;
    they are counted apart in ``people_without_number``). A received row reaches its person when its
    phone is that row's own plain number; when the policy holds a step declaring
    ``delivers_via_controller`` (tokenization: the holder hands the tokens back and the controller
    sends through its vault; no release: the controller sends itself), every received row with a
    token reaches its person, and a release of no rows reaches every recipient. Hashed, masked or
    dropped numbers reach nobody (reversing a hash is an attack, not a use), nor do synthetic or
    aggregate rows. People are counted once.
Ward planning
    Counts by local body, ward, five-year age band (80 and over together) and gender. True counts are
    rows of the original release (one per registry membership, the unit every policy counts); the
    holder's counts are its rows, the released noisy counts of an aggregate release, or its synthetic
    rows scaled by original rows / synthetic rows. Reported: total absolute error / true total
    (relative L1), absolute error per cell of the public grid (every ward of the world x 17 age bands
    x 2 genders, plus any cell outside it that either side holds), and the share of true non-empty
    cells counted within tolerance: ``|received - true| <= max(1, 10% of true)`` (so cells of up to 10
    people must be within one). Data that cannot give ward-level counts is reported as not served.
Research
    Accuracy of a decision tree predicting ``registry`` from age (exact or banded), gender and district
    (whichever the received rows hold; categoricals one-hot encoded). A seeded share of the original
    release's people (all their rows) is held out as the test set, coded the way the received data is
    coded (an exact age becomes the received band that holds it); where the received rows are real
    people's rows, the rows of test people are left out of training. Synthetic rows are all used for
    training (the synthesizer saw every row, test people included: a caveat of the design, not a
    leak this measure can remove). Reported beside the same model trained on the original release's
    training rows (the ceiling) and the majority class of those rows (the baseline), all through
    :func:`fit_and_score`.

Every random draw comes from the numpy Generator passed in (scikit-learn gets ``random_state`` from it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from synth.errors import SpecError
from synth.measure.stats import Rate, wilson
from synth.policies.apply import MinimizedRelease
from synth.policies.dp_counts import GENDERS
from synth.policies.generalize import age_band
from synth.policies.library import STEPS
from synth.release.build import Release
from synth.world.api import World

PLAIN_PHONE = r"^\+91\d{10}$"
BAND_WIDTH = 5
BAND_TOP = 80
AGE_BANDS = (*(f"{lo}-{lo + BAND_WIDTH - 1}" for lo in range(0, BAND_TOP, BAND_WIDTH)), f"{BAND_TOP}+")
WARD_KEYS = ("local_body", "ward", "age", "gender")
TOLERANCE_SHARE = 0.10
TOLERANCE_FLOOR = 1
LABEL = "registry"
FEATURES = ("age", "gender", "district")
TEST_SHARE = 0.3
MIN_LEAF = 0.001  # a leaf holds at least 0.1% of the training rows (at least one)
MAX_AGE = 130  # an exact "age" above this is not an age (a birth year, say)
OPEN = 1_000_000  # upper end of an open band ("80+") or of "*"
MISSING = "<missing>"
ANY = "*"

Channel = Literal["phone", "controller_vault", "controller_sends", "none"]
Source = Literal["rows", "noisy_counts", "synthetic_rows"]
Model = Literal["tree", "majority"]
MODELS = ("tree", "majority")


@dataclass(frozen=True)
class OutreachUtility:
    """People the holder of a minimized release can message.

    Attributes
    ----------
    reach
        Recipients reached, of the intended recipients (people of the original release with a
        sendable number), with its Wilson 95% interval.
    channel
        How they are reached: ``"phone"`` (plain numbers in the rows), ``"controller_vault"`` (tokens
        handed back to the controller), ``"controller_sends"`` (no release; the controller sends) or
        ``"none"``.
    people_released
        Distinct people of the original release.
    people_without_number
        Of those, people with no sendable number in any of their rows (not among the recipients).
    """

    reach: Rate
    channel: Channel
    people_released: int
    people_without_number: int


@dataclass(frozen=True)
class WardPlanningUtility:
    """Counts by local body, ward, five-year age band and gender, against the true counts.

    Attributes
    ----------
    available
        False when the received data cannot give ward-level counts; the figures are then None.
    reason
        Why not (empty when available).
    source
        What was counted: ``"rows"``, ``"noisy_counts"`` or ``"synthetic_rows"``.
    scale
        Factor applied to the received counts (original rows / synthetic rows; 1 otherwise).
    true_total, received_total
        Sum of the true and of the received counts.
    abs_error
        Sum over cells of ``|received - true|``.
    relative_l1
        ``abs_error / true_total``.
    cells
        Cells of the public grid (plus any cell outside it that either side holds).
    mae
        ``abs_error / cells``: mean absolute error per cell.
    within_tolerance
        True non-empty cells whose received count is within ``max(1, 10% of true)``, of all true
        non-empty cells.
    """

    available: bool
    reason: str = ""
    source: Source | None = None
    scale: float | None = None
    true_total: int | None = None
    received_total: float | None = None
    abs_error: float | None = None
    relative_l1: float | None = None
    cells: int | None = None
    mae: float | None = None
    within_tolerance: Rate | None = None


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
class Utility:
    """The three purposes of one minimized release."""

    policy_id: str
    outreach: OutreachUtility
    ward_planning: WardPlanningUtility
    research: ResearchUtility


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


# ---------------------------------------------------------------------------------------------- checks


def _check_rng(rng: object, where: str) -> None:
    if not isinstance(rng, np.random.Generator):
        raise SpecError(
            f"{where}: rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )


def _check_pair(original: Release, minimized: MinimizedRelease) -> None:
    """The original must be a release with its truth, and the minimized release must come from it."""
    if not {"row_id", "person_id"} <= set(original.truth.columns):
        raise SpecError(
            f"original release: its truth must hold row_id and person_id (it has {', '.join(original.truth.columns)})"
        )
    if "row_id" not in original.data.columns:
        raise SpecError("original release: its data has no row_id column")
    if original.data.height == 0:
        raise SpecError("original release: no rows; there is nobody to measure utility for")
    if minimized.rows_are_people:
        data = minimized.view.data
        if "row_id" not in data.columns:
            raise SpecError(
                f"minimized release '{minimized.policy_id}': its rows are people's rows but it has no row_id column"
            )
        foreign = data.select("row_id").join(original.truth.select("row_id"), on="row_id", how="anti").height
        if foreign:
            raise SpecError(
                f"minimized release '{minimized.policy_id}': {foreign} of its {data.height} rows are not rows of"
                " the original release (was it minimized from another release?)"
            )


def _check_world(original: Release, world: World) -> None:
    people = original.truth.select("person_id").unique()
    strangers = people.lazy().join(world.people.select("person_id"), on="person_id", how="anti").collect().height
    if strangers:
        raise SpecError(
            f"original release: {strangers} of its {people.height} people are not in this world"
            " (was it made from another world?)"
        )


def _delivers_via_controller(minimized: MinimizedRelease) -> bool:
    """Whether a step of the policy declares that the controller sends to the people."""
    return any(
        getattr(STEPS.get(str(entry.get("step"))), "delivers_via_controller", False) for entry in minimized.report
    )


def _is_aggregate(minimized: MinimizedRelease) -> bool:
    return not minimized.rows_are_people and "count" in minimized.view.data.columns


# --------------------------------------------------------------------------------------------- outreach


def outreach_utility(original: Release, minimized: MinimizedRelease) -> OutreachUtility:
    """Share of the intended recipients the holder of ``minimized`` can message (see the module docstring).

    Parameters
    ----------
    original
        The release before minimization (its truth gives who each row is).
    minimized
        ``minimize(original, policy)``.

    Returns
    -------
    OutreachUtility

    Raises
    ------
    SpecError
        The minimized release does not come from the original.
    """
    _check_pair(original, minimized)
    phone = pl.col("phone").cast(pl.String) if "phone" in original.data.columns else pl.lit(None, dtype=pl.String)
    rows = (
        original.truth.select("row_id", "person_id")
        .join(original.data.select("row_id", original_phone=phone), on="row_id", how="left")
        .with_columns(sendable=pl.col("original_phone").str.contains(PLAIN_PHONE).fill_null(False))
    )
    people = rows.group_by("person_id").agg(pl.col("sendable").any())
    recipients = int(people["sendable"].sum())
    via_controller = _delivers_via_controller(minimized)
    data = minimized.view.data
    if minimized.rows_are_people:
        held = pl.col("phone").cast(pl.String) if "phone" in data.columns else pl.lit(None, dtype=pl.String)
        received = data.select("row_id", received_phone=held).join(rows, on="row_id", how="inner")
        direct = (pl.col("received_phone") == pl.col("original_phone")) & pl.col("sendable")
        handed_back = pl.col("received_phone").is_not_null() & pl.col("sendable") & pl.lit(via_controller)
        marked = received.select(
            "person_id", direct=direct.fill_null(False), reached=(direct | handed_back).fill_null(False)
        )
        reached = marked.filter(pl.col("reached"))["person_id"].n_unique()
        channel: Channel = (
            "phone" if bool(marked["direct"].any()) else ("controller_vault" if via_controller else "none")
        )
    elif via_controller:
        reached, channel = recipients, "controller_sends"
    else:
        reached, channel = 0, "none"
    return OutreachUtility(
        reach=wilson(reached, recipients),
        channel=channel,
        people_released=people.height,
        people_without_number=people.height - recipients,
    )


# ---------------------------------------------------------------------------------------- ward planning


def _age_intervals(labels: pl.Series) -> pl.DataFrame:
    """Each distinct age label (``"37"``, ``"35-39"``, ``"80+"``, ``"*"``) with its ``lo`` and ``hi`` ages.

    ``valid`` is False for a label that is not an age or an age band.
    """
    label = pl.col("label")
    exact = label.str.extract(r"^(\d+)$", 1).cast(pl.Int64, strict=False)
    band_lo = label.str.extract(r"^(\d+)-(\d+)$", 1).cast(pl.Int64, strict=False)
    band_hi = label.str.extract(r"^(\d+)-(\d+)$", 2).cast(pl.Int64, strict=False)
    top = label.str.extract(r"^(\d+)\+$", 1).cast(pl.Int64, strict=False)
    anything = label == ANY
    lo = pl.coalesce(exact, band_lo, top, pl.when(anything).then(pl.lit(0, dtype=pl.Int64)))
    hi = pl.coalesce(exact, band_hi, pl.when(top.is_not_null() | anything).then(pl.lit(OPEN, dtype=pl.Int64)))
    frame = pl.DataFrame({"label": labels.cast(pl.String).drop_nulls().unique().sort()})
    return frame.with_columns(lo=lo, hi=hi).with_columns(
        valid=(
            pl.col("lo").is_not_null()
            & pl.col("hi").is_not_null()
            & (pl.col("lo") <= pl.col("hi"))
            & (pl.col("lo") <= MAX_AGE)
            & ((pl.col("hi") <= MAX_AGE) | (pl.col("hi") == OPEN))
        ).fill_null(False)
    )


def _band(col: pl.Expr) -> pl.Expr:
    return age_band(col, BAND_WIDTH, BAND_TOP)


def _received_bands(age: pl.Series) -> tuple[pl.DataFrame | None, str]:
    """For a string age column: each label with its five-year band; or why the labels give none."""
    intervals = _age_intervals(age)
    invalid = intervals.filter(~pl.col("valid"))
    if invalid.height:
        return None, f"the age column holds values that are not ages or age bands (e.g. '{invalid['label'][0]}')"
    mapped = intervals.with_columns(band=_band(pl.col("lo")), fits=_band(pl.col("lo")) == _band(pl.col("hi")))
    coarse = mapped.filter(~pl.col("fits"))
    if coarse.height:
        return None, f"ages are banded coarser than five years (e.g. '{coarse['label'][0]}')"
    return mapped.select("label", "band"), ""


def _keyed(frame: pl.DataFrame, age: pl.Expr, weight: pl.Expr) -> pl.DataFrame:
    """Counts per cell (local body, ward, age band, gender), as strings."""
    return (
        frame.select(
            local_body=pl.col("local_body").cast(pl.String),
            ward=pl.col("ward").cast(pl.String),
            age=age,
            gender=pl.col("gender").cast(pl.String),
            _w=weight,
        )
        .group_by(WARD_KEYS)
        .agg(pl.col("_w").sum())
    )


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f"'{c}'" for c in columns)


def ward_planning_utility(original: Release, minimized: MinimizedRelease, places: pl.DataFrame) -> WardPlanningUtility:
    """Counts by local body, ward, five-year age band and gender from what the holder received, against the truth.

    Parameters
    ----------
    original
        The release before minimization; its rows give the true counts.
    minimized
        ``minimize(original, policy)``.
    places
        The public list of wards (columns ``local_body`` and ``ward``; ``World.place_names()``), which
        with the 17 age bands and 2 genders makes the grid of cells.

    Returns
    -------
    WardPlanningUtility
        ``available=False`` with a reason when the received data cannot give ward-level counts.

    Raises
    ------
    SpecError
        The minimized release does not come from the original, or ``places`` lacks its columns.
    """
    _check_pair(original, minimized)
    if not {"local_body", "ward"} <= set(places.columns):
        raise SpecError(f"places: must hold local_body and ward (it has {', '.join(places.columns)})")
    absent = [c for c in WARD_KEYS if c not in original.data.columns]
    if absent:
        return WardPlanningUtility(
            False, f"the original release has no {_names(absent)} column, so there are no true counts"
        )
    data = minimized.view.data
    if data.height == 0:
        return WardPlanningUtility(False, "no rows were received")
    absent = [c for c in WARD_KEYS if c not in data.columns]
    if absent:
        return WardPlanningUtility(
            False, f"the received data has no {_names(absent)} column (ward counts need local_body, ward, age, gender)"
        )
    genders = data["gender"].cast(pl.String).drop_nulls().unique().sort()
    foreign = genders.filter(~genders.is_in(list(GENDERS)))
    if foreign.len():
        return WardPlanningUtility(
            False, f"the gender column holds values other than {', '.join(GENDERS)} (e.g. '{foreign[0]}')"
        )
    if data.schema["age"].is_numeric():
        received_age = data.with_columns(_band=_band(pl.col("age").round(0).cast(pl.Int64)))
    else:
        bands, reason = _received_bands(data["age"])
        if bands is None:
            return WardPlanningUtility(False, reason)
        received_age = data.with_columns(pl.col("age").cast(pl.String).alias("_label")).join(
            bands.rename({"label": "_label", "band": "_band"}), on="_label", how="left"
        )
    source: Source
    if _is_aggregate(minimized):
        source, scale, weight = "noisy_counts", 1.0, pl.col("count").cast(pl.Float64)
    elif minimized.rows_are_people:
        source, scale, weight = "rows", 1.0, pl.lit(1.0)
    else:
        source, scale = "synthetic_rows", original.data.height / data.height
        weight = pl.lit(scale)
    true = _keyed(original.data, _band(pl.col("age").cast(pl.Int64)), pl.lit(1)).rename({"_w": "true"})
    received = _keyed(received_age, pl.col("_band"), weight).rename({"_w": "received"})
    cells = (
        true.join(received, on=WARD_KEYS, how="full", coalesce=True, nulls_equal=True)
        .with_columns(pl.col("true").fill_null(0), pl.col("received").fill_null(0.0))
        .with_columns(error=(pl.col("received") - pl.col("true")).abs())
    )
    grid = (
        places.select(pl.col("local_body").cast(pl.String), pl.col("ward").cast(pl.String))
        .unique()
        .join(pl.DataFrame({"age": AGE_BANDS}), how="cross")
        .join(pl.DataFrame({"gender": GENDERS}), how="cross")
    )
    outside = cells.join(grid, on=WARD_KEYS, how="anti", nulls_equal=True).height
    true_total = int(cells["true"].sum())
    abs_error = float(cells["error"].sum())
    occupied = cells.filter(pl.col("true") > 0)
    tolerance = pl.max_horizontal(pl.lit(float(TOLERANCE_FLOOR)), TOLERANCE_SHARE * pl.col("true"))
    within = int(occupied.select((pl.col("error") <= tolerance).sum()).item())
    n_cells = grid.height + outside
    return WardPlanningUtility(
        available=True,
        source=source,
        scale=scale,
        true_total=true_total,
        received_total=float(cells["received"].sum()),
        abs_error=abs_error,
        relative_l1=abs_error / true_total if true_total else None,
        cells=n_cells,
        mae=abs_error / n_cells,
        within_tolerance=wilson(within, occupied.height),
    )


# -------------------------------------------------------------------------------------------- research


def _coding(data: pl.DataFrame) -> _Coding:
    """Which features a table gives, and how: exact ages are numeric, banded ages and the rest categorical."""
    numeric: list[str] = []
    categorical: list[str] = []
    bands = None
    if "age" in data.columns:
        if data.schema["age"].is_numeric():
            numeric.append("age")
        else:
            intervals = _age_intervals(data["age"])
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
            raise SpecError(f"{name}: no column {_names(absent)} (it has {', '.join(frame.columns)})")
    train, test = train.filter(pl.col(label).is_not_null()), test.filter(pl.col(label).is_not_null())
    if train.height == 0 or test.height == 0:
        raise SpecError(f"{'train' if train.height == 0 else 'test'}: no rows with a {label}")
    x_train, x_test = _matrices(train, test, numeric, categorical)
    y_train = train[label].cast(pl.String).to_numpy()
    y_test = test[label].cast(pl.String).to_numpy()
    classifier = (
        DummyClassifier(strategy="most_frequent")
        if model == "majority"
        else DecisionTreeClassifier(min_samples_leaf=MIN_LEAF, random_state=random_state)
    )
    classifier.fit(x_train, y_train)
    correct = int((classifier.predict(x_test) == y_test).sum())
    return wilson(correct, test.height)


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
    _check_rng(rng, "research")
    if isinstance(test_share, bool) or not isinstance(test_share, int | float) or not 0 < test_share < 1:
        raise SpecError(f"research: test_share = {test_share!r}: must be a number between 0 and 1 (both excluded)")
    _check_pair(original, minimized)
    data = minimized.view.data
    if LABEL not in original.data.columns:
        return ResearchUtility(False, f"the original release has no '{LABEL}' column (the label)")
    if _is_aggregate(minimized):
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


# ----------------------------------------------------------------------------------------------- all three


def utility(original: Release, minimized: MinimizedRelease, world: World, rng: np.random.Generator) -> Utility:
    """What a minimized release keeps of outreach, ward planning and research (see the module docstring).

    Parameters
    ----------
    original
        The release before minimization, with its truth.
    minimized
        ``minimize(original, policy)``.
    world
        The world the release was made from (its wards make the ward-planning grid).
    rng
        The only source of randomness (the research split and the tree's seed).

    Returns
    -------
    Utility

    Raises
    ------
    SpecError
        ``rng`` is not a numpy Generator, the original release holds people who are not in ``world``,
        or the minimized release does not come from the original.

    Examples
    --------
    >>> tokenized = minimize(release, load_policy("tokenize"))  # doctest: +SKIP
    >>> u = utility(release, tokenized, world, np.random.default_rng(0))  # doctest: +SKIP
    >>> u.outreach.reach.value  # doctest: +SKIP
    1.0
    """
    _check_rng(rng, "utility")
    _check_pair(original, minimized)
    _check_world(original, world)
    return Utility(
        policy_id=minimized.policy_id,
        outreach=outreach_utility(original, minimized),
        ward_planning=ward_planning_utility(original, minimized, world.place_names()),
        research=research_utility(original, minimized, rng),
    )
