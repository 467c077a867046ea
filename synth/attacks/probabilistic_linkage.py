"""Probabilistic linkage: Fellegi-Sunter record linkage of the release to the electoral roll, with Splink.

Exact linkage misses everyone whose roll entry differs from the release in any detail: a name spelt
another way (Sooraj and Suraj), an age a year off, a voter still listed in the ward they left. A real
adversary uses the field's tool instead. Splink (DuckDB backend) compares each release row with the
roll entries of its block on every shared field, learns how much agreement on each field is worth
without any labels (u by random sampling, m by expectation maximisation), and scores each pair with a
match probability. An exact name counts for more the rarer it is (term frequencies of release and roll
together, computed once over the whole input).

Training learns every comparison's m and u, sex included, with or without wards. Expectation
maximisation assumes fields agree independently given match status, and names are not independent of
sex or of birth cohort: among pairs that share a common name, namesakes outnumber true matches and
agree on sex, so a pass that learns age or sex from them learns the namesakes' ages instead (without
wards, the m of "same age" came out at 0.08). Each pass therefore blocks on fields that make true
matches a large share of its pairs (see :func:`_training_blocks`), and the passes that block on the name
keep only names that at most :data:`MAX_NAMESAKES` voters of the roll hold.

A row gets a guess (the roll entry with the highest match probability) where that probability reaches
the scenario's threshold and no other entry ties with it.

Linkage runs district by district, as rolls are published: every block lies inside one district, so no
candidate pair is lost. The model is trained once, on districts drawn at random (seeded) until they hold
``train_rows`` release rows (a one-district release: that district, whole), and scores every district;
each district is then scored in batches of release rows whose blocks hold at most ``batch_pairs`` pairs,
with the roll entries of the places those rows lie in. Every block lies inside one place, and a row's
guess depends only on its own pairs, so batching changes no guess; it bounds memory by the batch, not by
the district (5-year age bands or a release without wards make blocks of hundreds of voters).

The attacker normalises names with a public transliteration key (``name_key``): lower case, aspirates
and long vowels folded (th -> t, sh -> s, ee -> i, oo -> u, w -> v, y -> i), doubled letters single.
Sreedevi and Sridevi, Shyam and Syam, Rohith and Roheeth share a key.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import duckdb
import numpy as np
import polars as pl
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.base import NotApplicable, Outcome, Scored, Truth, raise_problems, whole_number
from synth.attacks.knowledge import LINK_SCHEMA, chain
from synth.attacks.linking import LinkageAttack, one_per_row
from synth.attacks.quasi_identifiers import SHARED, present, recode_age
from synth.measure.scoring import PRECISIONS, ProbabilisticLinkageScore, precision_curve, recall_at_precision
from synth.release.build import AttackerView

ATTACK_ID = "probabilistic_linkage"
COMPARED = ("name", "relative_name", "age", "gender", "district", "taluk", "local_body", "ward")
ROLL_NAMES = {**SHARED, "relative_name": "relative_name"}
PLACES = ("local_body", "taluk", "district")  # finest first
# Links are scored down to this match probability, to find the recall at each precision an attacker might
# accept; the guesses are those at the scenario's threshold.
SCAN_FLOOR = 0.01
MODEL_DIGITS = 9  # significant digits the trained probabilities are kept to (see _rounded)
RARE = "<rare name>"  # in a training block: only names few voters of the roll hold
MAX_NAMESAKES = 2
# Folds applied in order; each pair is (regex, replacement).
NAME_KEY_FOLDS = (
    (r"[^a-z ]", ""),
    (r"([a-z])h", "$1"),  # aspirates and sh/zh/kh: th -> t, dh -> d, sh -> s
    (r"ee|ie", "i"),
    (r"oo|ou", "u"),
    (r"w", "v"),
    (r"y", "i"),
    (r"z", "s"),
    *((f"{c}{c}+", c) for c in "abcdefgijklmnoprstuvx"),  # doubled letters single (no backreferences in Rust regex)
    (r"\s+", " "),
)


@dataclass(frozen=True)
class ProbabilisticLinkageParams:
    """What the scenario sets for this attack.

    Parameters
    ----------
    threshold
        Smallest match probability that makes a guess, in (0, 1).
    recall
        The attacker's prior for the share of true matches that a strict deterministic rule finds,
        used to estimate the share of pairs that match; in (0, 1].
    max_pairs
        Pairs sampled to estimate the u probabilities, and at most in each training pass. At 3 x 10^6 the
        recall of five training seeds on Wayanad spans half a point; at 10^6 it spanned 1.6 points.
    train_rows
        Release rows the model is trained on, at least: whole districts drawn at random until they hold
        this many (all districts when the release has no more).
    batch_pairs
        Candidate pairs scored at once: a batch closes once it holds this many, so it exceeds them by at
        most one row's pairs. Bounds memory (about 250 bytes a pair) without changing any guess.
    """

    threshold: float = 0.9
    recall: float = 0.7
    max_pairs: float = 3e6
    train_rows: int = 200_000
    batch_pairs: int = 5_000_000

    def __post_init__(self) -> None:
        problems = []
        if not (isinstance(self.threshold, int | float) and 0 < self.threshold < 1):
            problems.append(f"threshold = {self.threshold!r}; allowed is a probability in (0, 1)")
        if not (isinstance(self.recall, int | float) and 0 < self.recall <= 1):
            problems.append(f"recall = {self.recall!r}; allowed is a share in (0, 1]")
        if not (isinstance(self.max_pairs, int | float) and self.max_pairs >= 1_000):
            problems.append(f"max_pairs = {self.max_pairs!r}; allowed is at least 1000")
        if not whole_number(self.train_rows):
            problems.append(f"train_rows = {self.train_rows!r}; allowed is a whole number above 0")
        if not whole_number(self.batch_pairs, 1_000):
            problems.append(f"batch_pairs = {self.batch_pairs!r}; allowed is a whole number of at least 1000")
        raise_problems(ATTACK_ID, problems)


def name_key(name: pl.Expr) -> pl.Expr:
    """The phonetic key of a name: transliteration variants of one name share it."""
    key = name.str.to_lowercase()
    for pattern, replacement in NAME_KEY_FOLDS:
        key = key.str.replace_all(pattern, replacement)
    return key.str.strip_chars()


def probabilistic_linkage(
    view: AttackerView,
    aux: AuxiliaryData,
    rng: np.random.Generator,
    params: ProbabilisticLinkageParams | None = None,
    floor: float | None = None,
) -> pl.DataFrame:
    """Guesses ``row_id -> epic`` (with ``match_probability``) from a Fellegi-Sunter model fitted by Splink.

    Parameters
    ----------
    view
        The attacker's view of the release; needs names.
    aux
        Auxiliary data; needs the electoral roll.
    rng
        Seeds the random sampling of pairs for the u probabilities.
    params
        Threshold and training settings (defaults: :class:`ProbabilisticLinkageParams`).
    floor
        The lowest match probability a best pair is kept at (default: the threshold). Lower, it returns the
        pairs below the threshold too, to score the recall the model reaches at other thresholds; a row's best
        pair does not depend on it.

    Returns
    -------
    polars.DataFrame
        ``row_id``, ``epic``, ``match_probability``: one row per guessed release row, by ``row_id``.
    """
    params = params or ProbabilisticLinkageParams()
    roll = aux.require("electoral_roll", ATTACK_ID)
    data = view.data
    if data.height == 0:
        raise NotApplicable(f"attack '{ATTACK_ID}': the release is empty; nothing to link")
    if "name" not in data.columns:
        raise NotApplicable(
            f"attack '{ATTACK_ID}': needs the column 'name', which the release lacks (it has {', '.join(data.columns)})"
        )
    cols = present(data, COMPARED)
    seed = int(rng.integers(2**31 - 1))
    parts = _districts(data, roll, cols)
    training = _training_districts(parts, params.train_rows, seed)
    ages = data["age"] if "age" in cols else None
    tf = name_frequencies(data, roll)
    model = _fit(*_inputs(*_concat([parts[d] for d in training]), cols, ages), cols, params, seed, tf)
    guesses = [
        _predict(model, left, right, params.threshold if floor is None else floor, tf)
        for d in sorted(parts)
        for left, right in _batches(*_inputs(*parts[d], cols, ages), cols, params.batch_pairs)
    ]
    return pl.concat(guesses).sort("row_id")


def _districts(data: pl.DataFrame, roll: pl.DataFrame, cols: list[str]) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """Release and roll rows by district (one part, the whole, when the release names no district)."""
    if "district" not in cols:
        return {"": (data, roll)}
    names = sorted(data["district"].drop_nulls().unique().cast(pl.String).to_list())
    released = data["district"].cast(pl.String)
    listed = roll[ROLL_NAMES["district"]].cast(pl.String)  # cast once, not once a district
    parts = {d: (data.filter(released == d), roll.filter(listed == d)) for d in names}
    if data["district"].null_count():
        parts[""] = (data.filter(pl.col("district").is_null()), roll.clear())
    return parts


def _training_districts(parts: dict[str, tuple[pl.DataFrame, pl.DataFrame]], rows: int, seed: int) -> list[str]:
    """Districts in a seeded random order, until they hold ``rows`` release rows (all of them if fewer)."""
    names = sorted(parts)
    order = [names[i] for i in np.random.default_rng(seed).permutation(len(names))]
    chosen: list[str] = []
    held = 0
    for name in order:
        if held >= rows:
            break
        chosen.append(name)
        held += parts[name][0].height
    return sorted(chosen)


def _batches(
    rel: pl.DataFrame, rol: pl.DataFrame, cols: list[str], pairs: int
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """Release rows in batches of at most ``pairs`` candidate pairs, each with the roll of its places.

    A row's pairs are counted per blocking rule (a pair both rules find counts twice, so batches err
    small). Rows are taken in order of place, so a batch needs the roll of few places.
    """
    by_name, by_person = _blocks(cols)
    place = by_name[:-1]
    cost = pl.lit(0, dtype=pl.Int64)
    counted = rel
    for i, keys in enumerate((by_name, by_person)):
        counts = rol.group_by(keys).agg(pl.len().cast(pl.Int64).alias(f"n{i}"))
        counted = counted.join(counts, on=keys, how="left", nulls_equal=False)
        cost = cost + pl.col(f"n{i}").fill_null(0)
    counted = counted.with_columns(cost=cost).sort([*place, "uid"], nulls_last=True)
    # A batch starts where the pairs before a row pass a multiple of the budget.
    batch = ((pl.col("cost").cum_sum() - pl.col("cost")) // pairs).alias("batch")
    counted = counted.with_columns(batch).drop("cost", *(f"n{i}" for i in range(2)))
    for _, batch_rows in counted.group_by("batch", maintain_order=True):
        left = batch_rows.drop("batch")
        yield left, (rol.join(left.select(place).unique(), on=place, how="semi") if place else rol)


def name_frequencies(data: pl.DataFrame, roll: pl.DataFrame) -> pl.DataFrame:
    """``name`` and ``tf_name``: each name's share of the names of release and roll together (Splink's term
    frequency, computed once over the whole input)."""
    names = pl.concat([data.select("name"), roll.select(pl.col(ROLL_NAMES["name"]).alias("name"))]).drop_nulls()
    return names.group_by("name").agg(tf_name=pl.len() / names.height).sort("name")


def _concat(parts: list[tuple[pl.DataFrame, pl.DataFrame]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return pl.concat([p[0] for p in parts]), pl.concat([p[1] for p in parts])


def _fit(
    left: pl.DataFrame,
    right: pl.DataFrame,
    cols: list[str],
    params: ProbabilisticLinkageParams,
    seed: int,
    tf: pl.DataFrame,
) -> Any:
    """The trained model (Splink's settings dictionary) of release and roll rows in the same coding."""
    numeric_age = "age" in cols and left["age"].dtype != pl.String
    with _linker(left, right, _settings(cols, numeric_age), tf) as (linker, con):
        # Training sums over pairs; DuckDB's parallel sums vary in the last bits from run to run, and
        # so would the guesses. One thread makes training exact within a process.
        con.execute("SET threads = 1")
        _train(linker, cols, params, seed=seed)
        return _rounded(linker.misc.save_model_to_json())


def _rounded(model: dict[str, Any]) -> dict[str, Any]:
    """The model with every probability rounded to :data:`MODEL_DIGITS` significant digits.

    Across processes (one worker or two) the trained m probabilities still differ in their last bits (about
    1e-15 apart: the sums' order), which would change the match probabilities in theirs and could move a
    pair across the threshold or break a tie. Rounded, two runs agree unless a probability lies within
    1e-15 of a rounding boundary.
    """

    def r(v: float | None) -> float | None:
        return None if v is None else float(f"{v:.{MODEL_DIGITS}g}")

    model["probability_two_random_records_match"] = r(model["probability_two_random_records_match"])
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            for key in ("m_probability", "u_probability"):
                if key in level:
                    level[key] = r(level[key])
    return model


def _predict(model: Any, left: pl.DataFrame, right: pl.DataFrame, threshold: float, tf: pl.DataFrame) -> pl.DataFrame:
    """The best pairs of one district under a trained model (scoring pairs has no sums: threads are safe)."""
    if left.height == 0 or right.height == 0:
        return pl.DataFrame(schema={"row_id": pl.Int64, "epic": pl.String, "match_probability": pl.Float64})
    names = pl.concat([left.select("name"), right.select("name")])
    tf = tf.join(names, on="name", how="semi")  # the batch's names, at their frequencies in the whole input
    with _linker(left, right, copy.deepcopy(model), tf) as (linker, _):
        predicted: Any = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        return _best_pairs(predicted.as_pyarrow_table())


@contextlib.contextmanager
def _linker(left: pl.DataFrame, right: pl.DataFrame, settings: Any, tf: pl.DataFrame) -> Iterator[tuple[Linker, Any]]:
    """A Splink linker of release and roll in a DuckDB database of its own, closed afterwards, with the
    names' term frequencies of the whole input (not of the batch: a batch must change no guess)."""
    con = duckdb.connect()
    try:
        db = DuckDBAPI(con)
        tables = [db.register(left.to_arrow(), table_name="release"), db.register(right.to_arrow(), table_name="roll")]
        linker = Linker(tables, settings, log_level=None)
        linker.table_management.register_term_frequency_lookup(db.register(tf.to_arrow(), table_name="tf"), "name")
        yield linker, con
    finally:
        con.close()


def _inputs(
    data: pl.DataFrame, roll: pl.DataFrame, cols: list[str], ages: pl.Series | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Release and roll with the same columns, in the coding of the release's ages, and a shared ``uid``."""
    rel = data.select(pl.format("r{}", "row_id").alias("uid"), *cols)
    rol = roll.select(pl.format("e{}", "epic").alias("uid"), *[pl.col(ROLL_NAMES[c]).alias(c) for c in cols])
    if "gender" in cols:
        rel, rol = (t.with_columns(pl.col("gender").cast(pl.String)) for t in (rel, rol))
    if "age" in cols:
        assert ages is not None
        rol = rol.with_columns(recode_age(pl.col("age"), ages).alias("age"))
        if data["age"].dtype == pl.String:
            rel = rel.with_columns(pl.col("age").cast(pl.String))
        else:
            rel, rol = (t.with_columns(pl.col("age").cast(pl.Int32)) for t in (rel, rol))
    if "ward" in cols:
        rel, rol = (t.with_columns(pl.col("ward").cast(pl.Int32)) for t in (rel, rol))
    rel, rol = (
        t.with_columns(
            name_key=name_key(pl.col("name")),
            initial=name_key(pl.col("name")).str.slice(0, 1),
            given=pl.col("name").str.extract(r"^(\S+)"),
            rest=pl.col("name").str.extract(r"^\S+\s+(.*)$").fill_null(""),
        )
        for t in (rel, rol)
    )
    namesakes = rol.group_by("name").agg(namesakes=pl.len().cast(pl.Int32))
    rel, rol = (t.join(namesakes, on="name", how="left", nulls_equal=False) for t in (rel, rol))
    return rel.with_columns(pl.col("namesakes").fill_null(0)), rol


def _blocks(cols: list[str]) -> tuple[list[str], list[str]]:
    """Two blocking rules: the same place and name key; the same place, ward, gender and age.

    The place is the coarsest area that still keeps blocks small (a local body, else a taluk, else a
    district), so that a voter still listed in a ward they left is compared too.
    """
    place = next(([p] for p in PLACES if p in cols), [])
    by_name = [*place, "name_key"]
    by_person = [*place, *(c for c in ("ward", "gender", "age") if c in cols)]
    return by_name, (by_person if len(by_person) > len(place) else [*place, "name"])


def _settings(cols: list[str], numeric_age: bool) -> SettingsCreator:
    comparisons: list[Any] = [
        cl.CustomComparison(
            output_column_name="name",
            comparison_levels=[
                cll.NullLevel("name"),
                cll.ExactMatchLevel("name", term_frequency_adjustments=True),
                cll.ExactMatchLevel("name_key"),
                # A Kerala name is a given name and the initials of a house or father's name (and a
                # title): a spelling variant changes the given name, never the initials.
                cll.And(cll.JaroWinklerLevel("given", 0.88), cll.ExactMatchLevel("rest")),
                cll.ExactMatchLevel("rest"),
                cll.ElseLevel(),
            ],
        )
    ]
    if "relative_name" in cols:
        comparisons.append(cl.JaroWinklerAtThresholds("relative_name", [0.92, 0.80]))
    if "age" in cols:
        comparisons.append(_age_comparison(numeric_age))
    if "gender" in cols:
        comparisons.append(cl.ExactMatch("gender"))
    place_levels = _place_levels(cols)
    if place_levels:
        comparisons.append(cl.CustomComparison(output_column_name="place", comparison_levels=place_levels))
    by_name, by_person = _blocks(cols)
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*by_name), block_on(*by_person)],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def _place_levels(cols: list[str]) -> list[Any]:
    """Same ward, same local body, same taluk, same district, else: the finest agreement counts.

    Prediction blocks never cross a local body, but agreeing on it is still evidence (a random roll
    entry rarely shares it) and must count in the match weight.
    """
    levels: list[Any] = []
    if "local_body" in cols and "ward" in cols:
        levels.append(cll.And(cll.ExactMatchLevel("local_body"), cll.ExactMatchLevel("ward")))
    levels += [cll.ExactMatchLevel(c) for c in ("local_body", "taluk", "district") if c in cols]
    if not levels:
        return []
    finest = next(c for c in ("ward", "local_body", "taluk", "district") if c in cols)
    return [cll.NullLevel(finest), *levels, cll.ElseLevel()]


