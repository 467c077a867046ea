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

from synth.core.coding import age_on_day
from synth.errors import SpecError, TruthLeakError
from synth.release.spec import ADULT_AGE, OTHER_RESIDENT, ReleaseSpec, reference_date
from synth.world.api import World

SALT_ROWS = 0x52454C
SALT_OTHERS = 0x4F5448  # the sample of other residents (ReleaseSpec.recipients)
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


# release field -> people column it comes from (district, taluk, local_body and ward come from ward_code)
PERSON_FIELDS = {
    "name": "name",
    "age": "age",
    "gender": "sex",
    "date_of_birth": "dob",
    "relative_name": "relative_name",
    "house_number": "house_number",
}
PLACE_FIELDS = ("district", "taluk", "local_body", "ward")


def make_release(world: World, spec: ReleaseSpec | None = None) -> Release:
    """Export the spec's registries and fields from a world, in a random row order.

    Parameters
    ----------
    world
        The world to export from.
    spec
        Registries, fields, seed and recipients of the export (default: the alleged K-SMART export).

    Returns
    -------
    Release
        ``data``: ``row_id`` (0, 1, ... in the shuffled order) and the spec's fields; ``truth``: ``row_id``,
        ``person_id`` and ``registry`` of every row. Rows come one per registry membership (a person in
        two registries has two rows), then one per other resident where ``spec.recipients`` asks for them.

    Raises
    ------
    SpecError
        ``spec.recipients`` is fewer than the exported rows, or more than the world can give.

    Notes
    -----
    Only the columns the spec needs are read, and people are joined after the shuffle, so the peak
    memory is about that of the release itself plus the people columns it needs.
    """
    spec = spec or ReleaseSpec()
    members = _members(world, spec)
    dated = reference_date(spec.date) if spec.date is not None else None
    if dated is not None:  # nobody born after the export's date is in it
        born = world.people.select("person_id", "dob").filter(pl.col("dob") <= dated).select("person_id").collect()
        members = members.join(born, on="person_id", how="semi", maintain_order="left")
    if spec.recipients is not None:
        members = pl.concat([members, _other_residents(world, spec, members, spec.recipients)], how="vertical")
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, world.seed], spawn_key=(SALT_ROWS,)))
    order = pl.Series(rng.permutation(members.height))
    # one contiguous chunk first: gathering across the hundreds of per-file chunks is several times slower
    members = (
        members.rechunk().select(pl.all().gather(order)).with_columns(row_id=pl.int_range(pl.len(), dtype=pl.Int64))
    )
    truth = members.select("row_id", "person_id", "registry")

    # a name as its registry writes it (members carry it); the rest of a person from the people table
    wanted = [PERSON_FIELDS[f] for f in spec.fields if f in PERSON_FIELDS and f not in members.columns]
    places = [f for f in spec.fields if f in PLACE_FIELDS]
    rows = members.select("row_id", "person_id", *[f for f in spec.fields if f in members.columns])
    if dated is not None:  # whole years on the export's own date; "dob" read alongside
        wanted = list(dict.fromkeys([*(c for c in wanted if c != "age"), "dob"]))
    if wanted or places:
        # only the released people, and only the columns the spec needs (read, filtered, then joined)
        people = (
            world.people.select("person_id", *wanted, *(["ward_code"] if places else []))
            .filter(pl.col("person_id").is_in(members["person_id"].implode()))
            .collect()
            .rechunk()
        )
        rows = rows.join(people, on="person_id", how="left", maintain_order="left")
        del people
    if places:
        names = world.place_names().select("ward_code", *places)
        rows = rows.join(names, on="ward_code", how="left", maintain_order="left")
    if dated is not None:
        rows = rows.with_columns(age=age_on_day(pl.col("dob"), dated))
    renamed = {PERSON_FIELDS[f]: f for f in spec.fields if f in PERSON_FIELDS}
    data = rows.rename(renamed).select("row_id", *spec.fields)
    if "gender" in spec.fields:
        data = data.with_columns(pl.col("gender").cast(pl.String))
    return Release(spec=spec, data=data, truth=truth)


def _members(world: World, spec: ReleaseSpec) -> pl.DataFrame:
    """One row per registry membership: person_id, phone, scheme, ration_card, registry (in spec order), and the
    name as the registry writes it where the spec exports names."""
    named = ["name"] if "name" in spec.fields else []
    parts = []
    for registry in spec.registries:
        reg = world.table(registry)
        names = reg.collect_schema().names()
        parts.append(
            reg.select(
                "person_id",
                *named,
                phone="contact_phone",
                scheme=(pl.col("scheme") if "scheme" in names else pl.lit(None)).cast(pl.String),
                ration_card=(pl.col("ration_card") if "ration_card" in names else pl.lit(None)).cast(pl.String),
                registry=pl.lit(registry),
            )
        )
    return pl.concat(parts, how="vertical").collect()


def _other_residents(world: World, spec: ReleaseSpec, members: pl.DataFrame, recipients: int) -> pl.DataFrame:
    """``recipients - members.height`` adults with a contact phone in none of the exported registries,
    sampled without replacement, in person_id order, shaped like ``members``."""
    wanted = recipients - members.height
    if wanted < 0:
        raise SpecError(
            f"release.recipients = {recipients}: fewer than the {members.height} rows the registries "
            f"({', '.join(spec.registries)}) export; allowed is at least {members.height}"
        )
    named = ["name"] if "name" in members.columns else []
    eligible = (
        world.people.select("person_id", "contact_phone", "age", *named)
        .filter((pl.col("age") >= ADULT_AGE) & pl.col("contact_phone").is_not_null())
        .join(members.lazy().select("person_id"), on="person_id", how="anti")
        .select("person_id", "contact_phone", *named)
        .sort("person_id")
        .collect()
    )
    if wanted > eligible.height:
        raise SpecError(
            f"release.recipients = {recipients}: more than the world can give; allowed is at most "
            f"{members.height + eligible.height} ({members.height} exported rows and {eligible.height} other "
            f"residents aged {ADULT_AGE}+ with a contact phone)"
        )
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, world.seed], spawn_key=(SALT_OTHERS,)))
    chosen = np.sort(rng.choice(eligible.height, size=wanted, replace=False))
    return eligible[chosen].select(
        "person_id",
        *named,
        phone="contact_phone",
        scheme=pl.lit(None, dtype=pl.String),
        ration_card=pl.lit(None, dtype=pl.String),
        registry=pl.lit(OTHER_RESIDENT),
    )
