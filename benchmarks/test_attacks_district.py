"""Every attack on one whole district (Wayanad at full density, about 9 lakh people, 1.9 lakh released rows).

Builds the district once (a few seconds) unless SYNTH_BENCH_DISTRICT names a built world folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from synth import build_world, open_world
from synth.attacks.attribute_inference import AttributeInferenceParams, attribute_inference
from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.exact_linkage import exact_linkage
from synth.attacks.membership_inference import membership_inference
from synth.attacks.probabilistic_linkage import probabilistic_linkage
from synth.attacks.singling_out import singling_out
from synth.policies.apply import minimize
from synth.policies.library import load_policy
from synth.release import ReleaseSpec, make_release
from synth.release.spec import EXPORT_FIELDS
from synth.scenario.auxiliary import auxiliary_from_world
from synth.scoring.membership import membership_split, membership_targets


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = os.environ.get("SYNTH_BENCH_DISTRICT")
    if folder:
        world = open_world(Path(folder))
    else:
        world = build_world(tmp_path_factory.mktemp("bench") / "wayanad", districts=["Wayanad"], seed=2026, workers=2)
    release = make_release(world, ReleaseSpec(fields=(*EXPORT_FIELDS, "scheme")))
    return world, release, auxiliary_from_world(world)


def _record(benchmark, result, release) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info["release_rows"] = release.data.height
    benchmark.extra_info["guesses"] = result.height


def test_exact_linkage_district(benchmark, district) -> None:  # type: ignore[no-untyped-def]
    _, release, aux = district
    result = benchmark.pedantic(
        exact_linkage, args=(release.attacker_view(), aux, np.random.default_rng(0)), rounds=3, iterations=1
    )
    _record(benchmark, result, release)


def test_singling_out_district(benchmark, district) -> None:  # type: ignore[no-untyped-def]
    _, release, aux = district
    result = benchmark.pedantic(
        singling_out, args=(release.attacker_view(), aux, np.random.default_rng(0)), rounds=3, iterations=1
    )
    _record(benchmark, result, release)


def test_probabilistic_linkage_district(benchmark, district) -> None:  # type: ignore[no-untyped-def]
    _, release, aux = district
    result = benchmark.pedantic(
        probabilistic_linkage, args=(release.attacker_view(), aux, np.random.default_rng(0)), rounds=1, iterations=1
    )
    _record(benchmark, result, release)


def test_attribute_inference_district(benchmark, district) -> None:  # type: ignore[no-untyped-def]
    _, release, aux = district
    result = benchmark.pedantic(
        attribute_inference,
        args=(release.attacker_view(), aux, np.random.default_rng(0), AttributeInferenceParams("pension_scheme")),
        rounds=2,
        iterations=1,
    )
    _record(benchmark, result, release)


def test_membership_inference_district(benchmark, district) -> None:  # type: ignore[no-untyped-def]
    _, release, _ = district
    rng = np.random.default_rng(0)
    split = membership_split(release, rng)
    view = minimize(split.training, load_policy("k5")).view
    aux = AuxiliaryData(membership_targets=membership_targets(split, 5_000, rng).records)
    result = benchmark.pedantic(
        membership_inference, args=(view, aux, np.random.default_rng(0)), rounds=3, iterations=1, warmup_rounds=1
    )
    benchmark.extra_info["targets"] = result.height
    benchmark.extra_info["released_rows"] = view.data.height
