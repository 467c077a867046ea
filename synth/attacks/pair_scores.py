"""Splink's match weights of the pairs our SQL blocks (:mod:`synth.attacks.blocked_pairs`), in one query.

Splink scores pairs registered for prediction by joining them back to both inputs on string ids (``'release-__-' ||
uid``), once they are written as a table of such ids. Here the join that blocks a pair hands its columns straight to
Splink's own SQL of the comparison levels and the match weight (the SQL its prediction runs after its join), so a
pair is read once, and only the pairs at or above the floor are written. The weights are Splink's to the last bit:
the same SQL over the same values (``tests/integration/test_probabilistic_linkage.py`` compares the links with those of
Splink's own blocking).

Measured on one batch of the whole state's export (458,318 release rows against 1,693,789 roll entries, 3,336,978
pairs; the same 509,650 pairs kept, with equal weights): 4.7 to 4.8 s registered, 3.2 s in one query. With the columns
compared for equality alone as integer codes (:func:`_coded`), 2.9 to 3.4 s against 3.3 to 3.7 s without, alternating.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
from splink import SettingsCreator
from splink.internals.comparison_vector_values import compute_comparison_vector_values_from_id_pairs_sqls
from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
from splink.internals.settings import Settings

from synth.attacks.blocked_pairs import ALIKE, RELEASE, ROLL

BLOCKED = "blocked_with_cols"  # Splink's name of the blocked pairs with both sides' columns, which its SQL reads
# columns that every join and comparison level only tests for equality (the given-name key once its term frequency is
# joined): scored as integer codes (_coded)
CODED = ("local_body", "taluk", "district", "gender", "initial", "name_key")


def splink_settings(model: Mapping[str, Any]) -> Settings:
    """Splink's settings of a trained model (its settings dictionary), read once for :func:`selected` and
    :func:`scored_pairs`."""
    return SettingsCreator.from_path_or_dict(copy.deepcopy(dict(model))).get_settings("duckdb")


def scored_pairs(
    left: pl.DataFrame,
    right: pl.DataFrame,
    model: Settings,
    tf: Mapping[str, pl.DataFrame],
    pairs: str,
    alike: str | None,
    floor: float,
) -> pa.Table:
    """``uid_l``, ``uid_r`` and ``match_weight`` of the pairs that reach the match probability ``floor``, and the
    entries each stands for (``alike``, null for a pair as it is) where ``alike`` is given.

    Parameters
    ----------
    left, right
        The release's rows and the roll's entries (:func:`~synth.attacks.linkage_inputs.linkage_inputs`), as the
        tables ``release`` and ``roll``.
    model
        The trained model the pairs are scored by (:func:`splink_settings`).
    tf
        Each term-frequency column's lookup (the column and ``tf_<column>``), of the whole input: a batch's own
        frequencies would let the batch change a guess.
    pairs
        SQL of the blocked pairs with :func:`selected` columns
        (:func:`~synth.attacks.blocked_pairs.blocked_pairs_sql`); empty where ``alike`` makes every pair.
    alike
        SQL of one rule's pairs that stand for others (:func:`~synth.attacks.blocked_pairs.alike_pairs_sql`).
    floor
        Pairs below this match probability are left out.
    """
    missing = sorted({c.unquote().name for c in model._term_frequency_columns} - set(tf))
    if missing:
        raise ValueError(f"no term-frequency lookup of {missing}: the model weighs their frequencies")
    release, roll = _coded(_with_frequencies(model, left, RELEASE, tf), _with_frequencies(model, right, ROLL, tf))
    con = duckdb.connect()
    try:
        # predictions sum nothing, and the best pairs are read in an order of their own: rows may come in any order
        con.execute("SET preserve_insertion_order = false")
        con.register(RELEASE, release.to_arrow())
        con.register(ROLL, roll.to_arrow())
        blocked = [pairs] if pairs else []
        if alike is not None:
            con.execute(f"CREATE TABLE {ALIKE} AS {alike}")
            blocked.append(
                f"SELECT a.match_key, {selected(model)} FROM {ALIKE} AS a "
                f"JOIN {RELEASE} AS l ON l.uid = a.uid_l JOIN {ROLL} AS r ON r.uid = a.uid_r"
            )
        # Splink's own steps after its join: each pair's comparison levels (the last step of its comparison vectors,
        # which reads BLOCKED), then the match weights of the pairs at or above the floor
        vectors = compute_comparison_vector_values_from_id_pairs_sqls(
            columns_to_select_for_blocking=model._columns_to_select_for_blocking,
            columns_to_select_for_comparison_vector_values=model._columns_to_select_for_comparison_vector_values,
            input_tablename_l=RELEASE,
            input_tablename_r=ROLL,
            source_dataset_input_column=model.column_info_settings.source_dataset_input_column,
            unique_id_input_column=model.column_info_settings.unique_id_input_column,
        )[-1]
        steps = [
            {"sql": "\nUNION ALL\n".join(blocked), "output_table_name": BLOCKED},
            vectors,
            *predict_from_comparison_vectors_sqls_using_settings(model, threshold_match_probability=floor),
        ]
        ctes = ", ".join(f"{step['output_table_name']} AS ({step['sql']})" for step in steps[:-1])
        con.execute(f"CREATE TABLE scored AS WITH {ctes} {steps[-1]['sql']}")
        counted, join = ("", "") if alike is None else (f", a.{ALIKE}", f" LEFT JOIN {ALIKE} AS a USING (uid_l, uid_r)")
        return con.sql(f"SELECT p.uid_l, p.uid_r, p.match_weight{counted} FROM scored AS p{join}").to_arrow_table()
    finally:
        con.close()


def selected(model: Settings) -> str:
    """The columns a blocked pair of ``l`` (release) and ``r`` (roll) is selected with, as Splink's prediction joins
    them (``"l"."name" AS "name_l"``, ...)."""
    return ", ".join(model._columns_to_select_for_blocking)


def _with_frequencies(model: Settings, frame: pl.DataFrame, name: str, tf: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """``frame`` as Splink's prediction reads the input ``name``: its source (``source_dataset``, the name it was
    registered with), its columns, and each term-frequency column joined from its lookup (nulls where a value has
    none)."""
    frame = frame.with_columns(pl.lit(name).alias(model.column_info_settings.source_dataset_column_name))
    for column in model._term_frequency_columns:
        plain = column.unquote().name
        frame = frame.join(tf[plain], on=plain, how="left")  # rows may come in any order (scored_pairs)
    return frame


def _coded(left: pl.DataFrame, right: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Release and roll with each column of :data:`CODED` they have as an integer code, one value one code on both
    sides (nulls stay null): the joins and levels only ever ask whether two such values are equal, which the codes
    answer as the strings do, and DuckDB joins integers faster (on the batch of the module's docstring, the codes
    cost 0.28 s and the query saved about 0.6 s)."""
    for column in (c for c in CODED if c in left.columns):
        codes = pl.Enum(pl.concat([left[column], right[column]]).drop_nulls().unique().sort())
        left, right = (t.with_columns(pl.col(column).cast(codes).to_physical()) for t in (left, right))
    return left, right
