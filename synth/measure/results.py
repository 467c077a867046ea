"""The schema of a run's results: one tidy row per (scenario, seed, policy, attack, group, measure), and the
pooled table of one row per (policy, attack, group, measure) over the seeds. Written by the scenario runner,
read by the report and the gate."""

from __future__ import annotations

import polars as pl

KEYS = ("policy", "attack", "group", "measure")
FIGURE = {"value": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64}
RESULT_SCHEMA: dict[str, type[pl.DataType]] = {
    "scenario": pl.String,
    "seed": pl.Int64,
    **dict.fromkeys(KEYS, pl.String),
    **FIGURE,
}
POOLED_SCHEMA: dict[str, type[pl.DataType]] = {**dict.fromkeys(KEYS, pl.String), **FIGURE, "seeds": pl.UInt32}
