"""Auxiliary data an attacker can obtain: the electoral roll and a caller-ID directory.

Each is its own dataset with its own coverage, staleness and noise, not columns split off the
registries:

- the roll lists adults by age on the qualifying date, some not enrolled, some at an old address,
  some ages misrecorded, names spelt as the roll spells them, and entries for people who have died
  or left (ghosts), so that its size matches the published roll;
- the caller-ID directory labels a share of phone numbers with what other people saved them as:
  a name, a nickname, a relation word or a role, sometimes the previous holder's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from synth.world.people import age_on
from synth.world.preset import Preset

ROLL_LIVING, ROLL_MOVED, ROLL_GHOST = 0, 1, 2
ROLL_STATUS = ("living", "moved", "ghost")
LABEL_KINDS = ("full_name", "given", "given_initial", "given_role", "pet_name", "relation", "stale")
LABEL_WEIGHTS = np.array([0.15, 0.30, 0.15, 0.12, 0.13, 0.15])


@dataclass(frozen=True)
class RollDraw:
    """Roll entries of one local body: living entries point at people, ghosts carry their own draws."""

    person: np.ndarray  # person index, -1 for ghosts
    status: np.ndarray  # ROLL_STATUS index
    ward: np.ndarray  # ward index where the entry is listed
    house_serial: np.ndarray  # house number serial as listed (-1: the person's own house number)
    age: np.ndarray  # age as printed
    name_variant: np.ndarray  # bool: the roll spells the given name differently
    ghost_sex: np.ndarray  # for ghosts only (aligned with ghost entries)
    ghost_age: np.ndarray
    ghost_community: np.ndarray


def enrolment_probability(age: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    return np.select(
        [age < 18, age < 20, age < 25],
        [0.0, params["enrolment_18_19"], params["enrolment_20_24"]],
        params["enrolment_25_plus"],
    )


def draw_roll(
    dob: np.ndarray,
    community: np.ndarray,
    ward: np.ndarray,
    houses_per_ward: np.ndarray,
    target: int,
    preset: Preset,
    rng: np.random.Generator,
) -> RollDraw:
    """Draw one local body's roll entries (see the module docstring)."""
    params = preset.params["electoral_roll"]
    age_q = age_on(dob, preset.roll_qualifying_date).astype(np.int64)
    enrolled = np.flatnonzero(rng.random(len(dob)) < enrolment_probability(age_q, params))
    # Every roll carries some dead or departed; the living fill the rest, never beyond the published size.
    room = target - round(params["ghost_share"] * target)
    if len(enrolled) > room:
        enrolled = np.sort(rng.choice(enrolled, size=room, replace=False))
    n_ghost = target - len(enrolled)
    n_wards = len(houses_per_ward)

    status = np.full(len(enrolled), ROLL_LIVING, dtype=np.int8)
    listed_ward = ward[enrolled].astype(np.int64)
    house = np.full(len(enrolled), -1, dtype=np.int64)
    if n_wards > 1:
        moved = rng.random(len(enrolled)) < params["moved_share"]
        shift = rng.integers(1, n_wards, moved.sum())
        listed_ward[moved] = (listed_ward[moved] + shift) % n_wards
        house[moved] = (rng.random(moved.sum()) * houses_per_ward[listed_ward[moved]]).astype(np.int64) + 1
        status[moved] = ROLL_MOVED
    age = age_q[enrolled]
    err = rng.random(len(enrolled)) < params["age_error_share"]
    age[err] += rng.choice(np.array([-3, -2, -1, 1, 2, 3]), err.sum(), p=[0.05, 0.15, 0.3, 0.3, 0.15, 0.05])
    age = np.maximum(age, 18)

    # Ghosts: mostly the elderly dead, some younger people who left.
    old = rng.random(n_ghost) < 0.7
    ghost_age = np.where(old, rng.integers(70, 96, n_ghost), rng.integers(25, 50, n_ghost))
    ghost_sex = (rng.random(n_ghost) < 0.5).astype(np.int8)
    ghost_community = (
        community[rng.integers(0, len(community), n_ghost)] if len(community) else np.zeros(n_ghost, dtype=np.int8)
    )
    ghost_ward = rng.integers(0, n_wards, n_ghost)
    ghost_house = (rng.random(n_ghost) * houses_per_ward[ghost_ward]).astype(np.int64) + 1

    variant = rng.random(len(enrolled) + n_ghost) < params["variant_share"]
    return RollDraw(
        person=np.concatenate([enrolled, np.full(n_ghost, -1)]),
        status=np.concatenate([status, np.full(n_ghost, ROLL_GHOST, dtype=np.int8)]),
        ward=np.concatenate([listed_ward, ghost_ward]),
        house_serial=np.concatenate([house, ghost_house]),
        age=np.concatenate([age, ghost_age]).astype(np.int16),
        name_variant=variant,
        ghost_sex=ghost_sex,
        ghost_age=ghost_age.astype(np.int16),
        ghost_community=ghost_community.astype(np.int8),
    )


@dataclass(frozen=True)
class DirectoryDraw:
    """Caller-ID labels for one local body's phone owners."""

    owner: np.ndarray  # person index of the number's holder
    kind: np.ndarray  # LABEL_KINDS index
    label_person: np.ndarray  # whose name the label carries (the holder, or a previous holder)
    variant: np.ndarray  # bool: a spelling variant of the given name


def draw_directory(owners: np.ndarray, preset: Preset, rng: np.random.Generator) -> DirectoryDraw:
    """Label a share of the phone owners' numbers."""
    params = preset.params["caller_id"]
    listed = owners[rng.random(len(owners)) < params["coverage"]]
    kind = np.searchsorted(np.cumsum(LABEL_WEIGHTS) / LABEL_WEIGHTS.sum(), rng.random(len(listed)), side="right")
    kind = np.minimum(kind, len(LABEL_WEIGHTS) - 1).astype(np.int8)
    label_person = listed.copy()
    stale = rng.random(len(listed)) < params["stale_share"]
    if len(owners):
        label_person[stale] = owners[rng.integers(0, len(owners), stale.sum())]
    kind[stale] = LABEL_KINDS.index("stale")
    variant = rng.random(len(listed)) < 0.3
    return DirectoryDraw(owner=listed, kind=kind, label_person=label_person, variant=variant)
