"""What the scenario grants an attacker from a world (synth.scenario.auxiliary)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from synth import open_world
from synth.core.name_parts import supported_initials
from synth.scenario.auxiliary import AS_ENUM, NOT_READ, PLACES, auxiliary_from_world


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


def test_the_rolls_columns_of_few_values_and_its_places_are_enums_of_their_sorted_values(small_world_dir: Path) -> None:
    # 4 bytes of code an entry where a string holds 16 of view: GiBs less in every worker at state scale
    world = open_world(small_world_dir)
    aux = auxiliary_from_world(world, ["electoral_roll"])
    granted = aux.electoral_roll
    assert granted is not None
    own = world.electoral_roll.collect()
    assert AS_ENUM == ("house_number", "house_name", "relative_type", "relative_name")
    for c in AS_ENUM:
        assert granted.schema[c] == pl.Enum(sorted(set(own[c].drop_nulls().to_list())))
        assert granted[c].cast(pl.String).to_list() == own[c].to_list()
    assert granted.schema["relative_type"] == pl.Enum(["F", "H"])  # the relative is a father or a husband
    # the names of places: enums of the world's names, of every ward (the roll's entries may not list them all)
    named = world.place_names()
    assert PLACES == ("district", "taluk", "local_body")
    for c in PLACES:
        assert granted.schema[c] == pl.Enum(sorted(set(named[c].to_list())))
    # the initials each entry supports, read once per source, are enums too, of the values read from strings
    read = supported_initials(granted.with_columns(pl.col(c).cast(pl.String) for c in AS_ENUM))
    held = aux.roll_initials
    assert [held.schema[c] for c in held.columns] == [
        pl.Enum(read[c].drop_nulls().unique().sort()) for c in read.columns
    ]
    assert held.select(pl.all().cast(pl.String)).equals(read)