def _age_comparison(numeric: bool) -> Any:
    """Whole years: exact, one year off, up to three off (rolls carry age errors); bands: exact."""
    if not numeric:
        return cl.ExactMatch("age")
    return cl.CustomComparison(
        output_column_name="age",
        comparison_levels=[
            cll.NullLevel("age"),
            cll.ExactMatchLevel("age"),
            cll.AbsoluteDifferenceLevel("age", 1),
            cll.AbsoluteDifferenceLevel("age", 3),
            cll.ElseLevel(),
        ],
    )


def _train(linker: Linker, cols: list[str], params: ProbabilisticLinkageParams, seed: int) -> None:
    _, by_person = _blocks(cols)
    # Splink advises on max_pairs and on levels a small sample does not show; the scenario reports its own
    logging.getLogger("splink").setLevel(logging.ERROR)
    strict = sorted({"name", *by_person} - {"name_key"})
    linker.training.estimate_probability_two_random_records_match([block_on(*strict)], recall=params.recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=params.max_pairs, seed=seed, min_count_per_level=None)
    for rule in _training_blocks(cols):
        linker.training.estimate_parameters_using_expectation_maximisation(
            _blocking_rule(rule), max_pairs=params.max_pairs
        )


def _blocking_rule(columns: list[str]) -> Any:
    """Splink's rule for pairs that agree on ``columns``; :data:`RARE` in them keeps only names at most
    :data:`MAX_NAMESAKES` voters of the roll hold."""
    keys = [c for c in columns if c != RARE]
    if RARE not in columns:
        return block_on(*keys)
    same = " AND ".join(f'l."{c}" = r."{c}"' for c in keys)
    return f"{same} AND l.namesakes <= {MAX_NAMESAKES} AND r.namesakes <= {MAX_NAMESAKES}"


