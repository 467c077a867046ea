"""Probabilistic linkage on a small generated world, scored against the truth."""

from __future__ import annotations

import copy
import dataclasses
import functools
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from splink import DuckDBAPI
from splink.internals.linker_components.training import LinkerTraining

from synth import open_world
from synth.attacks import duckdb_memory, pair_scores, splink_model
from synth.attacks import probabilistic_linkage as linkage_module
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.blocked_pairs import blocked_pairs_sql, rule_columns
from synth.attacks.exact_linkage import exact_linkage
from synth.attacks.linkage_inputs import linkage_inputs, name_frequencies
from synth.attacks.live_pairs import Narrowing, least_frequencies, narrowed, narrowing, with_condition
from synth.attacks.probabilistic_linkage import (
    COMPARED,
    SCAN_FLOOR,
    ProbabilisticLinkageParams,
    probabilistic_linkage,
)
from synth.attacks.splink_model import fit_model
from synth.core.coding import present
from synth.policies.apply import minimize
from synth.policies.library import load_policy
from synth.release import make_release
from synth.release.build import AttackerView
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scoring.linkage import correct_links, precision_curve, recall_at_precision

PARAMS = ProbabilisticLinkageParams(max_pairs=1e5)
FLOOR = splink_model.PAIR_FLOOR  # pairs below it are not scored (synth.attacks.pair_scores.scored_pairs)
SMALL_BATCHES = ProbabilisticLinkageParams(max_pairs=1e5, batch_pairs=20_000)
RULES = "blocking_rules_to_generate_predictions"


@pytest.fixture(scope="module")
def setting(small_world_dir: Path):  # type: ignore[no-untyped-def]
    world = open_world(small_world_dir)
    return world, make_release(world), auxiliary_from_world(world, ["electoral_roll"])


@dataclasses.dataclass(frozen=True)
class Trained:
    """A shipped policy's linkage inputs and term frequencies, and the model fitted on them (seed 5)."""

    left: pl.DataFrame
    right: pl.DataFrame
    tf: dict[str, pl.DataFrame]
    model: dict[str, Any]


@pytest.fixture(scope="module")
def trained(setting) -> Callable[[str], Trained]:  # type: ignore[no-untyped-def]
    """A policy's :class:`Trained`, fitted once for the tests that read the same model (a fit is 1 to 2 s here);
    each call gets a copy of the model, so that no test sees what another changed in it."""
    _, release, aux = setting

    @functools.cache
    def fitted(policy: str) -> Trained:
        data = minimize(release, load_policy(policy)).view.data
        cols = present(data, COMPARED)
        left, right = linkage_inputs(data, aux.electoral_roll, cols, data["age"] if "age" in cols else None)
        tf = name_frequencies(data, aux.electoral_roll)
        return Trained(left, right, tf, fit_model(left, right, cols, PARAMS, 5, tf))

    def copied(policy: str) -> Trained:
        once = fitted(policy)
        return dataclasses.replace(once, model=copy.deepcopy(once.model))

    return copied


def test_finds_spelling_variants_and_movers_that_exact_linkage_misses(setting) -> None:  # type: ignore[no-untyped-def]
    world, release, aux = setting
    roll_truth = world.table("roll_truth").collect()
    view = release.attacker_view()
    fuzzy = probabilistic_linkage(view, aux, np.random.default_rng(3), PARAMS)
    exact = exact_linkage(view, aux, np.random.default_rng(3))
    fuzzy_correct = correct_links(fuzzy, release.truth, roll_truth)
    exact_correct = correct_links(exact, release.truth, roll_truth)
    assert fuzzy_correct / fuzzy.height > 0.98  # precision
    assert fuzzy_correct > 1.1 * exact_correct  # at least a tenth more people than exact linkage
    assert fuzzy["match_probability"].min() >= PARAMS.threshold


def test_seeded_twins(setting) -> None:  # type: ignore[no-untyped-def]
    _, release, aux = setting
    runs = [probabilistic_linkage(release.attacker_view(), aux, np.random.default_rng(9), PARAMS) for _ in range(2)]
    assert runs[0].equals(runs[1])


