"""The table's direct identifiers in a learned world: its phone numbers and full names found there (both must
be none), and the share of names drawn again because they were the table's."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synth.core.name_parts import normal_name
from synth.world.learned.population import LearnedPopulation
from synth.world.shard_context import TABLES

NAME_COLUMNS = {  # where full names are published
    "people": "name",
    "employees": "name",
    "pensioners": "name",
    "entrepreneurs": "name",
    "womens_scheme": "name",
    "electoral_roll": "name",
    "caller_id": "label",
}


def identifier_overlap(
    out: Path, files: Mapping[str, str], learner: LearnedPopulation, redrawn: Mapping[str, Mapping[str, int]]
) -> dict[str, Any]:
    """Phone numbers and full names of the table found in the world (both must be none), and the share of
    names drawn again because they were the table's (``redrawn``: entries and redrawn per table)."""
    phones = []
    names_found = 0
    banned = learner.names_.implode()
    for rel in files:
        table_name = rel.split("/", 1)[0]
        if table_name not in TABLES or not rel.endswith(".parquet"):
            continue
        path = out / rel
        columns = pl.read_parquet_schema(path)
        for col in ["phone", "contact_phone"]:
            if col in columns:
                phones.append(pl.read_parquet(path, columns=[col])[col])
        if table_name in NAME_COLUMNS and len(learner.names_):
            found = pl.scan_parquet(path).select(normal_name(pl.col(NAME_COLUMNS[table_name])).is_in(banned).sum())
            names_found += int(found.collect().item())
    numbers = (
        np.unique(np.concatenate([p.drop_nulls().str.slice(3).cast(pl.Int64).to_numpy() for p in phones]))
        if phones
        else np.zeros(0, dtype=np.int64)
    )
    return {
        "input_phones": len(learner.phones_),
        "input_phones_in_output": int(np.isin(learner.phones_, numbers).sum()),
        "input_name_columns": list(learner.name_columns_),
        "input_names": len(learner.names_),
        "input_names_in_output": names_found,
        "names_redrawn": {
            table: {**counts, "share": counts["redrawn"] / max(1, counts["entries"])}
            for table, counts in sorted(redrawn.items())
        },
    }