def _training_blocks(cols: list[str]) -> list[list[str]]:
    """The EM passes: each learns the m of every comparison whose columns it does not block on.

    The name and sex are learnt among people of one place and age (blocks of a few hundred voters, in
    which a true match stands out by its name); the age among people of one place, sex and a rare name;
    the places among people of one rare name, age and sex anywhere. Without ages, the first pass blocks
    on place and the name's first letter (blocks about the size of a ward).
    """
    place = next(([p] for p in PLACES if p in cols), [])
    age = ["age"] if "age" in cols else []
    gender = ["gender"] if "gender" in cols else []
    first = [*place, *age] if age else [*place, "initial"]
    passes = [first]
    if age:
        passes.append([*place, "name", *gender, RARE])
    if place:
        passes.append(["name", *age, *gender, RARE])
    return passes


def _best_pairs(pred: Any) -> pl.DataFrame:
    """For each release row, its most probable roll entry, unless another entry ties with it."""
    p = pl.from_arrow(pred)
    assert isinstance(p, pl.DataFrame)
    left_is_release = p["uid_l"].str.starts_with("r")
    p = p.select(
        uid_release=pl.when(left_is_release).then("uid_l").otherwise("uid_r"),
        uid_roll=pl.when(left_is_release).then("uid_r").otherwise("uid_l"),
        match_probability="match_probability",
    )
    best = p.filter(pl.col("match_probability") == pl.col("match_probability").max().over("uid_release"))
    best = best.filter(pl.len().over("uid_release") == 1)
    return best.select(
        row_id=pl.col("uid_release").str.slice(1).cast(pl.Int64),
        epic=pl.col("uid_roll").str.slice(1),
        match_probability="match_probability",
    ).sort("row_id")


