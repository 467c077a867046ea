"""What every purpose of :mod:`synth.measure.utility` reads first: checks that the original and the minimized
release belong together (and to the world), and readings of the received data (aggregate counts, age labels)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from synth.core.coding import OPEN, age_intervals
from synth.errors import SpecError
from synth.policies.apply import MinimizedRelease
from synth.release.build import Release
from synth.world.api import World

MAX_AGE = 130  # an exact "age" above this is not an age (a birth year, say)


def check_rng(rng: object, where: str) -> None:
    if not isinstance(rng, np.random.Generator):
        raise SpecError(
            f"{where}: rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )


def check_pair(original: Release, minimized: MinimizedRelease) -> None:
    """The original must be a release with its truth, and the minimized release must come from it."""
    if not {"row_id", "person_id"} <= set(original.truth.columns):
        raise SpecError(
            f"original release: its truth must hold row_id and person_id (it has {', '.join(original.truth.columns)})"
        )
    if "row_id" not in original.data.columns:
        raise SpecError("original release: its data has no row_id column")
    if original.data.height == 0:
        raise SpecError("original release: no rows; there is nobody to measure utility for")
    if minimized.rows_are_people:
        data = minimized.view.data
        if "row_id" not in data.columns:
            raise SpecError(
                f"minimized release '{minimized.policy_id}': its rows are people's rows but it has no row_id column"
            )
        foreign = data.select("row_id").join(original.truth.select("row_id"), on="row_id", how="anti").height
        if foreign:
            raise SpecError(
                f"minimized release '{minimized.policy_id}': {foreign} of its {data.height} rows are not rows of"
                " the original release (was it minimized from another release?)"
            )


def check_world(original: Release, world: World) -> None:
    people = original.truth.select("person_id").unique()
    strangers = people.lazy().join(world.people.select("person_id"), on="person_id", how="anti").collect().height
    if strangers:
        raise SpecError(
            f"original release: {strangers} of its {people.height} people are not in this world"
            " (was it made from another world?)"
        )


def is_aggregate(minimized: MinimizedRelease) -> bool:
    return not minimized.rows_are_people and "count" in minimized.view.data.columns


def checked_age_intervals(labels: pl.Series) -> pl.DataFrame:
    """Each distinct age label (``"37"``, ``"35-39"``, ``"80+"``, ``"*"``) with its ``lo`` and ``hi`` ages.

    ``valid`` is False for a label that is not an age or an age band.
    """
    return age_intervals(labels).with_columns(
        valid=(
            pl.col("lo").is_not_null()
            & pl.col("hi").is_not_null()
            & (pl.col("lo") <= pl.col("hi"))
            & (pl.col("lo") <= MAX_AGE)
            & ((pl.col("hi") <= MAX_AGE) | (pl.col("hi") == OPEN))
        ).fill_null(False)
    )


def quoted(columns: Sequence[str]) -> str:
    return ", ".join(f"'{c}'" for c in columns)