def _training_inputs(view: AttackerView, aux: AuxiliaryData, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """The arguments ``probabilistic_linkage`` of ``view`` gives ``fit_model`` (it stops there)."""
    inputs: list[tuple[Any, ...]] = []

    class Captured(Exception):
        pass

    def captured(*args: Any) -> Any:
        inputs.append(args)
        raise Captured

    with monkeypatch.context() as patched:
        patched.setattr(linkage_module, "fit_model", captured)
        with pytest.raises(Captured):
            probabilistic_linkage(view, aux, np.random.default_rng(3), PARAMS)
    return inputs[0]


def test_duckdb_threads_change_no_model(setting, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Training runs on all of DuckDB's threads: with one thread and with four, the same model to the last bit, before
    rounding (:func:`~synth.attacks.splink_model._rounded`)."""
    _, release, aux = setting
    inputs = _training_inputs(release.attacker_view(), aux, monkeypatch)
    monkeypatch.setattr(splink_model, "_rounded", lambda model: model)
    connect = duckdb.connect
    models = []
    for threads in (1, 4):
        monkeypatch.setattr(
            splink_model.duckdb,
            "connect",
            lambda *a, n=threads, config=None: connect(*a, config={**(config or {}), "threads": n}),
        )
        model = fit_model(*inputs)
        models.append({key: value for key, value in model.items() if key != "linker_uid"})
    assert models[0] == models[1]
    assert models[0]["probability_two_random_records_match"] > 0


def test_duckdb_memory_limit_changes_no_model(setting, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Splink's queries run under :data:`~synth.attacks.duckdb_memory.DUCKDB_MEMORY`. Under no limit to speak of,
    under a small one (128 MB, which training on this world keeps to) and under one DuckDB runs out of memory under
    (4 MB: then again without it), the same model to the last bit, before rounding. The temporary folders go with
    their databases."""
    _, release, aux = setting
    inputs = _training_inputs(release.attacker_view(), aux, monkeypatch)
    monkeypatch.setattr(splink_model, "_rounded", lambda model: model)
    connect = duckdb.connect
    opened: list[tuple[str | None, str]] = []

    def watched(*args: Any, config: dict[str, Any] | None = None) -> Any:
        if config and "temp_directory" in config:  # ours; Splink opens a connection of its own too
            opened.append((config.get("memory_limit"), config["temp_directory"]))
        return connect(*args, config=config or {})

    monkeypatch.setattr(splink_model.duckdb, "connect", watched)
    models = []
    for limit in ("64GB", "128MB", "4MB"):
        monkeypatch.setattr(duckdb_memory, "DUCKDB_MEMORY", limit)
        model = fit_model(*inputs)
        models.append({key: value for key, value in model.items() if key != "linker_uid"})
    assert models[0] == models[1] == models[2]
    assert [limit for limit, _ in opened] == ["64GB", "128MB", "4MB", None]  # 4 MB ran out, and ran again
    assert all(Path(spill).name.startswith("synth-splink-") and not Path(spill).exists() for _, spill in opened)


@pytest.mark.slow
def test_u_counted_in_parts_changes_no_model(setting, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """u is counted over the sample's pairs in one part (:data:`~synth.attacks.splink_model.U_CHUNKS`): in Splink's
    default of ten parts, the same model to the last bit, before rounding, with banded ages and with whole years."""
    _, release, aux = setting
    inputs = [
        _training_inputs(minimize(release, load_policy(policy)).view, aux, monkeypatch)
        for policy in ("as_exported", "age_bands_5")
    ]
    monkeypatch.setattr(splink_model, "_rounded", lambda model: model)
    asked: list[int] = []
    estimate_u = LinkerTraining.estimate_u_using_random_sampling

    def spied(self: LinkerTraining, *args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs["num_chunks"])
        return estimate_u(self, *args, **kwargs)

    monkeypatch.setattr(LinkerTraining, "estimate_u_using_random_sampling", spied)
    ours = splink_model.U_CHUNKS
    for args in inputs:
        models = []
        for chunks in (ours, 10):
            monkeypatch.setattr(splink_model, "U_CHUNKS", chunks)
            model = fit_model(*args)
            models.append({key: value for key, value in model.items() if key != "linker_uid"})
        assert models[0] == models[1]
        u = [level.get("u_probability") for c in models[0]["comparisons"] for level in c["comparison_levels"]]
        assert sum(p is not None for p in u) >= 8
    assert asked == [1, 10, 1, 10]


@pytest.mark.slow
@pytest.mark.parametrize(("policy", "compared", "blocked"), [("as_exported", 4, 12), ("age_bands_5", 6, 22)])
def test_batches_change_no_guess(  # type: ignore[no-untyped-def]
    setting, policy: str, compared: int, blocked: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches cut by the pairs compared (:func:`~synth.attacks.live_pairs.live_shares`), or by every pair blocked
    (as before the shares), give the guesses of one batch."""
    _, release, aux = setting
    view = minimize(release, load_policy(policy)).view
    batches: list[int] = []
    predict = linkage_module.predict_links

    def counted(*args: Any, **kwargs: Any) -> pl.DataFrame:
        batches.append(args[1].height)
        return predict(*args, **kwargs)

    models: list[tuple[pl.DataFrame, Any]] = []

    def trained_once(left: pl.DataFrame, *args: Any) -> Any:
        """The three runs train on the same rows with the same seed: the first run's model serves the others."""
        if not models:
            models.append((left, fit_model(left, *args)))
        assert left.equals(models[0][0])
        return models[0][1]

    monkeypatch.setattr(linkage_module, "predict_links", counted)
    monkeypatch.setattr(linkage_module, "fit_model", trained_once)
    whole = probabilistic_linkage(view, aux, np.random.default_rng(3), PARAMS)
    by_compared = probabilistic_linkage(view, aux, np.random.default_rng(3), SMALL_BATCHES)
    monkeypatch.setattr(linkage_module, "live_shares", lambda model, *_: [1.0] * len(model[RULES]))
    by_blocked = probabilistic_linkage(
        view, aux, np.random.default_rng(3), dataclasses.replace(SMALL_BATCHES, batch_pairs=100_000)
    )
    assert len(batches) == 1 + compared + blocked  # one batch, then those of each cut
    assert whole.height > 0 and by_compared.equals(whole) and by_blocked.equals(whole)


def test_banded_ages_without_names_of_places(setting) -> None:  # type: ignore[no-untyped-def]
    world, release, aux = setting
    banded = minimize(release, load_policy("age_bands_5"))
    guesses = probabilistic_linkage(banded.view, aux, np.random.default_rng(3), PARAMS)
    correct = correct_links(guesses, banded.truth, world.table("roll_truth").collect())
    assert guesses.height > 0 and correct / guesses.height > 0.95


def test_district_by_district_with_a_model_trained_on_one(setting) -> None:  # type: ignore[no-untyped-def]
    """A twin district (the same people, other ids) is linked apart, by the same model, to the same people."""
    _, release, aux = setting
    data = release.attacker_view().data.with_columns(pl.col("district").cast(pl.String))
    roll = aux.electoral_roll.with_columns(pl.col("district").cast(pl.String))
    offset = 10 * data.height
    twin = data.with_columns(row_id=pl.col("row_id") + offset, district=pl.lit("Twin"))
    twin_roll = roll.with_columns(epic=pl.format("T{}", "epic"), district=pl.lit("Twin"))
    view = AttackerView(pl.concat([data, twin]))
    both = AuxiliaryData(electoral_roll=pl.concat([roll, twin_roll]))
    params = ProbabilisticLinkageParams(max_pairs=1e5, train_rows=1)  # one district trains the model
    guesses = probabilistic_linkage(view, both, np.random.default_rng(3), params)
    first = guesses.filter(pl.col("row_id") < offset)
    second = guesses.filter(pl.col("row_id") >= offset)
    assert first.height > 0.5 * data.height
    assert second["epic"].str.starts_with("T").all() and not first["epic"].str.starts_with("T").any()
    back = second.with_columns(row_id=pl.col("row_id") - offset, epic=pl.col("epic").str.slice(1))
    assert back.select("row_id", "epic").equals(first.select("row_id", "epic"))
    assert np.allclose(back["match_probability"].to_numpy(), first["match_probability"].to_numpy())


@pytest.mark.parametrize("policy", ["as_exported", "local_body_not_ward", "age_bands_5"])
def test_every_comparison_is_trained_gender_included(trained: Callable[[str], Trained], policy: str) -> None:
    """Each comparison's m and u are estimated for every policy (levels a random sample never shows aside):
    gender was never trained before, and without wards the name's and age's m came out upside down."""
    model = trained(policy).model
    levels = {
        (c["output_column_name"], level["sql_condition"]): (level.get("m_probability"), level.get("u_probability"))
        for c in model["comparisons"]
        for level in c["comparison_levels"]
        # a pair in different local bodies is never in a training block: the place's ELSE cannot be learnt
        if not level.get("is_null_level")
        and not (c["output_column_name"] == "place" and level["sql_condition"] == "ELSE")
    }
    assert {c for c, _ in levels} == {"name", "age", "gender", "place"}
    assert all(m is not None and u is not None for m, u in levels.values()), [k for k, v in levels.items() if None in v]
    m = {key: mu[0] for key, mu in levels.items()}
    # The agreements that make a match are learnt as more likely among matches than disagreement
    assert m[("gender", '"gender_l" = "gender_r"')] > 0.9
    # names agree (the same name, or across formats: the given name's key and initials that fit) among matches
    agree = m[("name", '"name_l" = "name_r"')] + next(
        v for (c, sql), v in m.items() if c == "name" and sql.startswith('("name_key_l" = "name_key_r") AND')
    )
    assert agree > 0.7
    same_age = next(v for (c, sql), v in m.items() if c == "age" and sql == '"age_l" = "age_r"')
    assert same_age > 0.5


def test_a_release_without_wards_links_at_least_as_many_as_exact_linkage(setting) -> None:  # type: ignore[no-untyped-def]
    """``local_body_not_ward`` made no guess at all before training blocks worked without wards.

    Compared at exact linkage's own precision: at the scenario's threshold (0.9) the model is surer than exact
    linkage is right (on this three-body world, seed 5, 96% of its links are right against 88% of exact
    linkage's), and leaves out rows whose namesake a year apart still competes."""
    world, release, aux = setting
    view = minimize(release, load_policy("local_body_not_ward")).view
    roll_truth = world.table("roll_truth").collect()
    scanned = probabilistic_linkage(view, aux, np.random.default_rng(3), PARAMS, SCAN_FLOOR)
    fuzzy = scanned.filter(pl.col("match_probability") >= PARAMS.threshold)
    exact = exact_linkage(view, aux, np.random.default_rng(3))
    exact_correct = correct_links(exact, release.truth, roll_truth)
    curve = precision_curve(scanned, release.truth, roll_truth)
    at_exacts, _ = recall_at_precision(curve, exact_correct / exact.height, view.data.height)
    assert at_exacts.successes >= exact_correct - 0.01 * view.data.height
    assert correct_links(fuzzy, release.truth, roll_truth) / fuzzy.height > 0.9


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["as_exported", "without_ages"])
def test_comparing_only_the_pairs_that_can_be_kept_changes_no_link(  # type: ignore[no-untyped-def]
    setting, shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules narrowed to live pairs (synth.attacks.live_pairs) give the same links, with the same probabilities,
    as every pair the blocking rules make; the rules are narrowed, so the test compares two different scans
    (without ages, one ward's voters of one sex make a block). So do the rules in every order."""
    _, release, aux = setting
    data = release.attacker_view().data
    if shape == "without_ages":
        data = data.drop("age")
    cols = present(data, COMPARED)
    left, right = linkage_inputs(data, aux.electoral_roll, cols, data["age"] if "age" in cols else None)
    tf = name_frequencies(data, aux.electoral_roll)
    model = fit_model(left, right, cols, PARAMS, 5, tf)
    narrow = narrowed(model, splink_model.PAIR_FLOOR, least_frequencies(tf))
    assert narrow != model

    def pairs(settings: Any) -> pl.DataFrame:
        """Every pair Splink keeps at the floor, with its match weight."""
        with splink_model._linker(left, right, settings, tf, None) as (linker, _):
            kept = linker.inference.predict(splink_model.PAIR_FLOOR, warning_mode="never").as_pyarrow_table()
        frame = pl.from_arrow(kept)
        assert isinstance(frame, pl.DataFrame)
        return frame.select("uid_l", "uid_r", "match_weight").sort("uid_l", "uid_r")

    kept = pairs(narrow)
    assert kept.height > data.height
    assert_frame_equal(kept, pairs(model))
    live = splink_model.predict_links(model, left, right, SCAN_FLOOR, tf, PARAMS.roll_coverage)
    # the rules in any order (splink_model.most_blocked_first) keep the same pairs with the same weights
    rules = narrow[RULES]
    for order in itertools.permutations(range(len(rules))):
        reordered = {**narrow, RULES: [rules[i] for i in order]}
        assert_frame_equal(pairs(reordered), kept)
        scan = {**model, RULES: [model[RULES][i] for i in order]}
        assert_frame_equal(splink_model.predict_links(scan, left, right, SCAN_FLOOR, tf, PARAMS.roll_coverage), live)
    monkeypatch.setattr(splink_model, "narrowing", lambda model, floor, least: Narrowing({}))
    assert_frame_equal(live, splink_model.predict_links(model, left, right, SCAN_FLOOR, tf, PARAMS.roll_coverage))


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["as_exported", "age_bands_5", "local_body_not_ward", "with_gaps"])
def test_our_blocked_pairs_are_those_splink_blocks(  # type: ignore[no-untyped-def]
    setting, trained: Callable[[str], Trained], shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pairs our SQL blocks (synth.attacks.blocked_pairs: joined on gender and age where every pair that can be
    kept agrees on them) are those Splink blocks by the narrowed rules, with the same match keys, and give the same
    links; "with_gaps": the export with some rows lacking gender or age."""
    if shape == "with_gaps":
        _, release, aux = setting
        data = minimize(release, load_policy("as_exported")).view.data
        gaps = np.random.default_rng(0).random((2, data.height)) < 0.05
        data = data.with_columns(
            pl.when(pl.Series(gaps[0])).then(None).otherwise(pl.col("gender")).alias("gender"),
            pl.when(pl.Series(gaps[1])).then(None).otherwise(pl.col("age")).alias("age"),
        )
        cols = present(data, COMPARED)
        left, right = linkage_inputs(data, aux.electoral_roll, cols, data["age"])
        tf = name_frequencies(data, aux.electoral_roll)
        model = fit_model(left, right, cols, PARAMS, 5, tf)
    else:
        fitted = trained(shape)
        left, right, tf, model = fitted.left, fitted.right, fitted.tf, fitted.model
    live = narrowing(model, splink_model.PAIR_FLOOR, least_frequencies(tf))
    within = splink_model.pair_bounds(live, left["age"].dtype != pl.String)
    assert set(within) == {"gender", "age"}  # joined on both where a rule does not block on them
    rules = [rule_columns(rule["blocking_rule"]) or [] for rule in model[RULES]]
    ours = blocked_pairs_sql(rules, live.terms, within, (shape == "with_gaps", False))
    with splink_model._linker(left, right, with_condition(model, live.condition), tf, None) as (linker, con):
        blocked = linker.inference.compute_blocked_pairs_for_predict().physical_name
        keys = ["match_key", "join_key_l", "join_key_r"]
        # compared as frames sorted by every column (a million pairs without wards: 6 s as sorted Python tuples)
        theirs, mine = (
            cast(pl.DataFrame, pl.from_arrow(con.sql(sql).to_arrow_table())).sort(keys)
            for sql in (f"SELECT {', '.join(keys)} FROM {blocked}", f"SELECT {', '.join(keys)} FROM ({ours})")
        )
    assert_frame_equal(mine, theirs)
    assert mine.height > left.height
    guesses = splink_model.predict_links(model, left, right, SCAN_FLOOR, tf, PARAMS.roll_coverage)
    monkeypatch.setattr(splink_model, "rule_columns", lambda rule: None)  # Splink blocks
    assert_frame_equal(splink_model.predict_links(model, left, right, SCAN_FLOOR, tf, PARAMS.roll_coverage), guesses)


@pytest.mark.parametrize(("shape", "alike"), [("local_body_not_ward", True), ("as_exported", False)])
def test_pairs_that_score_alike_scored_once_change_no_link(  # type: ignore[no-untyped-def]
    trained: Callable[[str], Trained], shape: str, alike: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where names that share nothing can still be kept (without wards), the voters of one place, sex and age whose
    names take one level that weighs no term frequency each score one weight, and one pair a row and level, counted,
    stands for them (synth.attacks.blocked_pairs.alike_pairs_sql). The links are those of every pair scored (Splink's
    own blocking), to the last bit; Splink scored fewer pairs, and the counts make up the pairs it did not score. The
    export's name comparison keeps only names that agree (its last levels cannot reach the floor there): nothing is
    counted."""
    fitted = trained(shape)
    scored: list[tuple[int, int, int]] = []  # pairs kept, those that stand for others, the entries they stand for
    best = splink_model._best_pairs

    def counting(pred: Any, coverage: float, threshold: float) -> pl.DataFrame:
        frame = cast(pl.DataFrame, pl.from_arrow(pred))
        alike = frame["alike"] if "alike" in frame.columns else pl.Series("alike", [], pl.Int64)
        scored.append((frame.height, alike.drop_nulls().len(), int(alike.sum() or 0)))
        return best(pred, coverage, threshold)

    monkeypatch.setattr(splink_model, "_best_pairs", counting)
    args = (fitted.model, fitted.left, fitted.right, SCAN_FLOOR, fitted.tf, PARAMS.roll_coverage)
    counted = splink_model.predict_links(*args)
    monkeypatch.setattr(splink_model, "rule_columns", lambda rule: None)  # Splink blocks: every pair scored
    every = splink_model.predict_links(*args)
    assert_frame_equal(counted, every)
    assert counted.height > 0.2 * fitted.left.height
    (kept, standing, stood_for), (all_kept, none, _) = scored
    assert none == 0 and kept - standing + stood_for == all_kept
    if alike:
        assert stood_for > standing > 0 and kept < 0.6 * all_kept
    else:
        assert standing == 0 and kept == all_kept


def _registered(left: pl.DataFrame, right: pl.DataFrame, model: Any, tf: dict[str, pl.DataFrame], sql: str) -> Any:
    """Splink's own prediction of the pairs ``sql`` makes (in its form to register: match key and join keys),
    registered for prediction: uid_l, uid_r and match_weight of those at the floor, sorted."""
    with splink_model._linker(left, right, model, tf, None) as (linker, con):
        con.execute(f"CREATE TABLE blocked_pairs AS {sql}")
        registered = linker.table_management.register_blocked_pairs_for_predict(
            DuckDBAPI(con).register("blocked_pairs", table_name="blocked_pairs")
        )
        registered.metadata.pop("registered_for_predict", None)
        kept = linker.inference.predict(splink_model.PAIR_FLOOR, warning_mode="never").physical_name
        frame = con.sql(f"SELECT uid_l, uid_r, match_weight FROM {kept}").pl()
    return frame.sort("uid_l", "uid_r")


@pytest.mark.parametrize("shape", ["as_exported", "age_bands_5", "local_body_not_ward"])
def test_pairs_scored_in_one_query_score_as_splink_scores_them_registered(
    trained: Callable[[str], Trained], shape: str
) -> None:
    """The pairs our SQL blocks, scored by Splink's SQL in the query that blocks them (synth.attacks.pair_scores), keep
    the pairs and match weights, to the last bit, that Splink's prediction of the same pairs registered keeps."""
    fitted = trained(shape)
    left, right, tf = fitted.left, fitted.right, fitted.tf
    live = narrowing(fitted.model, splink_model.PAIR_FLOOR, least_frequencies(tf))
    settings = with_condition(fitted.model, live.condition)
    rules = [rule_columns(rule["blocking_rule"]) or [] for rule in fitted.model[RULES]]
    within = splink_model.pair_bounds(live, left["age"].dtype != pl.String)

    def sql(selecting: str | None) -> str:
        lacking = (splink_model._lacks(left, within), splink_model._lacks(right, within))
        return blocked_pairs_sql(rules, live.terms, within, lacking, None, selecting)

    model = pair_scores.splink_settings(settings)
    scored = pair_scores.scored_pairs(left, right, model, tf, sql(pair_scores.selected(model)), None, FLOOR)
    ours = pl.from_arrow(scored)
    theirs = _registered(left, right, copy.deepcopy(settings), tf, sql(None))
    assert_frame_equal(cast(pl.DataFrame, ours).sort("uid_l", "uid_r"), theirs)
    assert theirs.height > left.height


def test_scored_pairs_need_the_lookup_of_every_frequency_weighed(trained: Callable[[str], Trained]) -> None:
    """A batch's own term frequencies would let the batch change a guess: without the whole input's lookup of a
    column the model weighs, nothing is scored."""
    fitted = trained("as_exported")
    model = pair_scores.splink_settings(fitted.model)
    message = r"^no term-frequency lookup of \['name_key'\]: the model weighs their frequencies$"
    only_names = {"name": fitted.tf["name"]}
    with pytest.raises(ValueError, match=message):
        pair_scores.scored_pairs(fitted.left, fitted.right, model, only_names, "", None, FLOOR)
