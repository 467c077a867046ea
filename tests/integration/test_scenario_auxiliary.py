"""What the scenario grants an attacker from a world (synth.scenario.auxiliary)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from synth import open_world
from synth.scenario.auxiliary import NOT_READ, auxiliary_from_world


def test_the_granted_roll_is_the_worlds_roll_in_its_order_with_its_place_names(small_world_dir: Path) -> None:
    # The order matters beyond tidiness: an attack's reusable result is keyed by the content of the roll it
    # read, so a roll joined in another order in each worker process would never be reused across them.
    world = open_world(small_world_dir)
    granted = auxiliary_from_world(world, ["electoral_roll"]).electoral_roll
    assert granted is not None
    own = world.electoral_roll.collect()
    assert own.height > 1_000
    printed = [c for c in own.columns if c not in NOT_READ]
    assert granted.columns == [*printed, "district", "taluk", "local_body", "ward"]
    assert printed == ["epic", "house_number", "house_name", "name", "relative_type", "relative_name", "sex", "age"]
    assert granted.select(printed).equals(own.select(printed))
    wards = world.table("wards").select("ward_code", "local_body_code").collect()
    names = world.table("local_bodies").select("local_body_code", "local_body").collect()
    expected = own.select("ward_code").join(wards, on="ward_code", how="left", maintain_order="left")
    expected = expected.join(names, on="local_body_code", how="left", maintain_order="left")
    assert granted["local_body"].to_list() == expected["local_body"].to_list()
    assert granted["ward"].to_list() == expected["ward_code"].str.slice(6).cast(pl.Int16).to_list()
    assert granted["district"].unique().to_list() == ["Kasaragod"]
