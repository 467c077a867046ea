"""The Fellegi-Sunter model of probabilistic linkage (:mod:`synth.attacks.probabilistic_linkage`) in Splink:
its comparisons, its training without labels (u by random sampling, m by expectation maximisation over
blocks chosen so that true matches are a large share of their pairs), and the best pairs it predicts."""

from __future__ import annotations

import contextlib
import copy
import logging
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from synth.attacks.blocked_pairs import ALIKE, RELEASE, ROLL, alike_pairs_sql, blocked_pairs_sql, rule_columns
from synth.attacks.duckdb_memory import within_memory
from synth.attacks.linkage_inputs import blocking_columns, blocking_rules, pairs_agreeing, place_columns
from synth.attacks.live_pairs import Narrowing, least_frequencies, level_case, narrowing, with_condition
from synth.attacks.pair_scores import scored_pairs, selected, splink_settings

if TYPE_CHECKING:
    from synth.attacks.probabilistic_linkage import ProbabilisticLinkageParams

MODEL_DIGITS = 9  # significant digits the trained probabilities are kept to (see _rounded)
RARE = "<rare name>"  # in a training block: only names few voters of the roll hold
NAME = "<name>"  # in a training block: names that agree across formats (the given-name key, initials that fit)
# one side's initials all among the other's, as a comparison level and in a blocking rule
FITTING_LEVEL = '(("mask_l" & "mask_r") = "mask_l" OR ("mask_l" & "mask_r") = "mask_r")'
FITTING_RULE = "((l.mask & r.mask) = l.mask OR (l.mask & r.mask) = r.mask)"
MAX_NAMESAKES = 2  # "few": at most this many, raised (doubled) only where a pass would have no pair at all
MIN_TRAINING_PAIRS = 1
PREDICTION_RULES = "blocking_rules_to_generate_predictions"  # the key of a model's rules that make the pairs scored
PAIR_FLOOR = 1e-4  # pairs Splink scores below this match probability are no rival to any candidate (_best_pairs)
AGE_STEPS = (1, 3)  # years apart that the age comparison's levels after "the same age" allow
U_CHUNKS = 1  # the parts Splink's u sampling compares its sample's pairs in (see _train)
GUESSES = pl.Schema({"row_id": pl.Int64, "epic": pl.String, "match_probability": pl.Float64})  # the best pairs


def fit_model(
    left: pl.DataFrame,
    right: pl.DataFrame,
    cols: list[str],
    params: ProbabilisticLinkageParams,
    seed: int,
    tf: Mapping[str, pl.DataFrame],
) -> Any:
    """The trained model (Splink's settings dictionary) of release and roll rows in the same coding."""
    numeric_age = _numeric_age(left)
    passes = [(rule, rarity(left, right, rule)) for rule in _training_blocks(cols)]
    # DuckDB runs training on all its threads. The pairs are sampled by a hash of their ids and counted per agreement
    # pattern, whatever the threads; only the sums over the patterns' counts could change order with them, in their
    # last bits, which _rounded absorbs. On Wayanad, one thread and two gave bit-identical models before rounding
    # (8 fits), and two took 4.4 s where one took 6.4 s.

    def trained(memory: str | None) -> Any:
        with _linker(left, right, _settings(cols, numeric_age), tf, memory) as (linker, _):
            _train(linker, cols, params, passes, seed=seed)
            return _rounded(linker.misc.save_model_to_json())

    return within_memory(trained)


def rarity(left: pl.DataFrame, right: pl.DataFrame, rule: list[str]) -> int:
    """How few voters of the roll a name may have to count as rare in the pass ``rule``: :data:`MAX_NAMESAKES`,
    doubled until the pass holds :data:`MIN_TRAINING_PAIRS` pairs (or every pair it can; 0 for a pass that
    does not ask for rare names).

    A synthetic world's given names come from a vocabulary: over several districts a given name alone (the name
    an earlier attack found on a caller-ID label) may be held by no two voters or fewer, and a pass of no pairs
    cannot train (Splink raises). Purity beats numbers here: on Wayanad's ``drop_names`` the passes at two
    namesakes hold 30 and 37 pairs, and the model linked 19.9% of the rows; raised until each pass held 1,000
    pairs (sixteen namesakes), it linked 12.4%. So the limit rises only as far as a first pair.
    """
    if RARE not in rule:
        return 0
    # names that agree are counted on their given-name key alone: a pair it finds may have initials that do not
    # fit, so the limit may stop a doubling early (at a pass of few pairs), never late
    keys = ["name_key" if c == NAME else c for c in rule if c != RARE]
    most = int(right.select(pl.col("namesakes").max()).item() or 0)
    limit = MAX_NAMESAKES
    while limit < most:
        rare = pl.col("namesakes") <= limit
        if pairs_agreeing(left.filter(rare), right.filter(rare), keys) >= MIN_TRAINING_PAIRS:
            break
        limit *= 2
    return limit


