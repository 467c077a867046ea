"""Probabilistic linkage: Fellegi-Sunter record linkage of the release to the electoral roll, with Splink.

Exact linkage misses everyone whose roll entry differs from the release in any detail: a name spelt
another way (Sooraj and Suraj), an age a year off, a voter still listed in the ward they left. A real
adversary uses the field's tool instead. Splink (DuckDB backend) compares each release row with the
roll entries of its block on every shared field, learns how much agreement on each field is worth
without any labels (u by random sampling, m by expectation maximisation), and scores each pair with a
match probability.

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
from synth.attacks.base import NotApplicable, Outcome, raise_problems, whole_number
from synth.attacks.knowledge import LINK_SCHEMA, chain
from synth.attacks.linking import LinkageAttack
from synth.attacks.quasi_identifiers import SHARED, present, recode_age
from synth.release.build import AttackerView

ATTACK_ID = "probabilistic_linkage"
COMPARED = ("name", "relative_name", "age", "gender", "district", "taluk", "local_body", "ward")
ROLL_NAMES = {**SHARED, "relative_name": "relative_name"}
PLACES = ("local_body", "taluk", "district")  # finest first
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
        Pairs sampled to estimate the u probabilities.
    train_rows
        Release rows the model is trained on, at least: whole districts drawn at random until they hold
        this many (all districts when the release has no more).
    batch_pairs
        Candidate pairs scored at once: a batch closes once it holds this many, so it exceeds them by at
        most one row's pairs. Bounds memory (about 250 bytes a pair) without changing any guess.
    """

    threshold: float = 0.9
    recall: float = 0.7
    max_pairs: float = 1e6
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
    model = _fit(*_inputs(*_concat([parts[d] for d in training]), cols, ages), cols, params, seed)
    guesses = [
        _predict(model, left, right, params.threshold)
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


def _concat(parts: list[tuple[pl.DataFrame, pl.DataFrame]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return pl.concat([p[0] for p in parts]), pl.concat([p[1] for p in parts])


def _fit(
    left: pl.DataFrame, right: pl.DataFrame, cols: list[str], params: ProbabilisticLinkageParams, seed: int
) -> Any:
    """The trained model (Splink's settings dictionary) of release and roll rows in the same coding."""
    numeric_age = "age" in cols and left["age"].dtype != pl.String
    with _linker(left, right, _settings(cols, numeric_age)) as (linker, con):
        # Training sums over pairs; DuckDB's parallel sums vary in the last bits from run to run, and
        # so would the guesses. One thread makes training exact.
        con.execute("SET threads = 1")
        _train(linker, cols, params, seed=seed)
        return linker.misc.save_model_to_json()


def _predict(model: Any, left: pl.DataFrame, right: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """The best pairs of one district under a trained model (scoring pairs has no sums: threads are safe)."""
    if left.height == 0 or right.height == 0:
        return pl.DataFrame(schema={"row_id": pl.Int64, "epic": pl.String, "match_probability": pl.Float64})
    with _linker(left, right, copy.deepcopy(model)) as (linker, _):
        predicted: Any = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        return _best_pairs(predicted.as_pyarrow_table())


@contextlib.contextmanager
def _linker(left: pl.DataFrame, right: pl.DataFrame, settings: Any) -> Iterator[tuple[Linker, Any]]:
    """A Splink linker of release and roll in a DuckDB database of its own, closed afterwards."""
    con = duckdb.connect()
    try:
        db = DuckDBAPI(con)
        tables = [db.register(left.to_arrow(), table_name="release"), db.register(right.to_arrow(), table_name="roll")]
        yield Linker(tables, settings, log_level=None), con
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
            given=pl.col("name").str.extract(r"^(\S+)"),
            rest=pl.col("name").str.extract(r"^\S+\s+(.*)$").fill_null(""),
        )
        for t in (rel, rol)
    )
    return rel, rol


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
                cll.ExactMatchLevel("name"),
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
    by_name, by_person = _blocks(cols)
    # Splink advises on max_pairs and on levels a small sample does not show; the scenario reports its own
    logging.getLogger("splink").setLevel(logging.ERROR)
    strict = sorted({"name", *by_person} - {"name_key"})
    linker.training.estimate_probability_two_random_records_match([block_on(*strict)], recall=params.recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=params.max_pairs, seed=seed)
    # Each EM pass learns the weights of the fields it does not block on, and needs other fields left
    # that tell matches apart: name and age are learnt among people of one ward (pairs sampled), the
    # places among people who share name, age and gender anywhere.
    place = by_name[:-1]
    broad = [*place, *(c for c in ("ward", "gender") if c in cols)]
    linker.training.estimate_parameters_using_expectation_maximisation(block_on(*broad), max_pairs=params.max_pairs)
    if place:
        by_identity = ["name", *(c for c in ("age", "gender") if c in cols)]
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*by_identity))


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
        parts = []
        if "name" in data.columns:
            direct = probabilistic_linkage(view, aux, rng, params)
            parts.append(direct.select("row_id", "epic", chain=pl.lit(ATTACK_ID)))
        if names.height:
            roll = aux.require("electoral_roll", ATTACK_ID)
            first = pl.col("name").str.extract(r"^(\S+)")
            named = data.drop("name", strict=False).join(names.select("row_id", "name"), on="row_id")
            found = probabilistic_linkage(
                AttackerView(data=named.with_columns(name=first), metadata=view.metadata),
                AuxiliaryData(electoral_roll=roll.with_columns(name=first)),
                rng,
                params,
            )
            by = names.select("row_id", chain=chain(pl.col("name_by"), ATTACK_ID))
            parts.append(found.join(by, on="row_id").select("row_id", "epic", "chain"))
        return pl.concat(parts).cast(pl.Schema(LINK_SCHEMA)).sort("row_id", "chain")

    def caveats(self, outcome: Outcome, params: ProbabilisticLinkageParams) -> tuple[str, ...]:
        if outcome.guesses.height:
            return ()
        return (
            f"made no guess: no pair reached the match-probability threshold of {params.threshold} under the model "
            "it trained, so its figures (0) are a lower bound of what a calibrated attacker links",
        )


ATTACK = ProbabilisticLinkage()
