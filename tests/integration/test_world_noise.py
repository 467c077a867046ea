"""The world's assumptions about the roll and the caller-ID directory as parameters (``[world.noise]``): a world
built with more old addresses and more spelling variants has them, recounted here from its tables with plain
Polars, over the same people; a world without overrides keeps the spec it always had; bad input is named."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from synth import build_world, open_world
from synth.errors import SpecError
from synth.world.plan import WorldSpec, describe_assumptions, noise_assumptions, plan_world
from synth.world.preset import load_preset
from tests.unit.cli.helpers import error_of

NOISE = (("electoral_roll.moved_share", 0.3), ("electoral_roll.variant_share", 0.5))


def _shares(folder: Path) -> tuple[float, float]:
    """Of the living adults' roll entries: the share listed at an old address, and the share whose given name (the
    first word of two letters or more, whatever the format) differs from the person's own."""
    world = open_world(folder)
    entries = world.table("roll_truth").collect().filter(pl.col("status") != "ghost")
    first_word = r"(?:^|\s)([A-Za-z]{2,})"
    roll = world.table("electoral_roll").select("epic", roll_given=pl.col("name").str.extract(first_word)).collect()
    people = world.people.select("person_id", given=pl.col("given_name").str.extract(first_word)).collect()
    joined = entries.join(roll, on="epic").join(people, on="person_id")
    moved = joined.filter(pl.col("status") == "moved").height / joined.height
    variant = joined.filter(pl.col("roll_given") != pl.col("given")).height / joined.height
    return moved, variant


def test_a_noisier_roll_over_the_same_people(small_world_dir: Path, tmp_path: Path) -> None:
    noisy = tmp_path / "noisy"
    build_world(noisy, districts=["Kasaragod"], local_bodies=3, seed=5, noise=NOISE)
    moved, variant = _shares(noisy)
    base_moved, base_variant = _shares(small_world_dir)
    # moved within the local body (moved_share) and, in a shard of several local bodies, to another one
    # (moved_body_share, 0.02, of those still at home): so from 0.03 to 0.03 + 0.02 * 0.97 in the base world
    assert 0.03 - 0.005 < base_moved < 0.03 + 0.02 * 0.97 + 0.005
    assert moved - base_moved == pytest.approx(0.27 * (1 - 0.02), abs=0.01)
    assert variant > base_variant + 0.2  # half the names drawn as variants (a variant may equal the name)
    people = ["person_id", "name", "age", "sex", "ward_code", "phone"]
    assert (
        open_world(noisy)
        .people.select(people)
        .collect()
        .equals(open_world(small_world_dir).people.select(people).collect())
    )
    assert open_world(noisy).manifest["build"]["spec"]["noise"] == dict(NOISE)
    assert "noise" not in open_world(small_world_dir).manifest["build"]["spec"]  # the spec it always had


def test_every_assumption_is_a_share_of_the_preset() -> None:
    known = noise_assumptions(load_preset("kerala-2026"))
    formats = {k: v for k, v in known.items() if k.startswith("name_formats.")}
    assert len(formats) == 5 * 3 * 13  # sources x communities x formats, a format the preset does not give at 0
    assert formats["name_formats.employees.hindu.two_initials_dot_given"] == 0.3
    assert formats["name_formats.employees.hindu.given_father"] == 0.0
    assert {k: v for k, v in known.items() if k not in formats} == {
        "electoral_roll.enrolment_18_19": 0.45,
        "electoral_roll.enrolment_20_24": 0.9,
        "electoral_roll.enrolment_25_plus": 0.975,
        "electoral_roll.ghost_share": 0.02,
        "electoral_roll.moved_share": 0.03,
        "electoral_roll.moved_body_share": 0.02,
        "electoral_roll.moved_district_share": 0.01,
        "electoral_roll.duplicate_share": 0.01,
        "electoral_roll.age_error_18_39": 0.04,
        "electoral_roll.age_error_40_59": 0.06,
        "electoral_roll.age_error_60_plus": 0.1,
        "electoral_roll.age_heaping_60_plus": 0.15,
        "electoral_roll.variant_share": 0.15,
        "caller_id.coverage": 0.7,
        "caller_id.stale_share": 0.03,
    }
    with pytest.raises(SpecError) as err:
        plan_world(WorldSpec(districts=("Wayanad",), noise=(("electoral_roll.moved", 0.1),)))
    assert str(err.value).startswith("noise.electoral_roll.moved: unknown assumption; allowed are electoral_roll.")
    assert str(err.value).endswith("(did you mean 'electoral_roll.moved_share'?)")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "[world.noise]\nelectoral_roll.moved_share = 1.5\n",
            "world.noise.electoral_roll.moved_share = 1.5: must be a share from 0 to 1 (the preset's is 0.03)",
        ),
        (
            "[world.noise]\nelectoral_roll.moved = 0.1\n",
            "world.noise.electoral_roll.moved = 0.1: unknown assumption; allowed are "
            + describe_assumptions(noise_assumptions(load_preset("kerala-2026")))
            + " (did you mean 'electoral_roll.moved_share'?)",
        ),
        (
            "[world.noise.name_formats.electoral_roll.hindu]\ngiven_only = 0.5\n",  # the preset's other shares: 0.65
            "world.noise.name_formats.electoral_roll.hindu = 1.15: its formats' shares (the preset's for those not "
            "named) add up to 1.15; they must add up to 1",
        ),
    ],
    ids=["outside", "unknown", "format-sum"],
)
def test_bad_noise_is_named_with_its_key(tmp_path: Path, table: str, message: str) -> None:
    text = (Path(__file__).parents[2] / "scenarios" / "ci_smoke.toml").read_text(encoding="utf-8")
    scenario = tmp_path / "bad.toml"
    scenario.write_text(text.replace("[release]", table + "\n[release]", 1), encoding="utf-8")
    assert error_of(["run", str(scenario), "--out", str(tmp_path / "out")]) == f"error: {scenario}: {message}"