def _rounded(model: dict[str, Any]) -> dict[str, Any]:
    """The model with every probability rounded to :data:`MODEL_DIGITS` significant digits.

    Across processes (one worker or two) or DuckDB's threads, the trained m probabilities could differ in their last
    bits (about 1e-15 apart: the sums' order), which would change the match probabilities in theirs and could move a
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


def predict_links(
    model: Any,
    left: pl.DataFrame,
    right: pl.DataFrame,
    threshold: float,
    tf: Mapping[str, pl.DataFrame],
    coverage: float,
) -> pl.DataFrame:
    """The best pairs of one district under a trained model, at or above ``threshold`` once each row's candidates
    compete (:func:`_best_pairs`; ``coverage``: the prior that a row's person is on the roll). Scoring pairs has no
    sums: threads are safe."""
    if left.height == 0 or right.height == 0:
        return pl.DataFrame(schema=GUESSES)
    tf_least = least_frequencies(tf)  # of the whole input: every batch counts alike (counted_levels)
    # the batch's names and keys, at their frequencies in the whole input
    tf = {col: t.join(pl.concat([left.select(col), right.select(col)]), on=col, how="semi") for col, t in tf.items()}
    # only the pairs that can reach the floor are compared (synth.attacks.live_pairs): the same pairs are kept
    live = narrowing(model, PAIR_FLOOR, least_frequencies(tf))
    # the pairs, by our SQL (synth.attacks.blocked_pairs); Splink blocks them where a rule is not one of equalities
    rules = [rule_columns(rule["blocking_rule"]) for rule in model[PREDICTION_RULES]]
    known = [columns for columns in rules if columns is not None]
    within = pair_bounds(live, _numeric_age(left))
    lacking = (_lacks(left, within), _lacks(right, within))
    if len(known) < len(rules):

        def predicted(memory: str | None) -> pl.DataFrame:
            conditioned = copy.deepcopy(with_condition(model, live.condition))
            with _linker(left, right, conditioned, tf, memory) as (linker, con):
                pairs: Any = linker.inference.predict(threshold_match_probability=PAIR_FLOOR, warning_mode="never")
                sql = f"SELECT uid_l, uid_r, match_weight FROM {pairs.physical_name}"
                return _best_pairs(con.sql(sql).to_arrow_table(), coverage, threshold)

        return within_memory(predicted)
    # our SQL meets the condition (live.terms); the model gives only the comparisons and their weights
    scoring = splink_settings(model)
    alike = whole = None
    # the pairs that score alike, one a row and level (synth.attacks.blocked_pairs.alike_pairs_sql), and the others
    if (counting := counted_levels(model, tf_least, left.columns)) is not None and counting[0] in known:
        whole = known.index(counting[0])
        alike = alike_pairs_sql(known, whole, *counting[1:], live.terms)
    pairs = blocked_pairs_sql(known, live.terms, within, lacking, whole, selected(scoring))
    return _best_pairs(scored_pairs(left, right, scoring, tf, pairs, alike, PAIR_FLOOR), coverage, threshold)


def counted_levels(
    model: dict[str, Any], tf_least: Mapping[str, float | None], columns: Sequence[str]
) -> tuple[list[str], str, list[int]] | None:
    """Where predictions count pairs (:func:`predict_links`), for inputs of ``columns`` and the least term frequencies
    of the whole input: the rule of :func:`alike_rule`, the SQL of a pair's level of the names (:func:`level_case`),
    the levels that weigh no term frequency; ``None`` where the name comparison is narrowed on (only names that agree
    are kept: a batch of Wayanad's 5-year bands scored 200,043 pairs counted, 202,263 not, and took 3.5 to 4.1 s
    counted, 3.0 to 3.2 s not)."""
    rule = alike_rule(columns)
    name = next(c for c in model["comparisons"] if c["output_column_name"] == "name")
    levels = level_case(name)
    if rule is None or levels is None or "name" in narrowing(model, PAIR_FLOOR, tf_least).live:
        return None
    return rule, levels, [i for i, level in enumerate(name["comparison_levels"]) if "tf_adjustment_column" not in level]


def alike_rule(columns: Sequence[str]) -> list[str] | None:
    """The blocking rule (:func:`~synth.attacks.linkage_inputs.blocking_rules`) whose pairs take the same level of
    every comparison but the name's, for linkage inputs of ``columns``; ``None`` where no rule's do.

    That is the rule of one place, ward, gender and age (:func:`~synth.attacks.linkage_inputs.blocking_columns`),
    where it blocks on the age and gender the inputs have, and on the place columns the place comparison reads first
    (its null level and first level, :func:`_place_levels`), and the inputs have no relative's name (compared by
    similarity). Those of its pairs whose names take one level that weighs no term frequency all score one weight."""
    _, by_person = blocking_columns(list(columns))
    if "relative_name" in columns or "name_key" in by_person:
        return None
    if any(c in columns and c not in by_person for c in ("age", "gender")):
        return None
    if any(c in columns for c in ("local_body", "taluk", "district")):  # compared by place
        finest = next(c for c in ("ward", "local_body", "taluk", "district") if c in columns)
        first = ["local_body", "ward"] if {"local_body", "ward"} <= set(columns) else place_columns(list(columns))
        if not {finest, *first} <= set(by_person):
            return None
    return by_person


def _numeric_age(frame: pl.DataFrame) -> bool:
    """Whether the linkage inputs compare ages as whole years (else as bands, strings, or not at all)."""
    return "age" in frame.columns and frame["age"].dtype != pl.String


def _lacks(frame: pl.DataFrame, columns: Iterable[str]) -> bool:
    return any(frame[c].null_count() for c in columns)


def pair_bounds(live: Narrowing, numeric_age: bool) -> dict[str, int | None]:
    """How far apart gender and age may be in a pair that can reach the floor, where both of its sides have them
    (0: equal; ``None``: no such pair can), for those of the two that ``live`` narrows on
    (:func:`~synth.attacks.blocked_pairs.blocked_pairs_sql`)."""
    within: dict[str, int | None] = {}
    for column, steps in (("gender", (0,)), ("age", (0, *AGE_STEPS) if numeric_age else (0,))):
        levels = live.live.get(column)
        if levels is None:
            continue
        if len(levels) != len(steps) + 2:  # null, the steps, else
            raise ValueError(f"the comparison of {column!r} has {len(levels)} levels; expected {len(steps) + 2}")
        reach = [step for step, is_live in zip(steps, levels[1:-1], strict=True) if is_live]
        within[column] = max(reach) if reach else None
    return within


def most_blocked_first(
    model: dict[str, Any], left: pl.DataFrame, right: pl.DataFrame, cols: list[str]
) -> dict[str, Any]:
    """``model`` with its prediction blocking rules (those of :func:`~synth.attacks.linkage_inputs.blocking_rules`,
    in that order) ordered by the pairs each blocks of ``left`` x ``right``, most first; ``model`` itself where they
    are in that order already.

    Splink leaves the pairs of earlier rules out of a later one with ``NOT COALESCE(earlier rule, FALSE)`` on each
    pair the later rule blocks, and DuckDB computes every condition of the earlier rule there: the Jaro-Winkler
    similarity of the narrowed rules (:mod:`synth.attacks.live_pairs`) on every pair of one ward and sex, when the
    rule of one name key came first. The rules find the same pairs in any order, and a pair's weights do not depend on
    the rule that found it: the same links. Measured on Wayanad (one batch, the model trained beforehand): without
    ages 11.1 s in the order of the rules, 5.7 s most blocked first; 5-year bands 5.4 s and 3.9 s; the export 2.6 s
    and 2.4 s; without wards, where every pair blocked is compared, 29.3 s and 29.6 s."""
    rules = blocking_rules(cols)
    if len(rules) != len(model[PREDICTION_RULES]):
        raise ValueError(f"the model has {len(model[PREDICTION_RULES])} prediction rules; {cols} make {len(rules)}")
    pairs = [pairs_agreeing(left, right, keys) for keys in rules]
    order = sorted(range(len(rules)), key=lambda i: -pairs[i])
    if order == list(range(len(rules))):
        return model
    return {**model, PREDICTION_RULES: [model[PREDICTION_RULES][i] for i in order]}


@contextlib.contextmanager
def _linker(
    left: pl.DataFrame,
    right: pl.DataFrame,
    settings: Any,
    tf: Mapping[str, pl.DataFrame],
    memory: str | None,
) -> Iterator[tuple[Linker, Any]]:
    """A Splink linker of release and roll in a DuckDB database of its own under ``memory`` (None: DuckDB's default),
    spilling to a temporary folder, both removed afterwards, with the names' term frequencies of the whole input (not
    of the batch: a batch must change no guess). Its predictions block by the settings' rules (the pairs our SQL blocks
    are scored by :mod:`synth.attacks.pair_scores`)."""
    with tempfile.TemporaryDirectory(prefix="synth-splink-") as spill:
        config: dict[str, Any] = {"temp_directory": spill}
        if memory is not None:
            config["memory_limit"] = memory
        con = duckdb.connect(config=config)
        try:
            db = DuckDBAPI(con)
            tables = [db.register(left.to_arrow(), table_name=RELEASE), db.register(right.to_arrow(), table_name=ROLL)]
            # Splink's validation of the settings only logs the columns they name that the tables lack (these
            # settings are built here, for these tables); it parsed every comparison again for each batch, 50 ms a batch
            linker = Linker(tables, settings, log_level=None, validate_settings=False)
            for col, table in tf.items():
                lookup = db.register(table.to_arrow(), table_name=f"tf_{col}")
                linker.table_management.register_term_frequency_lookup(lookup, col)
            yield linker, con
        finally:
            con.close()


def _settings(cols: list[str], numeric_age: bool) -> SettingsCreator:
    comparisons: list[Any] = [
        cl.CustomComparison(
            output_column_name="name",
            comparison_levels=[
                cll.NullLevel("name"),
                cll.ExactMatchLevel("name", term_frequency_adjustments=True),
                # A Kerala name is a given name and the initials of a house or father's name (and a title),
                # written in many formats: the names agree where the given names do and the initials fit
                # (synth.core.name_parts). A spelling variant changes the given name, never the initials.
                # weighed by how common the given name is (Muhammed agrees by chance; Noorudheen seldom)
                cll.And(cll.ExactMatchLevel("name_key"), _fitting_initials()).configure(
                    tf_adjustment_column="name_key", tf_adjustment_weight=1.0, disable_tf_exact_match_detection=True
                ),
                cll.And(_fitting_initials(), cll.JaroWinklerLevel("given", 0.88)),
                _fitting_initials(),
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
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in blocking_rules(cols)],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def _fitting_initials() -> Any:
    """One side's initials are all among the other's (``mask``: :func:`~synth.attacks.linkage_inputs.initial_mask`;
    a roll entry's holds every initial it supports, a release row's those it writes)."""
    return cll.CustomLevel(FITTING_LEVEL, label_for_charts="initials fit")


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
            *(cll.AbsoluteDifferenceLevel("age", step) for step in AGE_STEPS),
            cll.ElseLevel(),
        ],
    )


def _train(
    linker: Linker, cols: list[str], params: ProbabilisticLinkageParams, passes: list[tuple[list[str], int]], seed: int
) -> None:
    _, by_person = blocking_columns(cols)
    # Splink advises on max_pairs and on levels a small sample does not show; the scenario reports its own
    logging.getLogger("splink").setLevel(logging.ERROR)
    strict = sorted({NAME, *by_person} - {"name_key"})
    linker.training.estimate_probability_two_random_records_match([_blocking_rule(strict, 0)], recall=params.recall)
    # u is counted over every pair of the sample, in one part: the counts are whole numbers, so parts change no count.
    # Splink's default of 10 parts (and its probe, whose counts are thrown away where no minimum count is asked for)
    # ran 11 queries per comparison: on Wayanad 1.44 to 1.67 s a fit against 1.07 to 1.11 s, the same model to the
    # last bit (tests/integration/test_probabilistic_linkage.py)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=params.max_pairs, seed=seed, min_count_per_level=None, num_chunks=U_CHUNKS
    )
    # The EM iterations run on the counts of each agreement pattern, not on every pair (the term frequencies
    # still weigh exact names when pairs are scored): a pass costs one scan of its pairs instead of one per
    # iteration. On Wayanad it cut training from 27 s to 9 s, and moved recall by at most 0.6 points
    # (drop_names, up) and re-identification by at most 0.02 points, inside the spread of training seeds.
    for rule, rare in passes:
        linker.training.estimate_parameters_using_expectation_maximisation(
            _blocking_rule(rule, rare), estimate_without_term_frequencies=True, max_pairs=params.max_pairs
        )


def _blocking_rule(columns: list[str], rare: int) -> Any:
    """Splink's rule for pairs that agree on ``columns``: :data:`NAME` in them asks for names that agree across
    formats (the same given-name key, initials that fit); :data:`RARE`, for names at most ``rare`` voters of the
    roll hold (:func:`rarity`)."""
    keys = [c for c in columns if c not in (RARE, NAME)]
    if RARE not in columns and NAME not in columns:
        return block_on(*keys)
    same = [f'l."{c}" = r."{c}"' for c in keys]
    if NAME in columns:
        same.append(f"l.name_key = r.name_key AND {FITTING_RULE}")
    if RARE in columns:
        same.append(f"l.namesakes <= {rare} AND r.namesakes <= {rare}")
    return " AND ".join(same)


def _training_blocks(cols: list[str]) -> list[list[str]]:
    """The EM passes: each learns the m of every comparison whose columns it does not block on.

    The name and sex are learnt among people of one place and age (blocks of a few hundred voters, in
    which a true match stands out by its name); the age among people of one place, sex and a rare name;
    the places among people of one rare name, age and sex anywhere. Without ages, the first pass blocks
    on place and the name's first letter (blocks about the size of a ward).
    """
    place = place_columns(cols)
    age = ["age"] if "age" in cols else []
    gender = ["gender"] if "gender" in cols else []
    first = [*place, *age] if age else [*place, "initial"]
    passes = [first]
    if age:
        passes.append([*place, NAME, *gender, RARE])
    if place:
        passes.append([NAME, *age, *gender, RARE])
    return passes


def _best_pairs(pred: Any, coverage: float, threshold: float) -> pl.DataFrame:
    """For each release row, its most probable roll entry, unless another entry ties with it, where the
    probability that it is the row's person reaches ``threshold`` once the row's candidates compete.

    Splink scores each pair on its own. The roll lists a person once (its duplicates are merged first), so the
    candidates of a row are rivals: with Splink's odds ``o`` of each, and the prior ``coverage`` that the row's
    person is on the roll at all, the entry ``i`` is the person with probability ``o_i / (1 - coverage + sum o)``.
    A lone good candidate rises (a real attacker knows the roll holds nearly everyone, and that nobody else fits);
    one of two equal candidates falls below one half. Pairs below :data:`PAIR_FLOOR` are left out of the sum:
    a row's probability is overstated by at most their odds, under 10^-4 each.

    A pair with a count in the column ``alike`` stands for that many entries of its odds
    (:func:`~synth.attacks.blocked_pairs.alike_pairs_sql`); the others, for one.
    """
    p = pl.from_arrow(pred)
    assert isinstance(p, pl.DataFrame)
    left_is_release = p["uid_l"].str.starts_with("r")
    # Splink's odds from its match weight (log2 of them): a probability rounded to 1 would give infinite odds
    odds = pl.lit(2.0) ** pl.col("match_weight")
    entries = pl.col(ALIKE).fill_null(1) if ALIKE in p.columns else pl.lit(1, pl.Int64)
    p = p.select(
        row_id=pl.when(left_is_release).then("uid_l").otherwise("uid_r").str.slice(1).cast(pl.Int64),
        uid_roll=pl.when(left_is_release).then("uid_r").otherwise("uid_l"),
        odds=odds,
        entries=entries.cast(pl.Int64),
    )
    # A row's sum runs over its distinct odds, least first, each times the entries that have it: one order of summing
    # (DuckDB returns pairs in no fixed order), the same whether entries of equal odds come one by one or counted.
    # A term of one entry names it (uid_roll); only such a term can be a guess.
    terms = p.lazy().group_by("row_id", "odds").agg(pl.col("entries").sum(), pl.col("uid_roll").first())
    total = (pl.col("odds") * pl.col("entries")).sum().over("row_id")
    terms = terms.sort("row_id", "odds").with_columns(match_probability=pl.col("odds") / (1 - coverage + total))
    best = terms.filter(pl.col("match_probability") == pl.col("match_probability").max().over("row_id"))
    best = best.filter((pl.col("entries").sum().over("row_id") == 1) & (pl.col("match_probability") >= threshold))
    # each epic a string of its own: sliced, it would be a view into the strings of every pair scored and keep them
    # all alive while the guesses are kept (0.2 GB a batch without wards; 4 districts ran out of memory)
    epic = pl.format("{}", pl.col("uid_roll").str.slice(1))
    return best.select("row_id", epic=epic, match_probability="match_probability").collect()
