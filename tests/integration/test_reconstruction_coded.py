"""Every place's reconstruction coded and solved in one pass (:func:`~synth.attacks.reconstruction.reconstruction`)
is the reconstruction of each place alone from its own tables as frames (:func:`~synth.attacks.reconstruct.reconstruct`,
checked against enumeration in ``tests/unit/attacks/test_reconstruct.py``), its baseline drawn from the margins of its
records in the same order: written here place by place, as the attack did before it coded the tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from synth import open_world
from synth.attacks.reconstruct import reconstruct
from synth.attacks.reconstruction import as_tables, published_tables, reconstruction, threshold_of
from synth.policies.apply import minimize
from synth.policies.library import load_policy
from synth.policies.tables import COUNT, TABLE
from synth.release import make_release
from synth.release.build import AttackerView
from synth.scenario.auxiliary import auxiliary_from_world


def _place_by_place(view: AttackerView, rng: np.random.Generator) -> pl.DataFrame:
    data = as_tables(view.data)
    noisy = "noise_scale" in view.metadata or TABLE not in view.data.columns
    places, names, attributes, every = published_tables(data)
    out = []
    for key, part in data.partition_by(places, as_dict=True, maintain_order=True).items():
        tables = [part.filter(pl.col(TABLE) == name).select(*attributes[name], COUNT) for name in names]
        found = reconstruct(tables, threshold_of(view.metadata), noisy=noisy)
        margins = [found.records.group_by(a).agg(pl.col(COUNT).sum()).sort(a) for a in every]
        drawn = reconstruct(margins, rng=rng, decide_unique=False).records.rename({COUNT: "baseline"})
        both = found.records.join(drawn, on=every, how="full", coalesce=True).with_columns(
            pl.col(COUNT, "baseline").fill_null(0)
        )
        place = [pl.lit(v, data.schema[c]).alias(c) for c, v in zip(places, key, strict=True)]
        out.append(both.with_columns(*place, unique=pl.lit(found.unique), feasible=pl.lit(found.feasible)))
    return pl.concat(out, how="diagonal_relaxed").select(*places, *every, COUNT, "baseline", "unique", "feasible")


@pytest.mark.parametrize("policy", ["ward_tables", "ward_tables_suppressed", "dp_tables_eps1", "dp_counts_eps1"])
def test_the_places_coded_together_are_each_place_alone(small_world_dir: Path, policy: str) -> None:
    world = open_world(small_world_dir)
    view = minimize(make_release(world), load_policy(policy)).view
    aux = auxiliary_from_world(world, ["electoral_roll"])
    together = reconstruction(view, aux, np.random.default_rng(5))
    alone = _place_by_place(view, np.random.default_rng(5))
    assert together.schema == alone.schema
    assert together.height == alone.height > 100
    assert_frame_equal(together.sort(together.columns), alone.sort(alone.columns))
    assert together["unique"].any() == (policy == "ward_tables")  # suppression and noise leave no place determined
    assert (together["baseline"] > 0).any() and (together[COUNT] > 0).any()


def test_the_same_records_on_one_thread_and_on_four(small_world_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The places are solved on as many threads as Polars uses; the baselines' costs are drawn in the places' order
    between the rounds, so the threads change no record, row for row."""
    world = open_world(small_world_dir)
    view = minimize(make_release(world), load_policy("ward_tables_suppressed")).view
    aux = auxiliary_from_world(world, ["electoral_roll"])
    runs = []
    for threads in (1, 4):
        monkeypatch.setattr(pl, "thread_pool_size", lambda n=threads: n)
        runs.append(reconstruction(view, aux, np.random.default_rng(8)))
    assert_frame_equal(runs[0], runs[1])
    assert runs[0]["baseline"].sum() > 0
