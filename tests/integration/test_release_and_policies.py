"""Releases from a built world, and every shipped policy applied to one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from synth import open_world
from synth.errors import SpecError
from synth.policies import load_policy, minimize, policy_ids
from synth.release import EXPORT_FIELDS, ReleaseSpec, make_release


@pytest.fixture(scope="module")
def release(small_world_dir: Path):  # type: ignore[no-untyped-def]
    return make_release(open_world(small_world_dir))


def test_default_release_is_the_alleged_export(release, small_world_dir: Path) -> None:  # type: ignore[no-untyped-def]
    w = open_world(small_world_dir)
    assert release.data.columns == ["row_id", *EXPORT_FIELDS]
    members = sum(
        w.table(t).select(pl.len()).collect().item()
        for t in ("employees", "pensioners", "entrepreneurs", "womens_scheme")
    )
    assert release.data.height == members == release.truth.height
    assert "person_id" not in release.attacker_view().columns
    assert release.data["row_id"].to_list() == list(range(release.data.height))
    # the truth joins back to the right people, named as their registry writes them
    j = release.truth.join(release.data, on="row_id").join(w.people.collect(), on="person_id")
    assert (j["age"] == j["age_right"]).all()
    written = pl.concat(
        [
            w.table(t).select("person_id", "name", registry=pl.lit(t)).collect()
            for t in ("employees", "pensioners", "entrepreneurs", "womens_scheme")
        ]
    )
    named = release.truth.join(release.data.select("row_id", "name"), on="row_id")
    assert named.join(written, on=["person_id", "registry"])["name"].equals(
        named.join(written, on=["person_id", "registry"])["name_right"]
    )
    assert (j["name"] != j["name_right"]).mean() > 0.3  # formats differ from the people table's


def test_release_spec_errors() -> None:
    with pytest.raises(SpecError) as exc:
        ReleaseSpec(registries=("pensioner",), fields=("phone", "aadhaar"))
    assert str(exc.value).splitlines() == [
        "release.registries: unknown registry 'pensioner'; allowed are employees, pensioners, entrepreneurs,"
        " womens_scheme (did you mean 'pensioners'?)",
        "release.fields: unknown field 'aadhaar'; allowed are phone, name, age, gender, district, taluk, ward,"
        " local_body, registry, date_of_birth, relative_name, house_number, scheme, ration_card",
    ]


@pytest.fixture(scope="module")
def release_with_dob(small_world_dir: Path):  # type: ignore[no-untyped-def]
    return make_release(open_world(small_world_dir), ReleaseSpec(fields=(*EXPORT_FIELDS, "date_of_birth")))


@pytest.mark.parametrize("pid", policy_ids())
def test_every_shipped_policy_runs(pid: str, release, release_with_dob, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SYNTH_HMAC_KEY", "integration-key")
    if pid == "hash_phone_dob":  # the birth date is hashed with the phone: the release must hold it
        release = release_with_dob
    if pid == "hash_pbkdf2":  # 2 ms a number by design (10,000 iterations): its first 1,000 rows take the same steps
        kept = release.data.head(1_000)
        release = dataclasses.replace(
            release, data=kept, truth=release.truth.join(kept.select("row_id"), on="row_id", how="semi")
        )
    out = minimize(release, load_policy(pid))
    assert out.policy_id == pid
    if out.rows_are_people:
        assert out.truth.height == out.view.data.height
        assert set(out.truth["row_id"].to_list()) == set(out.view.data["row_id"].to_list())
    else:
        assert out.truth.height == 0
    if "phone" in out.view.data.columns and pid not in (
        "as_exported",
        "drop_names",
        "age_bands_5",
        "local_body_not_ward",
    ):
        assert not set(out.view.data["phone"].drop_nulls()) & set(release.data["phone"].drop_nulls())
    assert "integration-key" not in str(out.report) + str(out.view.metadata)
    # a hash publishes its scheme (no secret), a salt released with the data, tables their suppression threshold or
    # noise scale; nothing else publishes anything
    hashed = pid.startswith("hash_") or pid == "hmac"
    salted = pid in ("hash_salted_released", "hash_pbkdf2")
    published = {"phone_hash", "phone_salt"} if salted else {"phone_hash"} if hashed else set()
    if pid.startswith("ward_tables"):  # the threshold under which cells are suppressed is published with the tables
        published = {"suppression_threshold"}
    if pid.startswith("dp_tables"):  # noisy tables say so, with the noise's scale (public in any DP release)
        published = {"noise_scale"}
    assert set(out.view.metadata) == published
