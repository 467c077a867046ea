"""SDV metadata of a user's table: the metadata given (its one table, its rules), how the table matches it,
the metadata recorded with a learned world (detected when not given, direct identifiers marked ``pii``) and
the sdtype each modelled column is fitted as.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import polars as pl

from synth.world.learned.columns import MODELLED_SDTYPES, ColumnPlan, examples

TABLE = "table"  # the table's name in SDV's metadata


def metadata_columns(
    metadata: Mapping[str, Any] | None, problems: list[str]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The metadata's columns of its one table, and its rules (problems appended to ``problems``)."""
    if metadata is None:
        return None, {}
    meta = dict(metadata)
    declared = meta.pop("rules", {})
    if not isinstance(declared, dict) or any(not isinstance(v, str) for v in declared.values()):
        problems.append("metadata: 'rules' must map rule names to expressions in quotes")
        declared = {}
    tables = meta.get("tables")
    if not isinstance(tables, dict) or len(tables) != 1:
        n = len(tables) if isinstance(tables, dict) else 0
        problems.append(f"metadata: must describe exactly one table, not {n}")
        return None, declared
    (table_meta,) = tables.values()
    columns = table_meta.get("columns") if isinstance(table_meta, dict) else None
    if not isinstance(columns, dict):
        problems.append("metadata: the table has no 'columns'")
        return None, declared
    return columns, declared


def metadata_mismatch(table: pl.DataFrame, meta_columns: Mapping[str, Any]) -> list[str]:
    """Where the table does not match its metadata (SDV's own validation, then ours)."""
    from sdv.errors import InvalidDataError
    from sdv.metadata import Metadata

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            metadata = Metadata.load_from_dict({"tables": {TABLE: {"columns": dict(meta_columns)}}})
    except (ValueError, TypeError, KeyError) as exc:
        return [f"metadata: not valid SDV metadata ({str(exc).strip()})"]
    missing = [c for c in meta_columns if c not in table.columns]
    extra = [c for c in table.columns if c not in meta_columns]
    problems = []
    if missing:
        problems.append(
            f"the table does not match its metadata: column(s) {examples(missing)} are missing from the table"
        )
    if extra:
        problems.append(f"the table does not match its metadata: column(s) {examples(extra)} are not in the metadata")
    if missing or extra:
        return problems
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            metadata.validate_table(table.to_pandas(), TABLE)
    except InvalidDataError as exc:
        lines = [
            line.removeprefix("Error: ").strip()
            for line in str(exc).splitlines()
            if line.strip() and not line.startswith(("The provided data does not match", "Errors in "))
        ]
        problems.append("the table does not match its metadata: " + "; ".join(lines))
    return problems


def table_metadata(table: pl.DataFrame, meta_columns: Mapping[str, Any] | None, columns: ColumnPlan) -> dict[str, Any]:
    """The table's metadata as SDV writes it (detected when not given), identifiers marked ``pii``."""
    if meta_columns is None:
        from sdv.metadata import Metadata

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            detected = Metadata.detect_from_dataframes({TABLE: table.to_pandas()}, infer_keys=None)
        meta_columns = detected.to_dict()["tables"][TABLE]["columns"]
    out = {c: dict(m) for c, m in meta_columns.items()}
    for c in columns.identifiers:
        if out.get(c, {}).get("sdtype") in MODELLED_SDTYPES or c not in out:
            out[c] = {"sdtype": "unknown", "pii": True}
    return {"tables": {TABLE: {"columns": out}}, "relationships": [], "METADATA_SPEC_VERSION": "V2"}


def sdtypes(frame: pl.DataFrame, columns: ColumnPlan, meta_columns: Mapping[str, Any] | None) -> dict[str, str]:
    """The sdtype each modelled column is fitted as: ages and numeric extras numerical, the rest categorical."""
    out = {}
    age = columns.roles.get("age")
    for c in frame.columns:
        given = (meta_columns or {}).get(c, {}).get("sdtype")
        if c == age:
            out[c] = "numerical"
        elif c in columns.extra and given in ("numerical", "datetime", "categorical", "boolean"):
            out[c] = given
        elif c in columns.extra and frame.schema[c].is_numeric():
            out[c] = "numerical"
        elif c in columns.extra and frame.schema[c].is_temporal():
            out[c] = "datetime"
        else:
            out[c] = "categorical"
    return out