class ProbabilisticLinkage(LinkageAttack):
    id: ClassVar[str] = ATTACK_ID
    summary: ClassVar[str] = (
        "Fellegi-Sunter linkage to the roll with Splink (names with their spelling variants, age, gender, "
        "place), on the released names or those an earlier attack found."
    )
    Params: ClassVar[type] = ProbabilisticLinkageParams

    def link(
        self,
        view: AttackerView,
        names: pl.DataFrame,
        aux: AuxiliaryData,
        rng: np.random.Generator,
        params: ProbabilisticLinkageParams,
    ) -> pl.DataFrame:
        """Links on the released names (one model), and links of the rows named by an earlier attack on their
        given name (a model of their own: a caller-ID label gives a given name, seldom the initials and
        titles the roll prints, so those rows and the roll are compared on the first word of the name)."""
        data = view.data
        if "name" not in data.columns and names.height == 0:
            raise NotApplicable(
                f"attack '{ATTACK_ID}': the release has no names and no earlier attack found any "
                f"(it has {', '.join(data.columns)})"
            )
        floor = min(params.threshold, SCAN_FLOOR)
        parts = []
        if "name" in data.columns:
            direct = probabilistic_linkage(view, aux, rng, params, floor)
            parts.append(direct.with_columns(chain=pl.lit(ATTACK_ID)))
        if names.height:
            roll = aux.require("electoral_roll", ATTACK_ID)
            first = pl.col("name").str.extract(r"^(\S+)")
            named = data.drop("name", strict=False).join(names.select("row_id", "name"), on="row_id")
            found = probabilistic_linkage(
                AttackerView(data=named.with_columns(name=first), metadata=view.metadata),
                AuxiliaryData(electoral_roll=roll.with_columns(name=first)),
                rng,
                params,
                floor,
            )
            by = names.select("row_id", chain=chain(pl.col("name_by"), ATTACK_ID))
            parts.append(found.join(by, on="row_id"))
        schema = pl.Schema({**LINK_SCHEMA, "match_probability": pl.Float64})
        return pl.concat(parts).select(schema.names()).cast(schema).sort("row_id", "chain")

    def accepted(self, links: pl.DataFrame, params: ProbabilisticLinkageParams) -> pl.DataFrame:
        """The links at or above the scenario's threshold (:meth:`link` scores them down to
        :data:`SCAN_FLOOR`)."""
        return links.filter(pl.col("match_probability") >= params.threshold).select(LINK_SCHEMA.keys())

    def score(self, outcome: Outcome, truth: Truth, params: ProbabilisticLinkageParams) -> Scored:
        """The linkage score at the threshold, with the recall at each precision of :data:`PRECISIONS`."""
        scored = super().score(outcome, truth, params)
        at: dict[str, Any] = {}
        base = scored.scores[0]
        scanned = one_per_row(outcome.extra, self.id).select("row_id", "epic", "match_probability")
        curve = precision_curve(scanned, truth.release, truth.roll)
        for precision in PRECISIONS:
            level = round(precision * 100)
            at[f"recall_at_precision_{level}"], at[f"threshold_at_precision_{level}"] = recall_at_precision(
                curve, precision, base.rows
            )
        fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
        return Scored((ProbabilisticLinkageScore(**fields, **at),), scored.breakdown)

    def caveats(self, outcome: Outcome, params: ProbabilisticLinkageParams) -> tuple[str, ...]:
        if outcome.guesses.height:
            return ()
        return (
            f"made no guess: no pair reached the match-probability threshold of {params.threshold} under the model "
            "it trained, so its figures (0) are a lower bound of what a calibrated attacker links",
        )


ATTACK = ProbabilisticLinkage()
