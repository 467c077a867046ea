"""What every local body of a build shares: the tables a world holds, the numbering of local bodies and person
ids, each local body's own seeded generator, and the context (plan, vocabularies, phone plan, shares) loaded once
per worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl

from synth.core.numbering import NumberingPlan, load_plan
from synth.world.households import HouseholdParams
from synth.world.name_formats import FormatDraw
from synth.world.names import Vocabulary, load_vocabulary
from synth.world.plan import WorldPlan
from synth.world.preset import RATION_CARDS

LB_TYPE_DIGIT = {"G": 1, "M": 2, "C": 3}
PERSON_ID_SPAN = 10_000_000
GOVERNMENT_EMPLOYEE = "government_employee"
TABLES = (
    "people",
    "households",
    "employees",
    "pensioners",
    "entrepreneurs",
    "womens_scheme",
    "electoral_roll",
    "caller_id",
    "roll_truth",
)


def local_body_number(code: str) -> int:
    """``G01001`` -> 101001: the numeric part of person and household ids."""
    return LB_TYPE_DIGIT[code[0]] * 100_000 + int(code[1:])


@dataclass(frozen=True)
class ShardContext:
    """What every local body of a build needs, loaded once per worker.

    ``excluded_phones`` (sorted national numbers) and ``excluded_names`` (full names as
    :func:`synth.world.excluded.table_names` gives them) are empty for a world built from a preset; a
    world learned from a user's table lists the table's own numbers and names there, so that none of
    them is ever given to anybody (see :func:`own_numbers` and :mod:`synth.world.excluded`).
    ``population`` is the number of people of the whole world (0: the preset's state population),
    which bounds person and phone indices.
    """

    plan: WorldPlan
    excluded_phones: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), compare=False)
    excluded_names: pl.Series = field(default_factory=lambda: pl.Series("name", [], dtype=pl.String), compare=False)
    population: int = 0

    @cached_property
    def vocab(self) -> Vocabulary:
        return load_vocabulary()

    @cached_property
    def phones(self) -> NumberingPlan:
        return load_plan(self.plan.phone_plan)

    @cached_property
    def index_span(self) -> int:
        """More than every person index of the world: the state's population, or the world's if larger."""
        return max(int(self.plan.preset.params["preset"]["state_population"]), int(self.population))

    @cached_property
    def ghost_epic_base(self) -> int:
        """First EPIC index of ghost entries: above every person index of the state (and then some)."""
        return self.index_span * 2

    @cached_property
    def duplicate_epic_base(self) -> int:
        """First EPIC index of a person's second entry (a duplicate): above every ghost's."""
        return self.index_span * 3

    @cached_property
    def household_params(self) -> HouseholdParams:
        d = self.plan.preset.params["demography"]
        return HouseholdParams(**{k: d[k] for k in HouseholdParams.__dataclass_fields__})

    @cached_property
    def shares(self) -> dict[str, np.ndarray]:
        p = self.plan.preset
        return {
            "ration": np.array([p.params["ration_cards"][c] for c in RATION_CARDS]),
            "departments": p.table("departments")["share"].to_numpy(),
            "enterprises": p.table("enterprise_categories")["share"].to_numpy(),
        }

    @cached_property
    def formats(self) -> FormatDraw:
        return FormatDraw.from_params(self.plan.preset.params)

    @cached_property
    def occupations(self) -> tuple[str, ...]:
        return (*self.plan.demography.occupations, GOVERNMENT_EMPLOYEE)


def local_body_rng(seed: int, local_body_code: str) -> np.random.Generator:
    """The generator of one local body, spawned from ``(seed, local body number)``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(local_body_number(local_body_code),)))
