"""Build a release from a world: the exported rows, and the hidden truth of who each row is.

The released table carries a ``row_id`` that is a random permutation, not derived from any id of
the world; the truth (``row_id`` -> ``person_id``) is kept in a separate table that attacks never
receive (they get an :class:`AttackerView`), and scoring joins on it afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from synth.errors import TruthLeakError
from synth.release.spec import ReleaseSpec
from synth.world.api import World

SALT_ROWS = 0x52454C
TRUTH_COLUMNS = ("person_id", "household_id", "father_id", "mother_id", "spouse_id", "head_person_id")


@dataclass(frozen=True)
class AttackerView:
    """What an attacker holds of a release: the released rows, and what was published beside them
    (a released salt, say), and nothing else."""

    data: pl.DataFrame
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        leaked = [c for c in self.data.columns if c in TRUTH_COLUMNS]
        if leaked:
            raise TruthLeakError(f"an attacker's view must not hold the truth: column(s) {', '.join(leaked)}")

    @property
    def columns(self) -> list[str]:
        return self.data.columns


@dataclass(frozen=True)
class Release:
    """An export: ``data`` (what leaves the controller) and ``truth`` (kept apart, for scoring)."""

    spec: ReleaseSpec
    data: pl.DataFrame
    truth: pl.DataFrame

    def attacker_view(self) -> AttackerView:
        return AttackerView(data=self.data)


def make_release(world: World, spec: ReleaseSpec | None = None) -> Release:
    """Export the spec's registries and fields from a world, in a random row order."""
    spec = spec or ReleaseSpec()
    people = world.people.select(
        "person_id",
        "ward_code",
        "name",
        "age",
        "relative_name",
        "house_number",
        gender="sex",
        date_of_birth="dob",
    )
    parts = []
    for registry in spec.registries:
        reg = world.table(registry)
        names = reg.collect_schema().names()
        parts.append(
            reg.select(
                "person_id",
                phone="contact_phone",
                scheme=(pl.col("scheme") if "scheme" in names else pl.lit(None)).cast(pl.String),
                ration_card=(pl.col("ration_card") if "ration_card" in names else pl.lit(None)).cast(pl.String),
                registry=pl.lit(registry),
            )
        )
    rows = (
        pl.concat(parts, how="vertical")
        .join(people, on="person_id", how="left")
        .join(world.place_names().drop("local_body_code").lazy(), on="ward_code", how="left")
        .collect()
    )
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, world.seed], spawn_key=(SALT_ROWS,)))
    order = rng.permutation(rows.height)
    rows = rows[order].with_columns(row_id=pl.int_range(pl.len(), dtype=pl.Int64))
    rows = rows.with_columns(pl.col("gender").cast(pl.String))
    data = rows.select("row_id", *spec.fields)
    truth = rows.select("row_id", "person_id", "registry")
    return Release(spec=spec, data=data, truth=truth)
