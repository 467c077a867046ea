"""Every policy step on one million release rows (issue 3)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synth.core.numbering import load_plan
from synth.policies.base import Step
from synth.policies.columns import DropColumns
from synth.policies.dp_counts import DPCounts
from synth.policies.generalize import CoarsenGeography, GeneralizeAge
from synth.policies.hashing import HashColumn
from synth.policies.kanonymity import KAnonymity
from synth.policies.masking import MaskPhone
from synth.policies.no_release import ControllerSends
from synth.policies.synthetic import SyntheticRelease
from synth.policies.tokenize import Tokenize
from synth.world.names import load_vocabulary
from synth.world.phones import permute
from synth.world.preset import load_preset

ROWS = 1_000_000


@pytest.fixture(scope="module")
def million() -> pl.DataFrame:
    """A release-shaped table: real Kerala geography, safe-plan phones, vocabulary names."""
    rng = np.random.default_rng(0)
    preset = load_preset()
    wards = (
        preset.table("wards")
        .join(preset.table("local_bodies"), on="local_body_code")
        .join(preset.table("taluks"), on="taluk_code")
        .join(preset.table("districts"), on="district_code")
    )
    pick = rng.integers(0, wards.height, ROWS)
    plan = load_plan("safe")
    phones = plan.number(permute(np.arange(ROWS), plan.size, 0, 1))
    words = pl.Series(load_vocabulary().words)
    return pl.DataFrame(
        {
            "row_id": np.arange(ROWS),
            "phone": pl.Series(phones)
            .cast(pl.String)
            .str.zfill(10)
            .map_elements(lambda s: "+91" + s, return_dtype=pl.String),
            "name": words.gather(rng.integers(0, 2000, ROWS)),
            "age": rng.integers(18, 95, ROWS).astype(np.int16),
            "gender": np.where(rng.random(ROWS) < 0.55, "F", "M"),
            "district": wards["district"].gather(pick),
            "taluk": wards["taluk"].gather(pick),
            "ward": wards["ward_no"].gather(pick).cast(pl.Int16),
            "local_body": wards["local_body"].gather(pick),
            "registry": rng.choice(["employees", "pensioners", "entrepreneurs", "womens_scheme"], ROWS),
        }
    )


STEPS: dict[str, Step] = {
    "drop": DropColumns(["name"]),
    "mask": MaskPhone(),
    "hash_sha256": HashColumn(method="sha256"),
    "hash_salted": HashColumn(method="salted"),
    "hash_hmac": HashColumn(method="hmac", key_env="SYNTH_BENCH_KEY"),
    "tokenize": Tokenize(),
    "generalize_age": GeneralizeAge(width=5, top=80),
    "coarsen_geography": CoarsenGeography("taluk"),
    "k_anonymity_k5": KAnonymity(k=5),
    "dp_counts": DPCounts(),
    "controller_sends": ControllerSends(),
}


@pytest.mark.parametrize("name", list(STEPS))
def test_step_on_a_million_rows(
    benchmark,
    million: pl.DataFrame,
    name: str,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SYNTH_BENCH_KEY", "benchmark-key")
    step = STEPS[name]
    out = benchmark.pedantic(step.fit_transform, args=(million,), rounds=3, iterations=1, warmup_rounds=1)
    assert out is not None


def test_synthesize_on_a_million_rows(benchmark, million: pl.DataFrame) -> None:  # type: ignore[no-untyped-def]
    step = SyntheticRelease(columns=("age", "gender", "district", "taluk", "local_body", "registry"))
    benchmark.pedantic(step.fit_transform, args=(million,), rounds=1, iterations=1)
