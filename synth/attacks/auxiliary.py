"""The auxiliary data an attacker is granted, as it would obtain it: public tables, no truth.

The electoral roll and the caller-ID directory come from the world without any link to people (the
roll's truth table stays behind); the roll gains the public names of its places (local body, taluk,
district names and ward numbers are printed on every roll page), so that it can be joined to a
release that names places rather than codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from synth.errors import SpecError, TruthLeakError
from synth.release.build import TRUTH_COLUMNS
from synth.world.api import World

SOURCES = ("electoral_roll", "caller_id")
# Granted by the scenario rather than taken from the world: the records of the people whose membership
# of a synthetic release's training rows is in question (see synth.measure.membership).
GRANTED = (*SOURCES, "membership_targets")


@dataclass(frozen=True)
class AuxiliaryData:
    """Auxiliary sources granted to an attacker (None: not granted)."""

    electoral_roll: pl.DataFrame | None = None
    caller_id: pl.DataFrame | None = None
    membership_targets: pl.DataFrame | None = None

    def __post_init__(self) -> None:
        for source in GRANTED:
            table = getattr(self, source)
            leaked = [c for c in (table.columns if table is not None else []) if c in TRUTH_COLUMNS]
            if leaked:
                raise TruthLeakError(f"auxiliary source '{source}' must not hold the truth: {', '.join(leaked)}")
        if self.membership_targets is not None and "member" in self.membership_targets.columns:
            raise TruthLeakError("auxiliary source 'membership_targets' must not hold the truth: member")

    def require(self, source: str, attack: str) -> pl.DataFrame:
        table = getattr(self, source)
        if table is None:
            raise SpecError(
                f"attack '{attack}': needs the auxiliary source '{source}', which the scenario did not "
                f"grant (granted: {', '.join(s for s in GRANTED if getattr(self, s) is not None) or 'none'})"
            )
        return table


def auxiliary_from_world(world: World, sources: Sequence[str] = SOURCES) -> AuxiliaryData:
    """Collect the granted sources from a world (never its truth tables)."""
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise SpecError(f"auxiliary source '{unknown[0]}' is unknown; allowed are {', '.join(SOURCES)}")
    roll = None
    if "electoral_roll" in sources:
        places = world.place_names().select("ward_code", "district", "taluk", "local_body", "ward")
        roll = world.electoral_roll.drop("district_code").join(places.lazy(), on="ward_code", how="left").collect()
    directory = world.caller_id.collect() if "caller_id" in sources else None
    return AuxiliaryData(electoral_roll=roll, caller_id=directory)
