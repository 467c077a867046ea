"""Quality and privacy of a learned population against the table it was learned from.

Quality is SDMetrics' ``QualityReport`` (column shapes and column pair trends) on seeded samples of
both. Privacy has three parts, each next to what chance gives:

- exact matches: the share of learned rows equal to some row of the table on every modelled column
  (all learned rows, exactly), against the share of the table's rows equal to another of its rows
  (what a fresh person of the same population would match by chance); SDMetrics' ``NewRowSynthesis``
  on a seeded sample of learned rows says the same in its own terms;
- distance to the closest record (SDMetrics' ``calculate_dcr``: per column, 0/1 for categories and the
  difference over the range for numbers, averaged) from learned rows to a sample of the table, from
  other rows of the table to that sample (chance), and from uniformly random rows (SDMetrics' baseline;
  ``dcr_baseline_protection`` is SDMetrics' ``DCRBaselineProtection`` score, min(1, learned / random));
- no phone number of the table is held by anybody of the learned world, and no full name of the table
  is anybody's name there (checked by the build).

Every sample is drawn with a generator seeded from the world's seed, so the figures are reproducible.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

SALT_FIDELITY = 0x464944


@dataclass(frozen=True)
class FidelitySizes:
    """How many rows each figure looks at (larger is slower and more precise).

    Parameters
    ----------
    quality
        Rows of each side given to SDMetrics' quality report.
    new_rows
        Learned rows given to SDMetrics' ``NewRowSynthesis`` (about 30 ms a row against 100 thousand).
    dcr_reference
        Rows of the table distances are measured to.
    dcr_queries
        Learned, other real and random rows whose closest distance is measured.
    """

    quality: int = 20_000
    new_rows: int = 200
    dcr_reference: int = 2_000
    dcr_queries: int = 500

    @property
    def min_table_rows(self) -> int:
        """Fewest rows a table needs for these figures: the ``dcr_reference`` rows distances are measured to and
        one more, held out from them (SDMetrics' ``calculate_dcr`` fails on an empty set of real rows)."""
        return self.dcr_reference + 1


def _sample(frame: pl.DataFrame, n: int, rng: np.random.Generator) -> pl.DataFrame:
    if frame.height <= n:
        return frame
    return frame[np.sort(rng.choice(frame.height, n, replace=False))]


def _pandas(frame: pl.DataFrame) -> Any:
    return frame.to_pandas()


def exact_match_shares(real: pl.DataFrame, synthetic: pl.DataFrame) -> tuple[float, float]:
    """Share of synthetic rows equal to a real row, and share of real rows equal to another real row."""
    columns = real.columns
    matched = synthetic.select(columns).join(real.unique(), on=columns, how="semi", nulls_equal=True).height
    chance = float(real.select(pl.struct(columns).is_duplicated().mean()).item())
    return matched / max(1, synthetic.height), chance


def random_rows(real: pl.DataFrame, sdtypes: Mapping[str, str], n: int, rng: np.random.Generator) -> pl.DataFrame:
    """Rows drawn uniformly column by column: a number within the table's range, a value among its values
    (SDMetrics' random baseline, with a seeded generator)."""
    out = {}
    for c in real.columns:
        values = real[c].drop_nulls()
        low, high = values.min(), values.max()
        if sdtypes[c] == "numerical" and real.schema[c].is_integer():
            out[c] = pl.Series(c, rng.integers(int(low), int(high) + 1, n)).cast(real.schema[c])  # type: ignore[arg-type]
        elif sdtypes[c] == "numerical":
            out[c] = pl.Series(c, rng.uniform(float(low), float(high), n)).cast(real.schema[c])  # type: ignore[arg-type]
        else:
            distinct = values.unique().sort()
            out[c] = distinct.gather(rng.integers(0, distinct.len(), n)).alias(c)
    return pl.DataFrame(out)


def evaluate(
    real: pl.DataFrame,
    synthetic: pl.DataFrame,
    sdtypes: Mapping[str, str],
    seed: int,
    sizes: FidelitySizes | None = None,
) -> dict[str, Any]:
    """Quality and privacy figures of ``synthetic`` against ``real`` (same modelled columns).

    Parameters
    ----------
    real
        The table's modelled columns.
    synthetic
        The learned rows, same columns.
    sdtypes
        ``numerical``, ``categorical``, ``boolean`` or ``datetime`` per column, as modelled.
    seed
        Seeds every sample.
    sizes
        Sample sizes (see :class:`FidelitySizes`).

    Returns
    -------
    dict
        ``{"quality": {...}, "privacy": {...}}`` (see the module docstring).
    """
    from sdmetrics.reports import QualityReport  # type: ignore[import-untyped]
    from sdmetrics.single_table import NewRowSynthesis  # type: ignore[import-untyped]
    from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr  # type: ignore[import-untyped]

    sizes = sizes or FidelitySizes()
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(SALT_FIDELITY,)))
    columns = real.columns
    synthetic = synthetic.select(columns)
    metric_types = {c: "categorical" if t == "boolean" else t for c, t in sdtypes.items()}
    table_meta = {"columns": {c: {"sdtype": metric_types[c]} for c in columns}}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = QualityReport()
        report.generate(
            {"table": _pandas(_sample(real, sizes.quality, rng))},
            {"table": _pandas(_sample(synthetic, sizes.quality, rng))},
            {"tables": {"table": table_meta}},
            verbose=False,
        )
        properties = dict(zip(*report.get_properties().to_dict("list").values(), strict=True))
        quality = {
            "score": float(report.get_score()),
            "column_shapes": float(properties["Column Shapes"]),
            "column_pair_trends": float(properties["Column Pair Trends"]),
            "rows_compared": min(sizes.quality, real.height, synthetic.height),
        }

        share, chance = exact_match_shares(real, synthetic)
        new_rows = NewRowSynthesis.compute_breakdown(
            _pandas(real), _pandas(_sample(synthetic, sizes.new_rows, rng)), table_meta
        )

        order = rng.permutation(real.height)
        reference = real[np.sort(order[: sizes.dcr_reference])]
        others = real[np.sort(order[sizes.dcr_reference : sizes.dcr_reference + sizes.dcr_queries])]
        queries = _sample(synthetic, sizes.dcr_queries, rng)
        baseline = random_rows(real, metric_types, queries.height, rng)
        ref = _pandas(reference)
        dcr = {
            name: calculate_dcr(_pandas(frame), ref, table_meta)
            for name, frame in (("synthetic", queries), ("real", others), ("random", baseline))
        }
    medians = {name: float(d.median()) if len(d) else float("nan") for name, d in dcr.items()}
    privacy = {
        "exact_match_share": share,
        "exact_match_share_by_chance": chance,
        "new_row_synthesis": 1.0 - share,
        "new_row_synthesis_sdmetrics": {
            "score": float(new_rows["score"]),
            "rows": int(new_rows["num_new_rows"] + new_rows["num_matched_rows"]),
        },
        "dcr": {
            "reference_rows": reference.height,
            "median_synthetic": medians["synthetic"],
            "median_real": medians["real"],
            "median_random": medians["random"],
            "zero_share_synthetic": float((dcr["synthetic"] == 0).mean()),
            "zero_share_real": float((dcr["real"] == 0).mean()) if len(dcr["real"]) else float("nan"),
            "baseline_protection": min(1.0, medians["synthetic"] / medians["random"])
            if medians["random"] > 0
            else float("nan"),
        },
    }
    return {"quality": quality, "privacy": privacy}
