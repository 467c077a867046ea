"""Blocking rules narrowed to the pairs a trained Fellegi-Sunter model can score at or above a floor.

Splink compares every pair its blocking rules make, then keeps those whose match probability reaches the
floor (:data:`~synth.attacks.splink_model.PAIR_FLOOR`). A pair's match weight is the prior's log-odds plus one
weight per comparison: that of the level the pair falls in. So where a level's weight, with the prior and the
largest weight of every other comparison, stays below the floor's log-odds, no pair in that level can be kept,
whatever it agrees on elsewhere. Each rule is narrowed to the pairs that meet, in every comparison with such
levels, the condition of a level that can keep them; the pairs kept are the same ones with the same weights, and
the pairs compared are fewer: the namesakes of one local body decades apart in age, the voters of one ward and
sex whose names neither agree nor fit.

Measured on Wayanad's scans (the model trained beforehand; the same links): the export 6.3 s before, 3.7 s after;
without ages 35.7 s and 16.7 s; 5-year bands 11.1 s and 7.4 s; without wards 24.9 s and 20.9 s; given names alone
7.2 s and 5.2 s.

The weights are Splink's own (with its defaults for a level whose m or u was never learnt, such as the place's
ELSE, which training blocks never show), and a level weighed by term frequencies is bounded by Splink's adjustment
at the least frequency of its lookup. Every bound errs towards keeping pairs: a level counts as dead only a bit
(:data:`MARGIN`) below the floor, and a comparison whose ELSE is live is not narrowed on (:func:`_live`).
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import polars as pl
from splink import SettingsCreator

from synth.attacks.blocked_pairs import condition_sql

SHARE_SAMPLE = 2_000  # release rows of a district the shares of live pairs are counted on
LEAST_SHARE = 0.01  # a rule's pairs count for at least this share of themselves in a batch
MARGIN = 1.0  # bits below the floor's log-odds a level's best weight must stay to count as dead
# a column of one side in a comparison level's SQL ("name_l") and in a blocking rule's (l."name")
SIDE_COLUMN = re.compile(r'"(\w+)_([lr])"')
UNQUOTED_SIDE = re.compile(r'(?<![\w"])\w+_[lr]\b(?!")')


def level_weights(model: dict[str, Any], tf_least: Mapping[str, float | None] | None = None) -> list[list[float]]:
    """The largest match weight (log2 of the Bayes factor) a pair can get in each level of each comparison, as
    Splink computes it from ``model`` (defaults where a level's m or u was never learnt).

    A level weighed by term frequencies gets Splink's adjustment at the least frequency a pair can look up:
    ``tf_least`` maps each column to the least of its lookup (``None``: an empty lookup, no adjustment); a column
    it lacks leaves the level unbounded (``inf``)."""
    return [
        [_level_weight(level, levels, tf_least or {}) for level in levels]
        for levels in _comparison_levels(json.dumps(model, sort_keys=True))
    ]


@functools.lru_cache(maxsize=16)
def _comparison_levels(model: str) -> tuple[list[Any], ...]:
    """Splink's comparison levels of a model (its settings dictionary as JSON), parsed once: a model scores every
    batch of a district, and parsing its settings took 30 ms of a batch's 0.34 s on a small world. Only read."""
    settings = SettingsCreator.from_path_or_dict(json.loads(model)).get_settings("duckdb")
    return tuple(comparison.comparison_levels for comparison in settings.comparisons)


def _level_weight(level: Any, levels: list[Any], tf_least: Mapping[str, float | None]) -> float:
    if level.is_null_level:
        return 0.0
    if level._match_weight is None:
        return math.inf
    weight = float(level._match_weight)
    if not level._has_tf_adjustments or level._tf_adjustment_weight == 0:
        return weight
    column = level._tf_adjustment_input_column.unquote().name
    if column not in tf_least or level._tf_adjustment_weight < 0:
        return math.inf
    least = tf_least[column]
    if least is None:  # no name has a frequency: Splink adds nothing
        return weight
    # Splink adds weight * (log2(u of the exact level) - log2(max(tf_l, tf_r, its least u))) where a pair has one
    floor = max(least, level._tf_minimum_u_value)
    if floor <= 0:
        return math.inf
    u_exact = level._u_probability_corresponding_to_exact_match(levels)
    return weight + max(0.0, level._tf_adjustment_weight * (math.log2(u_exact) - math.log2(floor)))


def least_frequencies(tf: Mapping[str, pl.DataFrame]) -> dict[str, float | None]:
    """The least term frequency of each lookup (``tf_<column>`` of the table of ``column``; ``None`` where empty)."""
    least: dict[str, float | None] = {}
    for column, table in tf.items():
        value = table[f"tf_{column}"].min()
        least[column] = None if value is None else float(value)  # type: ignore[arg-type]
    return least


@dataclass(frozen=True)
class Narrowing:
    """What every pair that can reach a floor meets, under a trained model (:func:`narrowing`).

    Attributes
    ----------
    live
        The comparisons narrowed on, by output column name, and which of their levels are live.
    terms
        For each comparison narrowed on, the conditions of its live levels, SQL of the blocking rules' form
        (``l."age"``, ``r."age"``): :data:`~synth.attacks.blocked_pairs.Condition`; empty where no level is dead.
    """

    live: Mapping[str, tuple[bool, ...]]
    terms: tuple[tuple[str, ...], ...] = ()

    @property
    def condition(self) -> str | None:
        """The SQL each such pair meets: a live level of every comparison narrowed on; ``None`` where none is."""
        return condition_sql(self.terms)


def narrowing(model: dict[str, Any], floor: float, tf_least: Mapping[str, float | None] | None = None) -> Narrowing:
    """The condition every pair of ``model`` (Splink's settings dictionary, trained) that can reach the match
    probability ``floor`` meets. ``tf_least``: the least term frequency of each column's lookup
    (:func:`level_weights`)."""
    prior = model["probability_two_random_records_match"]
    if not 0 < prior < 1:
        return Narrowing({})
    # the least weight a pair's comparisons must add to the prior's log-odds to be kept
    need = math.log2(floor / (1 - floor)) - MARGIN - math.log2(prior / (1 - prior))
    comparisons = model["comparisons"]
    weights = level_weights(model, tf_least)
    conditions = []
    narrowed_on: dict[str, tuple[bool, ...]] = {}
    for i, comparison in enumerate(comparisons):
        others = sum(max(w) for j, w in enumerate(weights) if j != i)  # the best the other comparisons can add
        levels = comparison["comparison_levels"]
        live = [w + others >= need for w in weights[i]]
        if all(live):
            continue
        condition = _live(levels, live)
        if condition is not None:
            conditions.append(condition)
            narrowed_on[comparison["output_column_name"]] = tuple(live)
    if not conditions:
        return Narrowing({})
    return Narrowing(narrowed_on, tuple(conditions))


def narrowed(model: dict[str, Any], floor: float, tf_least: Mapping[str, float | None] | None = None) -> dict[str, Any]:
    """``model`` (Splink's settings dictionary, trained) with every prediction blocking rule narrowed to the pairs
    that can reach the match probability ``floor`` (:func:`narrowing`); a copy, or ``model`` itself where no level
    is dead. ``tf_least``: the least term frequency of each column's lookup (:func:`level_weights`)."""
    return with_condition(model, narrowing(model, floor, tf_least).condition)


def with_condition(model: dict[str, Any], condition: str | None) -> dict[str, Any]:
    """``model`` with ``condition`` (:attr:`Narrowing.condition`) added to each of its prediction blocking rules; a
    copy, or ``model`` itself where ``condition`` is ``None``."""
    if condition is None:
        return model
    out = copy.deepcopy(model)
    for rule in out["blocking_rules_to_generate_predictions"]:
        rule["blocking_rule"] = f"({rule['blocking_rule']}) AND {condition}"
    return out


def _live(levels: list[dict[str, Any]], live: list[bool]) -> tuple[str, ...] | None:
    """The conditions of the live levels, as blocking rules' SQL: the pairs that meet one (a pair meets its own
    level's; it may meet a later one's too, and is kept: never too few). ``None`` where ELSE is live, or a level names
    a side's column otherwise than quoted: then the comparison is not narrowed on.

    ELSE's condition is every pair no other level takes: the rule would read each condition twice. Measured on
    Wayanad's given names (ELSE live: never learnt, since given names fit any initials), that scan took 7.2 s
    without narrowing and 8.5 s with it; without ages, 28.2 s and 23.7 s."""
    if any(is_live and _is_else(lv["sql_condition"]) for lv, is_live in zip(levels, live, strict=True)):
        return None
    sides = [_in_rule(lv["sql_condition"]) for lv, is_live in zip(levels, live, strict=True) if is_live]
    if any(s is None for s in sides):
        return None
    return tuple(s for s in sides if s is not None)


def level_case(comparison: dict[str, Any]) -> str | None:
    """The level a pair takes in ``comparison`` (one of a trained model's), as SQL of the blocking rules' form: the
    position of the first level whose condition it meets, in Splink's order, the last level (ELSE) otherwise; ``None``
    where the last level is not ELSE or a level names a side's column otherwise than quoted."""
    *levels, last = comparison["comparison_levels"]
    sides = [_in_rule(level["sql_condition"]) for level in levels]
    if not _is_else(last["sql_condition"]) or any(s is None for s in sides):
        return None
    return f"CASE {' '.join(f'WHEN {s} THEN {i}' for i, s in enumerate(sides))} ELSE {len(levels)} END"


def _in_rule(condition: str) -> str | None:
    """A comparison level's SQL (``"name_l" = "name_r"``) as a blocking rule's (``l."name" = r."name"``); ``None``
    where it names a side's column otherwise than quoted."""
    sql = SIDE_COLUMN.sub(r'\2."\1"', condition)
    return None if UNQUOTED_SIDE.search(sql) else sql


def _is_else(condition: str) -> bool:
    return condition.strip().upper() == "ELSE"


def live_shares(
    model: dict[str, Any],
    left: pl.DataFrame,
    right: pl.DataFrame,
    place: list[str],
    live: dict[str, Any],
    seed: int,
    counted: tuple[int, str, Sequence[int]] | None = None,
) -> list[float]:
    """For each prediction blocking rule of ``model``, the share of its pairs that its narrowed form in ``live``
    (:func:`narrowed`) keeps: those compared. Counted on :data:`SHARE_SAMPLE` release rows drawn with ``seed``
    (all of ``left`` where it has fewer) against the roll entries of their ``place``; at least :data:`LEAST_SHARE`.
    ``counted``: the position of a rule whose kept pairs at some levels predictions count, one a row and level
    (:func:`~synth.attacks.blocked_pairs.alike_pairs_sql`), the SQL of a pair's level (:func:`level_case`) and those
    levels; that rule's pairs compared are its kept pairs at the other levels and one a row and counted level.

    Batches (:func:`~synth.attacks.linkage_inputs.pair_batches`) are sized by the pairs compared, not the pairs
    blocked: without ages, a ward's voters of one sex are a block, and 0.6% of its pairs have names the model can
    keep. A batch changes no guess, so the shares change none either; they only spare the cost of each batch."""
    raw = [rule["blocking_rule"] for rule in model["blocking_rules_to_generate_predictions"]]
    kept = [rule["blocking_rule"] for rule in live["blocking_rules_to_generate_predictions"]]
    if (kept == raw and counted is None) or left.height == 0:
        return [1.0] * len(raw)
    if left.height > SHARE_SAMPLE:
        rows = np.sort(np.random.default_rng(seed).choice(left.height, SHARE_SAMPLE, replace=False))
        left = left[rows]
    if place:
        right = right.join(left.select(place).unique(), on=place, how="semi")
    con = duckdb.connect()
    try:
        con.register("l", left.to_arrow())
        con.register("r", right.to_arrow())
        shares = []
        for i, (blocked, compared) in enumerate(zip(raw, kept, strict=True)):
            scored = f"count(*) FILTER (WHERE {compared})"
            if counted is not None and counted[0] == i:
                _, level, levels = counted
                alike = f"{level} IN ({', '.join(str(v) for v in levels)})"
                scored = (
                    f"count(*) FILTER (WHERE ({compared}) AND NOT ({alike})) "
                    f"+ count(DISTINCT l.uid || '|' || ({level})) FILTER (WHERE ({compared}) AND {alike})"
                )
            counts = con.execute(f"SELECT count(*), {scored} FROM l JOIN r ON {blocked}")
            pairs, live_pairs = counts.fetchone() or (0, 0)
            shares.append(max(LEAST_SHARE, live_pairs / pairs) if pairs else 1.0)
        return shares
    finally:
        con.close()
