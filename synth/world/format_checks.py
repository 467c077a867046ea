"""Validation of the name formats: how often each source wrote each format, by community, against the preset."""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.world.api import World
from synth.world.checks import Checks
from synth.world.name_formats import FORMAT_SOURCES, format_templates
from synth.world.names import COMMUNITIES
from synth.world.preset import Preset

FORMAT_TVD = 0.01  # total variation distance of a source's formats from the preset's, per community


def check_name_formats(c: Checks, world: World, preset: Preset) -> None:
    """Each source's formats per community (``name_format_tvd:SOURCE``, scope the community): the registries'
    rows, and the roll's entries of living people (a ghost's community is nobody's), gated on their distance
    from the preset's shares within the tolerance the sample allows."""
    known = list(format_templates())
    people = world.people.select("person_id", "community")
    for source in FORMAT_SOURCES:
        table = world.table("roll_truth") if source == "electoral_roll" else world.table(source)
        counts = (
            table.select("person_id", "name_format")
            .join(people, on="person_id")
            .group_by("community", "name_format")
            .agg(n=pl.len())
            .collect()
        )
        shares = preset.params["name_formats"][source]
        for community in COMMUNITIES:
            sub = counts.filter(pl.col("community").cast(pl.String) == community)
            got = np.zeros(len(known))
            for name, n in sub.select(pl.col("name_format").cast(pl.String), "n").iter_rows():
                got[known.index(name)] += n
            if got.sum() == 0:
                continue
            expected = np.array([float(shares[community].get(name, 0.0)) for name in known])
            c.distance(f"name_format_tvd:{source}", community, got, expected, FORMAT_TVD)
