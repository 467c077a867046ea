"""Attribute inference: learn a sensitive attribute from the release, then predict it for everyone on the roll.

The release tells the attacker, row by row, who receives a widow's pension or belongs to the women's
security scheme, together with quasi-identifiers (age, gender, places). A classifier fitted on those
rows predicts the attribute from quasi-identifiers alone; applied to the electoral roll, it labels
every voter, released or not. Scoring then asks the truth how often the labels are right, against a
naive baseline run through this same function: the majority class of the attacker's prior on the same
targets (``model = "prior"``). The attacker knows how many voters the roll holds and how many released rows
carry each label; every voter not in the release is ``none``, so the prior count of ``none`` is the roll's
size less the released positives, and the baseline labels every voter with the label of the largest prior
count. (The majority class of the release alone, ``"majority"``, is no fair baseline: a release of
pensioners is mostly pensioners, while the roll is mostly nobody's pensioner.)

Secrets (``SECRETS``): ``widowhood`` and ``disability`` are learnt from the pension scheme (a widow's
or disability pension), ``womens_scheme`` from the registry a row came from, ``pension_scheme`` is the
scheme itself (``none`` for rows of other registries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import Attack, Cell, NotApplicable, Outcome, Scored, Truth, raise_problems
from synth.checks import whole
from synth.core.coding import NEGATIVE, SECRETS, roll_in_release_coding, shared_columns
from synth.engine.io import Memo, content_key
from synth.errors import did_you_mean
from synth.release.build import AttackerView
from synth.scoring.breakdown import breakdown_rows, roll_strata
from synth.scoring.inference import scored_with_right_labels, true_secrets
from synth.version import __version__

if TYPE_CHECKING:
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import HistGradientBoostingClassifier

ATTACK_ID = "attribute_inference"
MODELS = ("gradient_boosting", "prior", "majority")
FEATURES = ("age", "gender", "district", "taluk", "local_body", "ward")
MAX_CATEGORIES = 255  # HistGradientBoosting's limit for a native categorical feature
SLICE_ROWS = 2_000_000  # roll entries labelled at a time


@dataclass(frozen=True)
class AttributeInferenceParams:
    """What the scenario sets for this attack.

    Parameters
    ----------
    secret
        The attribute inferred, one of :data:`SECRETS`.
    model
        ``"gradient_boosting"`` (the attack), ``"prior"`` (the naive baseline: the majority class of the
        attacker's prior on the targets) or ``"majority"`` (the majority class of the released rows).
    max_train_rows
        Released rows sampled to fit the model (all rows if fewer).
    """

    secret: str = "widowhood"
    model: str = "gradient_boosting"
    max_train_rows: int = 500_000

    def __post_init__(self) -> None:
        problems = []
        if self.secret not in SECRETS:
            problems.append(
                f"secret = {self.secret!r}: unknown secret; allowed are {', '.join(SECRETS)}"
                + did_you_mean(str(self.secret), list(SECRETS))
            )
        if self.model not in MODELS:
            problems.append(f"model = {self.model!r}: unknown model; allowed are {', '.join(MODELS)}")
        if not whole(self.max_train_rows, 100):
            problems.append(f"max_train_rows = {self.max_train_rows!r}; allowed is a whole number of at least 100")
        raise_problems(ATTACK_ID, problems)


def attribute_inference(
    view: AttackerView,
    aux: AuxiliaryData,
    rng: np.random.Generator,
    params: AttributeInferenceParams | None = None,
    memo: Memo | None = None,
) -> pl.DataFrame:
    """Predict ``params.secret`` for every roll entry: ``epic`` and ``prediction`` (``none`` for the negative; a
    categorical, 4 bytes a voter against a string's 16), in the roll's order (sorting 2.7 crore epics took 10 s over
    the whole state, and the scorer looks them up by epic).

    Parameters
    ----------
    view
        The attacker's view of the release; needs the secret's column and at least one quasi-identifier.
    aux
        Auxiliary data; needs the electoral roll (the people whose attribute is inferred).
    rng
        Samples the training rows and seeds the model.
    params
        Secret, model and training size (defaults: :class:`AttributeInferenceParams`).
    memo
        Keeps the predictions under the content key of everything they depend on (the training rows, the roll's
        columns as the attack reads them, the parameters, the model's seed and this code's version) and reuses them
        for equal inputs: the policies that release the same quasi-identifiers and secret (``hmac``,
        ``tokenize``, ``as_exported``) train one model. ``rng`` is drawn from the same way either way.
    """
    params = params or AttributeInferenceParams()
    roll = aux.require("electoral_roll", ATTACK_ID)
    data = view.data
    secret = SECRETS[params.secret]
    if data.height == 0:
        raise NotApplicable(f"attack '{ATTACK_ID}': the release is empty; nothing to learn from")
    if secret.column not in data.columns:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': secret '{params.secret}' is learnt from the column '{secret.column}', "
            f"which the release lacks (it has {', '.join(data.columns)})"
        )
    features = [c for c in shared_columns(data) if c in FEATURES]
    if not features:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': the release shares no quasi-identifier with the roll "
            f"(it has {', '.join(data.columns)})"
        )
    if params.model == "prior":
        majority = prior_majority(data.select(label=secret.label)["label"], roll.height)
        return roll.select("epic", prediction=pl.lit(majority, pl.Categorical))
    # the roll's sexes and places as it holds them (enums): the model reads only the values of its combinations
    targets = roll_in_release_coding(roll, data, features, strings=False)
    train = data.select(*features, label=secret.label)
    if train.height > params.max_train_rows:
        train = train[np.sort(rng.choice(train.height, params.max_train_rows, replace=False))]
    seed = int(rng.integers(2**31 - 1))

    def compute() -> pl.DataFrame:
        # scikit-learn is imported here, where it is used: it takes most of a second, and the processes that only
        # read the attack's parameters (a scenario's validation, the command line) never need it
        from sklearn.dummy import DummyClassifier
        from sklearn.ensemble import HistGradientBoostingClassifier

        x_train, code, categorical = _encoding(train.select(features))
        y = train["label"].to_numpy()
        if params.model == "majority":
            model: DummyClassifier | HistGradientBoostingClassifier = DummyClassifier(strategy="most_frequent")
        else:
            model = HistGradientBoostingClassifier(categorical_features=categorical, random_state=seed)
        model.fit(x_train, y)
        # A voter's label depends on their quasi-identifiers alone, so the roll is labelled a slice at a time, each
        # combination of a slice predicted once: over the whole state the combinations of all 2.7 crore voters at
        # once took 4 GiB to find
        labels = []
        for start in range(0, targets.height, SLICE_ROWS):
            part = targets.slice(start, SLICE_ROWS).select(features)
            combos = part.unique(maintain_order=True)
            combos = combos.with_columns(
                prediction=pl.Series(model.predict(code(combos)).astype(str), dtype=pl.Categorical)
            )
            part = part.join(combos, on=features, how="left", nulls_equal=True, maintain_order="left")
            labels.append(part["prediction"])
        # the roll's own epics, not a copy of them (0.4 GiB over the whole state): each label is in its entry's row
        prediction = pl.concat(labels) if labels else pl.lit(None, pl.Categorical)
        return targets.select("epic", prediction=prediction)

    if memo is None:
        return compute()
    return memo(content_key(ATTACK_ID, __version__, train, targets, params, seed), compute)


def prior_majority(labels: pl.Series, targets: int) -> str:
    """The label with the largest count in the attacker's prior over ``targets`` voters: each released
    label's rows, and ``none`` for every voter the release does not name (ties: the first label in order).

    Examples
    --------
    >>> prior_majority(pl.Series(["widow", "old_age", "old_age", "none"]), 10)
    'none'
    >>> prior_majority(pl.Series(["widow", "old_age", "old_age"]), 4)
    'old_age'
    """
    positive = labels.alias("label").value_counts(name="n").filter(pl.col("label") != NEGATIVE)
    rest = pl.DataFrame({"label": [NEGATIVE], "n": [max(targets - int(positive["n"].sum()), 0)]})
    prior = pl.concat([positive, rest], how="vertical_relaxed")
    return str(prior.sort(["n", "label"], descending=[True, False])["label"][0])


def _encoding(train: pl.DataFrame) -> tuple[np.ndarray, Callable[[pl.DataFrame], np.ndarray], np.ndarray]:
    """The training rows with each feature as a number, the same coding for other rows of those features, and
    which features are categorical for the model.

    A category is coded by its sorted order in the training rows; a value the release never shows gets -1 (missing
    for the model). Columns with more categories than the model takes natively (local bodies, wards) are passed
    as ordinal codes.
    """
    lookups: dict[str, pl.DataFrame | None] = {}
    for c in train.columns:
        if train[c].dtype.is_numeric():
            lookups[c] = None
            continue
        levels = train[c].cast(pl.String).drop_nulls().unique().sort()
        lookups[c] = pl.DataFrame({c: levels, "code": np.arange(len(levels), dtype=np.float64)})

    def code(frame: pl.DataFrame) -> np.ndarray:
        columns = []
        for c, table in lookups.items():
            if table is None:
                columns.append(frame[c].cast(pl.Float64).to_numpy())
                continue
            coded = frame.select(pl.col(c).cast(pl.String)).join(table, on=c, how="left", maintain_order="left")
            columns.append(coded["code"].fill_null(np.nan).to_numpy())
        return np.column_stack(columns)

    categorical = np.array([t is not None and t.height <= MAX_CATEGORIES for t in lookups.values()])
    return code(train), code, categorical


class AttributeInference(Attack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = "Learn a sensitive attribute from the release and predict it for every voter on the roll."
    Params: ClassVar[type] = AttributeInferenceParams
    sources: ClassVar[tuple[str, ...]] = ("electoral_roll",)

    def run(self, cell: Cell, params: AttributeInferenceParams) -> Outcome:
        guesses = attribute_inference(cell.view, cell.aux, cell.rng, params, cell.memo)
        baseline = attribute_inference(cell.view, cell.aux, cell.rng, replace(params, model="prior"))
        return Outcome(guesses, baseline, cell.knowledge)

    def score(self, outcome: Outcome, truth: Truth, params: AttributeInferenceParams) -> Scored:
        secrets = truth.of_world(lambda: true_secrets(truth.world, params.secret), "true_secrets", params.secret)
        assert outcome.baseline is not None
        score, marks = scored_with_right_labels(outcome.guesses, outcome.baseline, secrets)
        return Scored(
            (score,),
            breakdown_rows(
                marks,  # the true secrets and the strata list the same voters in the same order: no epic looked up
                truth.of_world(lambda: roll_strata(truth.world), "roll_strata"),
                "accuracy",
            ),
        )


ATTACK = AttributeInference()
