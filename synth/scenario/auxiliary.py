"""What the scenario grants an attacker from a world: public tables, never the truth.

The electoral roll and the caller-ID directory come from the world without any link to people (the roll's
truth table stays behind); the roll gains the public names of its places (local body, taluk, district names
and ward numbers are printed on every roll page), so that it can be joined to a release that names places
rather than codes.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from synth.attacks.auxiliary import SOURCES, AuxiliaryData, grant
from synth.core.coding import as_enum
from synth.world.api import World

# Roll columns no attack reads, not held: no release prints the constituency, polling part or serial number an
# entry has on the roll's pages, nor the codes of its district, local body and ward (a release names places, and the
# names are joined below). An attack matches a release's columns to the roll's, so these could link nothing. Not
# holding them saves a sixth of the roll's memory in every worker (about 1 GiB for the whole state's roll).
NOT_READ = ("district_code", "local_body_code", "ward_code", "assembly_constituency", "part_number", "serial_number")
# Roll columns of few distinct values, held as enums: a string is 16 bytes of view in every entry, an enum 4 bytes of
# code (the whole state's roll holds 2.7 crore entries of 2.7 lakh house numbers, 18,303 house names, 3,484 relatives'
# names, 2 relations and 1,026 local bodies). The categories are the sorted values, so an enum sorts like the strings,
# and the roll's content key does not depend on the process. An attack that compares them with a release's strings
# casts its part.
AS_ENUM = ("house_number", "house_name", "relative_type", "relative_name")
PLACES = ("district", "taluk", "local_body")  # as enums of the world's place names, before the join


def auxiliary_from_world(world: World, sources: Sequence[str] = SOURCES) -> AuxiliaryData:
    """Collect the granted sources from a world (never its truth tables)."""

    def roll() -> pl.DataFrame:
        places = world.place_names().select("ward_code", *PLACES, "ward")
        places = places.with_columns(as_enum(places[c]) for c in PLACES)
        # In the world's order: a join may otherwise reorder rows differently in each worker process, and the
        # content key of an attack's result (which reads the roll) would then differ where nothing else does.
        roll = world.electoral_roll.join(places.lazy(), on="ward_code", how="left", maintain_order="left")
        entries = roll.drop(NOT_READ).collect()
        return entries.with_columns(as_enum(entries[c]) for c in AS_ENUM if c in entries.columns)

    return grant(sources, electoral_roll=roll, caller_id=world.caller_id.collect)
