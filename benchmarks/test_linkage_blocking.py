"""Probabilistic linkage's blocking, measured (issue 17): the pairs it scores, how fast, and the recall it loses.

On one whole district (Wayanad at full density), for each shape of release the default scenario links (whole ages
and wards; 5-year age bands; no wards), the benchmark measures:

- **candidate pairs**: the distinct release x roll pairs the blocking rules make, counted exactly;
- **recall lost to blocking**: the share of true pairs (a released row and the roll entry of the same person)
  that neither rule puts in a block, scored against the truth: no threshold can link them;
- **pairs per second**: the candidate pairs over the seconds Splink takes to score them all (every batch, the
  model trained beforehand, outside the clock; pairs no level of the model can keep are left out in the join,
  :mod:`synth.attacks.live_pairs`, and count as scored; batches are cut by the pairs compared, as the attack cuts
  them), beside the anchor of Splink on DuckDB deduplicating about
  7 million records (about 10^9 comparisons) in about 2 minutes on a cloud machine, about 8 million a second.

Builds the district once unless SYNTH_BENCH_DISTRICT names a built world folder. Run::

    .venv/bin/pytest benchmarks/test_linkage_blocking.py --benchmark-only -q --benchmark-json=out/bench/blocking.json
    .venv/bin/python -m benchmarks.report out/bench/blocking.json --section blocking --into benchmarks/README.md
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from synth import World, build_world, open_world
from synth.attacks.linkage_inputs import (
    blocking_rules,
    linkage_inputs,
    name_frequencies,
    pair_batches,
    pairs_agreeing,
)
from synth.attacks.live_pairs import least_frequencies, narrowed
from synth.attacks.probabilistic_linkage import COMPARED, ProbabilisticLinkageParams, compared_shares
from synth.attacks.splink_model import PAIR_FLOOR, fit_model, most_blocked_first, predict_links
from synth.core.coding import present
from synth.policies.apply import minimize
from synth.policies.library import load_policy
from synth.release import ReleaseSpec, make_release
from synth.release.spec import EXPORT_FIELDS
from synth.scenario.auxiliary import auxiliary_from_world

SHAPES = ("as_exported", "age_bands_5", "local_body_not_ward")
ANCHOR_PAIRS_PER_SECOND = 1e9 / 120  # Splink on DuckDB: about 10^9 comparisons in about 2 minutes


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = os.environ.get("SYNTH_BENCH_DISTRICT")
    if folder:
        return open_world(Path(folder))
    return build_world(tmp_path_factory.mktemp("bench") / "wayanad", districts=["Wayanad"], seed=2026, workers=2)


def blocked_pairs(rel: pl.DataFrame, rol: pl.DataFrame, rules: list[list[str]]) -> int:
    """Distinct candidate pairs of the rules (Splink scores a pair once, under the first rule that finds it),
    counted exactly by inclusion and exclusion: the pairs two rules share are those agreeing on both rules' keys."""
    total = 0
    for size in range(1, len(rules) + 1):
        for chosen in itertools.combinations(rules, size):
            keys = sorted({k for rule in chosen for k in rule})
            total += (-1) ** (size + 1) * pairs_agreeing(rel, rol, keys)
    return total


def share_of_true_pairs_in_blocks(
    rel: pl.DataFrame, rol: pl.DataFrame, true_pairs: pl.DataFrame, rules: list[list[str]]
) -> tuple[int, float]:
    """True pairs (``uid`` of the release row, ``uid`` of the roll entry), and the share that some rule blocks."""
    pairs = true_pairs.join(rel, left_on="uid_l", right_on="uid").join(
        rol, left_on="uid_r", right_on="uid", suffix="_r"
    )
    in_block = pl.lit(False)
    for keys in rules:
        agree = pl.lit(True)
        for k in keys:
            agree = agree & (pl.col(k) == pl.col(f"{k}_r")).fill_null(False)
        in_block = in_block | agree
    return pairs.height, float(pairs.select(in_block.mean()).item())


def _score_all(model: Any, batches: list[tuple[pl.DataFrame, pl.DataFrame]], tf: dict[str, pl.DataFrame]) -> int:
    coverage = ProbabilisticLinkageParams().roll_coverage
    return sum(predict_links(model, left, right, 0.01, tf, coverage).height for left, right in batches)


@pytest.mark.parametrize("shape", SHAPES)
def test_blocking(benchmark, district: World, shape: str) -> None:  # type: ignore[no-untyped-def]
    release = make_release(district, ReleaseSpec(fields=EXPORT_FIELDS))
    minimized = minimize(release, load_policy(shape))
    data = minimized.view.data
    roll = auxiliary_from_world(district, ["electoral_roll"]).require("electoral_roll", "benchmark")
    cols = present(data, COMPARED)
    rel, rol = linkage_inputs(data.select("row_id", *cols), roll, cols, data["age"] if "age" in cols else None)
    rules = blocking_rules(cols)
    truth = minimized.truth.select("row_id", "person_id").join(
        district.table("roll_truth").select("epic", "person_id").collect(), on="person_id"
    )
    true_pairs = truth.select(uid_l=pl.format("r{}", "row_id"), uid_r=pl.format("e{}", "epic"))
    n_true, in_blocks = share_of_true_pairs_in_blocks(rel, rol, true_pairs, rules)
    params = ProbabilisticLinkageParams()
    tf = name_frequencies(data, roll)
    model = fit_model(rel, rol, cols, params, 7, tf)  # outside the clock
    live = narrowed(model, PAIR_FLOOR, least_frequencies(tf))
    shares = compared_shares(model, live, tf, rel, rol, cols, 7)  # batches cut as the attack cuts them
    batches = list(pair_batches(rel, rol, cols, params.batch_pairs, shares))
    scan = most_blocked_first(model, rel, rol, cols)  # the rules in the order the attack scans them
    pairs = blocked_pairs(rel, rol, rules)
    scored = benchmark.pedantic(_score_all, args=(scan, batches, tf), rounds=1, iterations=1)
    seconds = benchmark.stats.stats.mean
    benchmark.extra_info.update(
        kind="blocking",
        shape=shape,
        rules=[" + ".join(r) for r in rules],
        release_rows=rel.height,
        roll_rows=rol.height,
        candidate_pairs=pairs,
        pairs_per_second=pairs / seconds,
        anchor_pairs_per_second=ANCHOR_PAIRS_PER_SECOND,
        true_pairs=n_true,
        recall_lost_to_blocking=1 - in_blocks,
        best_pairs=scored,
        threads=os.cpu_count(),
    )
    assert 0 < in_blocks <= 1 and pairs > rel.height
