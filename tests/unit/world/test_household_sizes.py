from datetime import date

import numpy as np
import pytest

from synth.world.demography import build_demography
from synth.world.household_sizes import KINDS, merge_counts, target_bands
from synth.world.households import PARENT, HouseholdParams, form_households
from synth.world.people import sample_people
from synth.world.preset import load_preset

ALL_FOURS = np.array([0, 0, 0, 1.0, 0, 0, 0])


def _sizes(counts: dict[int, int]) -> np.ndarray:
    units = np.zeros(12)
    for size, n in counts.items():
        units[size - 1] = n
    return units


def test_target_bands_sum_sizes_on_the_census_bands() -> None:
    shares = np.arange(1, 13) / np.arange(1, 13).sum()
    assert np.allclose(target_bands(shares) * 78, [1, 2, 3, 4, 5, 6 + 7 + 8, 9 + 10 + 11 + 12])


def test_merges_reach_a_reachable_target_with_the_preferred_kind() -> None:
    units = _sizes({1: 100, 3: 100})
    guests = np.zeros((3, 12))
    guests[:, 0] = 100  # the lone people could join as elderly or as lone adults: the elderly are preferred
    hosts = np.zeros((3, 12))
    hosts[:, 2] = 100
    counts = merge_counts(units, guests, hosts, ALL_FOURS)
    assert counts[KINDS.index("elderly"), 0, 2] == 100
    assert counts.sum() == 100


def test_merges_never_exceed_the_candidates() -> None:
    units = _sizes({1: 100, 3: 100})
    guests = np.zeros((3, 12))
    guests[KINDS.index("lone"), 0] = 30
    hosts = np.zeros((3, 12))
    hosts[KINDS.index("lone"), 2] = 100
    counts = merge_counts(units, guests, hosts, ALL_FOURS)
    assert counts.sum() == counts[KINDS.index("lone"), 0, 2] == 30


def test_no_merge_when_the_sizes_already_match() -> None:
    units = _sizes({4: 50})
    guests = np.full((3, 12), 50.0)
    hosts = np.full((3, 12), 50.0)
    assert not merge_counts(units, guests, hosts, ALL_FOURS).any()


def _params() -> HouseholdParams:
    d = load_preset().params["demography"]
    return HouseholdParams(**{k: d[k] for k in HouseholdParams.__dataclass_fields__})


@pytest.mark.parametrize("district", ["03", "10", "12"])
def test_a_local_body_of_sixteen_thousand_has_its_districts_household_sizes(district: str) -> None:
    demo = build_demography(load_preset())
    d = demo.district_index(district)
    rng = np.random.default_rng(7)
    people = sample_people(np.array([4000, 5000, 3000, 4000]), d, demo, date(2026, 2, 1), 6.0, rng)
    hh = form_households(people, 3, _params(), demo.household_size_2026[d], rng)
    size = np.bincount(hh.household)
    got = np.array([(size == s).sum() for s in range(1, 6)] + [((size >= 6) & (size <= 8)).sum(), (size >= 9).sum()])
    want = target_bands(demo.household_size_2026[d])
    assert 0.5 * np.abs(got / got.sum() - want).sum() < 0.05
    # who took whom in: co-resident parents are a widowed person of 55 and over, or a couple of whom the elder is,
    # a generation (the preset's smallest maternal gap, 17 years) older than the head
    parents = np.flatnonzero(hh.relation == PARENT)
    age = people.age.astype(int)
    elder = np.where(hh.spouse[parents] >= 0, np.maximum(age[parents], age[hh.spouse[parents]]), age[parents])
    assert len(parents) > 500
    assert (elder >= 55).all()
    assert (elder - age[hh.head[hh.household[parents]]] >= 17).all()
