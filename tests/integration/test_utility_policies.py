"""What every shipped policy keeps of outreach, ward planning and research, on three local bodies of Kasaragod."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synth import World, open_world
from synth.errors import SpecError
from synth.measure.utility import Utility, utility
from synth.measure.utility.outreach import PLAIN_PHONE
from synth.policies import MinimizedRelease, Policy, load_policy, minimize, policy_ids
from synth.policies.generalize import age_band
from synth.policies.hashing import HashColumn
from synth.policies.library import LIBRARY_DIR, policy_from_dict
from synth.release import make_release
from synth.release.build import Release
from synth.release.spec import EXPORT_FIELDS, ReleaseSpec

SEED = 2026
REACH = {  # share of the people with a number that the holder can message
    "as_exported": 1.0,
    "drop_names": 1.0,
    "age_bands_5": 1.0,
    "local_body_not_ward": 1.0,
    "tokenize": 1.0,  # through the controller's vault
    "controller_sends": 1.0,  # the controller sends itself
    "drop_phone": 0.0,
    "mask_phone": 0.0,
    "hash_plain": 0.0,
    "hash_salted_released": 0.0,
    "hmac": 0.0,
    "hash_pbkdf2": 0.0,
    "hash_phone_dob": 0.0,
    "k5": 0.0,
    "k10": 0.0,
    "sdv_copula": 0.0,
    "dp_counts_eps1": 0.0,
}
ROWS_AS_EXPORTED = ("as_exported", "drop_names", "drop_phone", "mask_phone", "hash_plain", "hmac", "tokenize")
NEEDS_BIRTH_DATE = ("hash_phone_dob",)  # hashes the phone with the holder's birth date
NO_WARD = "the received data has no 'ward' column (ward counts need local_body, ward, age, gender)"
STRETCHED = "hash_pbkdf2"  # 10,000 iterations by design: 2 ms a distinct number


def _policy(pid: str) -> Policy:
    """The shipped policy, but :data:`STRETCHED` at one iteration: at 10,000 it took 14 s of the 23 s this module
    took on three local bodies. No utility figure reads a digest (outreach compares the received phone with the
    number as exported; ward planning and research read places, ages and sexes), so the count changes no figure:
    :func:`test_the_iterations_of_a_stretched_hash_change_no_utility` shows it on the shipped policy."""
    if pid != STRETCHED:
        return load_policy(pid)
    spec = tomllib.loads((LIBRARY_DIR / f"{pid}.toml").read_text(encoding="utf-8"))
    spec["steps"][0]["iterations"] = 1
    return policy_from_dict(spec)


@pytest.fixture(scope="module")
def world(small_world_dir: Path) -> World:
    return open_world(small_world_dir)


@pytest.fixture(scope="module")
def release(world: World) -> Release:
    return make_release(world)


@pytest.fixture(scope="module")
def releases(world: World, release: Release) -> dict[str, Release]:
    """The export each policy applies to: with birth dates where the policy needs them (the same rows)."""
    dated = make_release(world, ReleaseSpec(fields=(*EXPORT_FIELDS, "date_of_birth")))
    assert dated.truth.equals(release.truth)
    return {pid: dated if pid in NEEDS_BIRTH_DATE else release for pid in policy_ids()}


@pytest.fixture(scope="module")
def minimized(releases: dict[str, Release]) -> dict[str, MinimizedRelease]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNTH_HMAC_KEY", "utility-key")
        return {pid: minimize(releases[pid], _policy(pid)) for pid in policy_ids()}


@pytest.fixture(scope="module")
def measured(releases: dict[str, Release], minimized: dict[str, MinimizedRelease], world: World) -> dict[str, Utility]:
    return {pid: utility(releases[pid], m, world, np.random.default_rng(SEED)) for pid, m in minimized.items()}


@pytest.mark.parametrize("pid", policy_ids())
def test_outreach(pid: str, release: Release, measured: dict[str, Utility]) -> None:
    out = measured[pid].outreach
    rows = release.truth.join(release.data.select("row_id", "phone"), on="row_id")
    with_number = rows.filter(pl.col("phone").str.contains(PLAIN_PHONE))["person_id"].n_unique()
    assert out.reach.trials == with_number
    assert out.people_released == release.truth["person_id"].n_unique() == with_number + out.people_without_number
    assert out.people_without_number > 0  # some members gave no number: nobody can message them
    if pid in REACH:
        assert out.reach.value == REACH[pid]
        assert out.reach.successes == round(REACH[pid] * with_number)
    else:  # a policy added to the library since
        assert 0.0 <= out.reach.value <= 1.0
    if pid == "tokenize":
        assert out.channel == "controller_vault"
    if pid == "controller_sends":
        assert out.channel == "controller_sends"


def test_ward_counts_of_rows_as_exported_are_exact(
    release: Release, world: World, measured: dict[str, Utility]
) -> None:
    for pid in (*ROWS_AS_EXPORTED, "age_bands_5"):
        ward = measured[pid].ward_planning
        assert (ward.available, ward.source, ward.abs_error, ward.relative_l1, ward.mae) == (True, "rows", 0, 0, 0), pid
        assert ward.true_total == ward.received_total == release.data.height
        assert ward.cells == world.place_names().height * 17 * 2
        assert ward.within_tolerance is not None and ward.within_tolerance.value == 1.0


def test_dp_counts_have_a_small_error(
    release: Release, minimized: dict[str, MinimizedRelease], measured: dict[str, Utility]
) -> None:
    ward = measured["dp_counts_eps1"].ward_planning
    keys = ["local_body", "ward", "age", "gender"]
    true = release.data.with_columns(age=age_band(pl.col("age"), 5, 80)).group_by(keys).len()
    noisy = minimized["dp_counts_eps1"].view.data
    both = noisy.join(true, on=keys, how="left").with_columns(pl.col("len").fill_null(0))
    assert both.height == noisy.height and both["len"].sum() == release.data.height  # the grid holds every true cell
    error = (both["count"] - both["len"]).abs().sum()
    assert (ward.available, ward.source, ward.abs_error) == (True, "noisy_counts", error)
    assert ward.relative_l1 == error / release.data.height
    assert ward.relative_l1 is not None and 0.05 < ward.relative_l1 < 0.35  # noise of scale 2 on cells of ~8
    assert ward.within_tolerance is not None and 0.3 < ward.within_tolerance.value < 0.9


def test_ward_planning_not_served(measured: dict[str, Utility]) -> None:
    for pid in ("local_body_not_ward", "k5", "k10"):
        ward = measured[pid].ward_planning
        assert (ward.available, ward.reason, ward.relative_l1) == (False, NO_WARD, None)
    assert measured["controller_sends"].ward_planning.reason == "no rows were received"


def test_synthetic_ward_counts(
    minimized: dict[str, MinimizedRelease], release: Release, measured: dict[str, Utility]
) -> None:
    ward = measured["sdv_copula"].ward_planning
    assert (ward.available, ward.source) == (True, "synthetic_rows")
    assert ward.scale == release.data.height / minimized["sdv_copula"].view.data.height
    assert ward.relative_l1 is not None and 0.1 < ward.relative_l1 < 1.0


def test_research(release: Release, measured: dict[str, Utility]) -> None:
    exported = measured["as_exported"].research
    assert exported.available and exported.features == ("age", "gender", "district")
    assert exported.accuracy is not None and exported.baseline is not None and exported.ceiling is not None
    assert exported.accuracy == exported.ceiling  # the same rows, the same tree
    assert exported.accuracy.value > exported.baseline.value + 0.05
    assert exported.test_rows is not None and exported.train_rows is not None
    assert exported.test_rows + exported.train_rows == release.data.height
    pensioners = release.data["registry"].eq("pensioners").mean()
    assert isinstance(pensioners, float) and abs(exported.baseline.value - pensioners) < 0.03  # the majority class
    banded = measured["k5"].research
    assert banded.features == ("age (bands)", "gender", "district")
    assert banded.accuracy is not None and banded.accuracy.value > exported.baseline.value + 0.05
    # one seed, one held-out set: the ceiling and baseline are the same for every policy
    available = [u.research for u in measured.values() if u.research.available]
    assert {(r.test_rows, r.ceiling, r.baseline) for r in available} == {
        (exported.test_rows, exported.ceiling, exported.baseline)
    }
    assert measured["dp_counts_eps1"].research.reason == "aggregate counts, not rows, were received"
    assert measured["controller_sends"].research.reason == "no rows were received"


def test_seeded_twins(
    release: Release, world: World, minimized: dict[str, MinimizedRelease], measured: dict[str, Utility]
) -> None:
    for pid in ("as_exported", "k5", "sdv_copula", "dp_counts_eps1"):
        assert utility(release, minimized[pid], world, np.random.default_rng(SEED)) == measured[pid], pid
    for pid in ("tokenize", "k10"):  # seeded policies: minimizing again gives the same release and utility
        again = minimize(release, load_policy(pid))
        assert utility(release, again, world, np.random.default_rng(SEED)) == measured[pid], pid


def test_the_iterations_of_a_stretched_hash_change_no_utility(releases: dict[str, Release], world: World) -> None:
    release = releases[STRETCHED]
    kept = release.data.head(1_000)  # the shipped policy at 2 ms a number
    head = dataclasses.replace(
        release, data=kept, truth=release.truth.join(kept.select("row_id"), on="row_id", how="semi")
    )
    step = load_policy(STRETCHED).steps[0]
    assert isinstance(step, HashColumn) and step.iterations == 10_000
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNTH_HMAC_KEY", "utility-key")
        shipped, cheap = (minimize(head, p) for p in (load_policy(STRETCHED), _policy(STRETCHED)))
    assert shipped.view.data.columns == cheap.view.data.columns
    assert not shipped.view.data["phone"].equals(cheap.view.data["phone"])  # other digests
    measured = [utility(head, m, world, np.random.default_rng(SEED)) for m in (shipped, cheap)]
    assert measured[0] == measured[1]
    assert measured[0].outreach.people_released == head.truth["person_id"].n_unique()


def test_bad_input(release: Release, world: World, minimized: dict[str, MinimizedRelease]) -> None:
    with pytest.raises(SpecError) as exc:
        utility(release, minimized["as_exported"], world, np.random.RandomState(0))  # type: ignore[arg-type]
    assert str(exc.value) == (
        "utility: rng must be a numpy.random.Generator (np.random.default_rng(seed)), got RandomState"
    )
    strangers = release.truth.with_columns(
        person_id=pl.when(pl.col("row_id") < 3).then(-1 - pl.col("row_id")).otherwise(pl.col("person_id"))
    )
    elsewhere = Release(spec=release.spec, data=release.data, truth=strangers)
    with pytest.raises(SpecError) as exc:
        utility(elsewhere, minimized["as_exported"], world, np.random.default_rng(SEED))
    people = strangers["person_id"].n_unique()
    assert str(exc.value) == (
        f"original release: 3 of its {people} people are not in this world (was it made from another world?)"
    )
