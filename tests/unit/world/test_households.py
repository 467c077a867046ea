from datetime import date

import numpy as np

from synth.world.demography import build_demography
from synth.world.households import (
    CHILD,
    HEAD,
    SPOUSE,
    HouseholdParams,
    form_households,
    match_in_groups,
    random_subset,
)
from synth.world.people import sample_people
from synth.world.preset import load_preset


def _params() -> HouseholdParams:
    d = load_preset().params["demography"]
    return HouseholdParams(**{k: d[k] for k in HouseholdParams.__dataclass_fields__})


def _world(seed: int):  # type: ignore[no-untyped-def]
    demo = build_demography(load_preset())
    rng = np.random.default_rng(seed)
    d = demo.district_index("08")
    people = sample_people(np.array([1500, 900]), d, demo, date(2026, 2, 1), 6.0, rng)
    return people, form_households(people, 3, _params(), demo.household_size_2026[d], rng)


def test_random_subset_takes_exact_counts() -> None:
    group = np.array([0, 0, 0, 1, 1, 2])
    mask = random_subset(group, np.array([2, 0, 1]), np.random.default_rng(0))
    assert np.bincount(group[mask], minlength=3).tolist() == [2, 0, 1]


def test_match_in_groups_pairs_by_rank_within_group() -> None:
    ga = np.array([0, 0, 1])
    ka = np.array([30.0, 50.0, 40.0])
    gb = np.array([0, 0, 1, 1])
    kb = np.array([45.0, 25.0, 35.0, 90.0])
    ia, ib = match_in_groups(ga, ka, gb, kb, np.random.default_rng(0))
    pairs = sorted(zip(ia.tolist(), ib.tolist(), strict=True))
    assert pairs[:2] == [(0, 1), (1, 0)]  # youngest with youngest in group 0
    assert pairs[2][0] == 2 and pairs[2][1] in (2, 3)


def test_seeded_twins() -> None:
    _, a = _world(1)
    _, b = _world(1)
    assert np.array_equal(a.household, b.household)
    assert np.array_equal(a.relation, b.relation)


def test_family_rules() -> None:
    people, hh = _world(2)
    heads = np.bincount(hh.household[hh.relation == HEAD], minlength=hh.count)
    assert (heads == 1).all()
    assert np.array_equal(hh.household[hh.head], np.arange(hh.count))
    wives = np.flatnonzero(hh.spouse >= 0)
    assert (people.sex[wives] != people.sex[hh.spouse[wives]]).all()
    assert (hh.spouse[hh.spouse[wives]] == wives).all()
    kids = np.flatnonzero(hh.mother >= 0)
    gap = people.age[hh.mother[kids]] - people.age[kids]
    assert (people.sex[hh.mother[kids]] == 1).all()
    assert gap.min() >= 17 and gap.max() <= 45
    # everyone lives in their own ward
    assert (people.ward == people.ward[hh.head[hh.household]]).all()
    # spouses of heads are marked as such, and most children live with their mother
    assert (hh.relation[hh.spouse[hh.head][hh.spouse[hh.head] >= 0]] == SPOUSE).all()
    assert (hh.relation == CHILD).mean() > 0.2
