"""ReleaseSpec.recipients: the export plus a seeded sample of other adult residents, checked on a small world."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from synth import open_world
from synth.errors import SpecError
from synth.release import REGISTRIES, ReleaseSpec, make_release
from synth.release.spec import OTHER_RESIDENT
from synth.world.api import World


@pytest.fixture(scope="module")
def world(small_world_dir: Path) -> World:
    return open_world(small_world_dir)


def _members(world: World, registries: tuple[str, ...] = REGISTRIES) -> pl.DataFrame:
    return pl.concat([world.table(r).select("person_id", "contact_phone").collect() for r in registries])


def _eligible(world: World, registries: tuple[str, ...] = REGISTRIES) -> pl.DataFrame:
    """Counted independently: adults with a contact phone in none of the registries."""
    people = world.people.collect()
    members = set(_members(world, registries)["person_id"].to_list())
    adults = people.filter((pl.col("age") >= 18) & pl.col("contact_phone").is_not_null())
    return adults.filter(~pl.col("person_id").is_in(list(members)))


def _bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def test_recipients_adds_other_adult_residents(world: World) -> None:
    members, eligible = _members(world).height, _eligible(world)
    extra = min(50, eligible.height // 2)
    assert extra > 10  # the small world has room for the check to mean something
    release = make_release(world, ReleaseSpec(recipients=members + extra))
    assert release.data.height == release.truth.height == members + extra
    assert release.data["row_id"].to_list() == list(range(members + extra))
    others = release.truth.filter(pl.col("registry") == OTHER_RESIDENT)
    assert others.height == extra and others["person_id"].n_unique() == extra
    assert set(others["person_id"].to_list()) <= set(eligible["person_id"].to_list())
    # each of them released as the people table has them: phone, name, age, places; no scheme or card
    rows = others.join(release.data, on="row_id").join(eligible, on="person_id", suffix="_world")
    assert rows.height == extra
    assert (rows["phone"] == rows["contact_phone"]).all()
    assert (rows["name"] == rows["name_world"]).all() and (rows["age"] == rows["age_world"]).all()
    assert (rows["age"] >= 18).all()
    assert rows["district"].null_count() == rows["ward"].null_count() == 0
    # the exported rows are the export's, as before
    default = make_release(world)
    assert (
        release.truth.filter(pl.col("registry") != OTHER_RESIDENT)
        .sort("person_id", "registry")
        .select("person_id", "registry")
        .equals(default.truth.sort("person_id", "registry").select("person_id", "registry"))
    )


def test_same_seed_same_bytes_other_seed_other_sample(world: World) -> None:
    spec = ReleaseSpec(recipients=_members(world).height + 40, seed=3)
    a, b = make_release(world, spec), make_release(world, spec)
    assert _bytes(a.data) == _bytes(b.data) and _bytes(a.truth) == _bytes(b.truth)
    c = make_release(world, ReleaseSpec(recipients=spec.recipients, seed=4))
    others = [set(r.truth.filter(pl.col("registry") == OTHER_RESIDENT)["person_id"].to_list()) for r in (a, c)]
    assert others[0] != others[1]


def test_default_release_is_deterministic(world: World) -> None:
    a, b = make_release(world), make_release(world)
    assert _bytes(a.data) == _bytes(b.data) and _bytes(a.truth) == _bytes(b.truth)


def test_recipients_equal_to_the_export_adds_nobody(world: World) -> None:
    members = _members(world).height
    release = make_release(world, ReleaseSpec(recipients=members))
    assert release.data.equals(make_release(world).data)


def test_only_exported_registries_are_excluded(world: World) -> None:
    registries = ("pensioners",)
    members, eligible = _members(world, registries).height, _eligible(world, registries)
    release = make_release(world, ReleaseSpec(registries=registries, recipients=members + eligible.height))
    others = release.truth.filter(pl.col("registry") == OTHER_RESIDENT)
    assert sorted(others["person_id"].to_list()) == sorted(eligible["person_id"].to_list())  # all of them, once
    employees = set(world.table("employees").select("person_id").collect()["person_id"].to_list())
    assert employees & set(others["person_id"].to_list())  # an employee is "other" when employees are not exported


def test_recipients_out_of_range_names_key_value_and_limit(world: World) -> None:
    members, eligible = _members(world).height, _eligible(world).height
    with pytest.raises(SpecError, match=rf"release.recipients = {members - 1}: fewer than the {members} rows"):
        make_release(world, ReleaseSpec(recipients=members - 1))
    too_many = members + eligible + 1
    with pytest.raises(
        SpecError,
        match=rf"release.recipients = {too_many}: more than the world can give; "
        rf"allowed is at most {members + eligible} \({members} exported rows and {eligible} other residents "
        r"aged 18\+ with a contact phone\)",
    ):
        make_release(world, ReleaseSpec(recipients=too_many))


@pytest.mark.parametrize("bad", [0, -5, True, 2.5, "1e7"])
def test_recipients_must_be_a_positive_whole_number(bad: object) -> None:
    with pytest.raises(SpecError, match=rf"release.recipients = {bad!r}: must be a positive whole number"):
        ReleaseSpec(recipients=bad)  # type: ignore[arg-type]


def test_from_dict_reads_recipients_and_names_unknown_keys() -> None:
    assert ReleaseSpec.from_dict({"recipients": 10_000_000}).recipients == 10_000_000
    assert ReleaseSpec.from_dict({}).recipients is None
    with pytest.raises(
        SpecError,
        match="release: unknown key 'recipient'; allowed are registries, fields, seed, "
        r"recipients, date \(did you mean 'recipients'\?\)",
    ):
        ReleaseSpec.from_dict({"recipient": 5})
