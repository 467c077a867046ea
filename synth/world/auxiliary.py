"""Auxiliary data an attacker can obtain: the electoral roll and a caller-ID directory.

Each is its own dataset with its own coverage, staleness and noise, not columns split off the
registries:

- the roll lists adults by age on the qualifying date, some not enrolled, some at an old address
  (another ward here; another local body: :mod:`synth.world.roll_moves`), some twice (at home and at an
  old address), ages misrecorded more often with age and heaped on multiples of 5 among the elderly,
  names spelt as the roll spells them, and entries for people who have died or left (ghosts), so that
  its size matches the published roll;
- the caller-ID directory labels a share of phone numbers with what other people saved them as:
  a name, a nickname, a relation word or a role, sometimes the previous holder's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from synth.world.people import age_on
from synth.world.preset import Preset

ROLL_LIVING, ROLL_MOVED, ROLL_GHOST, ROLL_DUPLICATE = 0, 1, 2, 3
ROLL_STATUS = ("living", "moved", "ghost", "duplicate")
AGE_ERRORS = np.array([-3, -2, -1, 1, 2, 3])
AGE_ERROR_WEIGHTS = [0.05, 0.15, 0.3, 0.3, 0.15, 0.05]
HEAPING_AGE = 60  # from this age on, some printed ages are rounded to a multiple of 5
LABEL_KINDS = ("full_name", "given", "given_initial", "given_role", "pet_name", "relation", "stale")
LABEL_WEIGHTS = np.array([0.15, 0.30, 0.15, 0.12, 0.13, 0.15])


@dataclass(frozen=True)
class RollDraw:
    """Roll entries of one local body: living entries point at people, ghosts carry their own draws."""

    person: np.ndarray  # person index, -1 for ghosts
    status: np.ndarray  # ROLL_STATUS index; a duplicate is the second entry of a person listed at home too
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


def age_error_probability(age: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """The chance that the roll misprints an age (by 1 to 3 years), by the true age: it grows with age."""
    return np.select(
        [age < 40, age < 60], [params["age_error_18_39"], params["age_error_40_59"]], params["age_error_60_plus"]
    )


def printed_ages(age: np.ndarray, params: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """Ages as the roll prints them: of the people of ``HEAPING_AGE`` and over, ``age_heaping_60_plus`` are
    rounded to the nearest multiple of 5 (an age stated as "about 70"); the others are off by 1 to 3 years
    with :func:`age_error_probability`. Never below 18."""
    out = age.copy()
    heaped = (age >= HEAPING_AGE) & (rng.random(len(age)) < params["age_heaping_60_plus"])
    err = ~heaped & (rng.random(len(age)) < age_error_probability(age, params))
    out[heaped] = 5 * np.round(age[heaped] / 5).astype(out.dtype)
    out[err] += rng.choice(AGE_ERRORS, int(err.sum()), p=AGE_ERROR_WEIGHTS)
    return np.maximum(out, 18)


def _old_addresses(
    listed: np.ndarray, houses_per_ward: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Another ward of the local body than ``listed`` for each entry, and a house serial in it."""
    n_wards = len(houses_per_ward)
    ward = (listed + rng.integers(1, n_wards, len(listed))) % n_wards
    return ward, (rng.random(len(listed)) * houses_per_ward[ward]).astype(np.int64) + 1


def draw_roll(
    dob: np.ndarray,
    community: np.ndarray,
    ward: np.ndarray,
    houses_per_ward: np.ndarray,
    target: int,
    preset: Preset,
    rng: np.random.Generator,
) -> RollDraw:
    """Draw one local body's roll entries (see the module docstring).

    The published size ``target`` is met exactly: duplicates and the dead or departed take their shares of it
    (``duplicate_share``, ``ghost_share``), the living fill the rest, never beyond it, and ghosts fill what the
    living leave.
    """
    params = preset.params["electoral_roll"]
    age_q = age_on(dob, preset.roll_qualifying_date).astype(np.int64)
    enrolled = np.flatnonzero(rng.random(len(dob)) < enrolment_probability(age_q, params))
    n_wards = len(houses_per_ward)
    dup_slots = round(params["duplicate_share"] * target) if n_wards > 1 else 0
    room = target - round(params["ghost_share"] * target) - dup_slots
    if len(enrolled) > room:
        enrolled = np.sort(rng.choice(enrolled, size=max(room, 0), replace=False))
    twice = np.sort(rng.choice(len(enrolled), size=min(dup_slots, len(enrolled)), replace=False))
    n_ghost = target - len(enrolled) - len(twice)

    status = np.full(len(enrolled), ROLL_LIVING, dtype=np.int8)
    listed_ward = ward[enrolled].astype(np.int64)
    house = np.full(len(enrolled), -1, dtype=np.int64)
    if n_wards > 1:
        moved = np.flatnonzero(rng.random(len(enrolled)) < params["moved_share"])
        listed_ward[moved], house[moved] = _old_addresses(listed_ward[moved], houses_per_ward, rng)
        status[moved] = ROLL_MOVED
    # A duplicate: the person is listed at home (or where the entry above says) and again at an old address.
    dup_ward, dup_house = _old_addresses(ward[enrolled[twice]].astype(np.int64), houses_per_ward, rng)
    age = printed_ages(age_q[np.concatenate([enrolled, enrolled[twice]])], params, rng)

    # Ghosts: mostly the elderly dead, some younger people who left.
    old = rng.random(n_ghost) < 0.7
    ghost_age = np.where(old, rng.integers(70, 96, n_ghost), rng.integers(25, 50, n_ghost))
    ghost_sex = (rng.random(n_ghost) < 0.5).astype(np.int8)
    ghost_community = (
        community[rng.integers(0, len(community), n_ghost)] if len(community) else np.zeros(n_ghost, dtype=np.int8)
    )
    ghost_ward = rng.integers(0, n_wards, n_ghost)
    ghost_house = (rng.random(n_ghost) * houses_per_ward[ghost_ward]).astype(np.int64) + 1

    variant = rng.random(target) < params["variant_share"]
    return RollDraw(
        person=np.concatenate([enrolled, enrolled[twice], np.full(n_ghost, -1)]),
        status=np.concatenate(
            [status, np.full(len(twice), ROLL_DUPLICATE, dtype=np.int8), np.full(n_ghost, ROLL_GHOST, dtype=np.int8)]
        ),
        ward=np.concatenate([listed_ward, dup_ward, ghost_ward]),
        house_serial=np.concatenate([house, dup_house, ghost_house]),
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
