"""Households: people are grouped into families without changing anyone's age or sex.

People are drawn first (so the age and sex structure is exact); families are then formed within
each ward and community by rank matching, which keeps realistic age gaps:

1. couples: married men and women paired by age plus the usual spousal gap; surplus married
   women have husbands away (the Gulf) and head their own household;
2. children: never-married people up to ``dependent_max_age`` join a mother whose age minus theirs
   lies in the maternal-gap range; children with no such mother live with relatives;
3. joint households: young couples join the generation above, the elderly a family whose head is
   about a generation younger, and lone adults another family of their ward; the preset's shares
   say who may, and :mod:`synth.world.household_sizes` chooses how many so that household sizes
   match the district's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.world.household_sizes import KINDS, Candidates, join_units, target_bands
from synth.world.people import People

HEAD, SPOUSE, CHILD, PARENT, OTHER = 0, 1, 2, 3, 4
RELATIONS = ("head", "spouse", "child", "parent", "other_relative")
NEVER, MARRIED, WIDOWED, SEPARATED = 0, 1, 2, 3
MOTHER_WINDOW = 3  # a child picks among the few women nearest its target mother's age
MOTHER_CAPACITY = (2, 2, 3, 4)  # children a mother can take at home, pass by pass


@dataclass(frozen=True)
class HouseholdParams:
    spouse_gap_mean: float
    spouse_gap_sd: float
    maternal_gap_mean: float
    maternal_gap_sd: float
    maternal_gap_min: int
    maternal_gap_max: int
    dependent_max_age: int
    elderly_single_coreside: float
    elderly_couple_coreside: float
    young_couple_with_parents: float
    lone_never_married_join: float
    lone_married_join: float
    lone_widowed_join: float


@dataclass(frozen=True)
class Households:
    """Family links of one local body's people (index -1 = none in the world)."""

    household: np.ndarray  # household index per person, 0..H-1
    head: np.ndarray  # person index of each household's head
    relation: np.ndarray  # index into RELATIONS
    spouse: np.ndarray
    mother: np.ndarray
    father: np.ndarray

    @property
    def count(self) -> int:
        return len(self.head)


def random_subset(group: np.ndarray, keep: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask choosing, uniformly at random, ``keep[g]`` members of each group ``g``."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((rng.random(n), group))
    sizes = np.bincount(group, minlength=len(keep))
    starts = np.cumsum(sizes) - sizes
    g_sorted = group[order]
    rank = np.arange(n) - starts[g_sorted]
    mask = np.zeros(n, dtype=bool)
    mask[order] = rank < keep[g_sorted]
    return mask


def match_in_groups(
    group_a: np.ndarray, key_a: np.ndarray, group_b: np.ndarray, key_b: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pair items of A and B within each group by rank of key.

    In each group ``min(|A|, |B|)`` items of each side are chosen at random and paired in key order.
    Returns the positions (into A and into B) of the pairs.
    """
    if len(group_a) == 0 or len(group_b) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    n_groups = int(max(group_a.max(), group_b.max())) + 1
    m = np.minimum(np.bincount(group_a, minlength=n_groups), np.bincount(group_b, minlength=n_groups))
    ia = np.flatnonzero(random_subset(group_a, m, rng))
    ib = np.flatnonzero(random_subset(group_b, m, rng))
    ia = ia[np.lexsort((key_a[ia], group_a[ia]))]
    ib = ib[np.lexsort((key_b[ib], group_b[ib]))]
    return ia, ib


def _pick_in_group(group: np.ndarray, pool: np.ndarray, pool_group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each item, a random member of ``pool`` in the same group (-1 if the group has none)."""
    out = np.full(len(group), -1, dtype=np.int64)
    if len(pool) == 0 or len(group) == 0:
        return out
    n_groups = int(max(group.max(), pool_group.max())) + 1
    order = np.argsort(pool_group, kind="stable")
    sizes = np.bincount(pool_group, minlength=n_groups)
    starts = np.cumsum(sizes) - sizes
    have = sizes[group] > 0
    pick = starts[group] + (rng.random(len(group)) * sizes[group]).astype(np.int64)
    out[have] = pool[order[pick[have]]]
    return out


def _nearest_in_group(
    group: np.ndarray,
    target: np.ndarray,
    pool_group: np.ndarray,
    pool_value: np.ndarray,
    window: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """For each item, a random pool member of the same group among the ``window`` nearest in value.

    Returns positions into the pool (-1 where the group has no pool member).
    """
    out = np.full(len(group), -1, dtype=np.int64)
    if len(pool_group) == 0 or len(group) == 0:
        return out
    span = float(max(pool_value.max(), target.max()) + 2 * window + 10)
    pool_key = pool_group * span + pool_value + rng.random(len(pool_group))
    order = np.argsort(pool_key, kind="stable")
    sorted_key = pool_key[order]
    n_groups = int(max(group.max(), pool_group.max())) + 1
    sizes = np.bincount(pool_group, minlength=n_groups)
    starts = np.cumsum(sizes) - sizes
    pos = np.searchsorted(sorted_key, group * span + target)
    pos = pos + rng.integers(-window, window + 1, len(group))
    lo, hi = starts[group], starts[group] + sizes[group] - 1
    have = sizes[group] > 0
    pos = np.clip(pos, lo, np.maximum(hi, lo))
    out[have] = order[pos[have]]
    return out


def _assign_with_capacity(
    group: np.ndarray, target: np.ndarray, pool_group: np.ndarray, pool_value: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Nearest-in-group assignment where each pool member takes a limited number of items.

    Passes widen the search window and raise the capacity (``MOTHER_CAPACITY``), so most mothers
    have one to three children at home, as in Kerala's low-fertility families, rather than the long
    tail an unconstrained draw gives.
    """
    out = np.full(len(group), -1, dtype=np.int64)
    load = np.zeros(len(pool_group), dtype=np.int64)
    todo = np.arange(len(group))
    for step, capacity in enumerate(MOTHER_CAPACITY):
        open_pool = np.flatnonzero(load < capacity)
        if len(todo) == 0 or len(open_pool) == 0:
            break
        cand = _nearest_in_group(
            group[todo], target[todo], pool_group[open_pool], pool_value[open_pool], MOTHER_WINDOW * (step + 1), rng
        )
        ok = cand >= 0
        items, chosen = todo[ok], open_pool[cand[ok]]
        order = np.lexsort((rng.random(len(items)), chosen))
        items, chosen = items[order], chosen[order]
        new_run = np.r_[True, chosen[1:] != chosen[:-1]] if len(chosen) else np.zeros(0, dtype=bool)
        run_start = np.maximum.accumulate(np.where(new_run, np.arange(len(chosen)), 0)) if len(chosen) else chosen
        accept = (np.arange(len(chosen)) - run_start) < (capacity - load[chosen])
        out[items[accept]] = chosen[accept]
        load += np.bincount(chosen[accept], minlength=len(load))
        done = np.zeros(len(group), dtype=bool)
        done[items[accept]] = True
        todo = todo[~done[todo]]
    return out


def form_households(
    people: People, n_communities: int, params: HouseholdParams, size_shares: np.ndarray, rng: np.random.Generator
) -> Households:
    """Group one local body's people into households (see the module docstring).

    ``size_shares`` holds the district's shares of households of sizes 1..12, which the sizes are calibrated to.
    """
    n = len(people)
    age = people.age.astype(np.int64)
    sex, marital = people.sex, people.marital
    group = people.ward.astype(np.int64) * n_communities + people.community
    idx = np.arange(n)

    # 1. Couples.
    men = idx[(marital == MARRIED) & (sex == 0)]
    women = idx[(marital == MARRIED) & (sex == 1)]
    gap = rng.normal(params.spouse_gap_mean, params.spouse_gap_sd, len(women))
    a, b = match_in_groups(group[men], age[men] + rng.random(len(men)), group[women], age[women] + gap, rng)
    husbands, wives = men[a], women[b]
    ok = (age[husbands] - age[wives] >= -5) & (age[husbands] - age[wives] <= 25)
    husbands, wives = husbands[ok], wives[ok]
    spouse = np.full(n, -1, dtype=np.int64)
    spouse[husbands], spouse[wives] = wives, husbands

    # 2. Children with their mothers: each child takes a random mother among the women of its ward
    # and community whose age is nearest to its own age plus a drawn maternal gap.
    dependants = idx[(marital == NEVER) & (age <= params.dependent_max_age)]
    moms = idx[(marital != NEVER) & (sex == 1) & (age >= params.maternal_gap_min)]
    target = age[dependants] + np.clip(
        rng.normal(params.maternal_gap_mean, params.maternal_gap_sd, len(dependants)),
        params.maternal_gap_min,
        params.maternal_gap_max,
    )
    kid_moms = _assign_with_capacity(group[dependants], target, group[moms], age[moms], rng)
    found = kid_moms >= 0
    kids, kid_moms = dependants[found], moms[kid_moms[found]]
    gap_ok = (age[kid_moms] - age[kids] >= params.maternal_gap_min) & (
        age[kid_moms] - age[kids] <= params.maternal_gap_max
    )
    kids, kid_moms = kids[gap_ok], kid_moms[gap_ok]
    mother = np.full(n, -1, dtype=np.int64)
    mother[kids] = kid_moms
    father = np.where(mother >= 0, spouse[np.maximum(mother, 0)], -1)
    father[mother < 0] = -1

    # 3. Household anchors: a couple's is the husband; a child's is its mother's.
    anchor = idx.copy()
    anchor[wives] = husbands
    anchor[kids] = anchor[kid_moms]
    # Minors with no mother here live with relatives.
    orphans = dependants[(mother[dependants] < 0) & (age[dependants] < 18)]
    hosts = idx[(anchor == idx) & (age >= 18)]
    chosen = _pick_in_group(group[orphans], hosts, group[hosts], rng)
    anchor[orphans[chosen >= 0]] = chosen[chosen >= 0]

    # 4. Beyond the family core, young couples, the elderly and lone adults join other households of their ward,
    # as many of each as bring the local body's household sizes nearest the district's (household_sizes).
    draws = rng.random((3, n))
    p_join = np.select(
        [marital == NEVER, marital == MARRIED],
        [params.lone_never_married_join, params.lone_married_join],
        params.lone_widowed_join,
    )

    def generation(younger: np.ndarray, elder: np.ndarray) -> np.ndarray:
        gap = age[elder] - age[younger]
        return (gap >= params.maternal_gap_min) & (gap <= 50)

    # what does not change from round to round
    may_old = (age >= 55) & (
        (spouse < 0) & (marital != NEVER) & (draws[0] < params.elderly_single_coreside)
        | (spouse >= 0) & (draws[0] < params.elderly_couple_coreside)
    )
    may_young = (spouse >= 0) & (age <= 34) & (draws[1] < params.young_couple_with_parents)
    may_lone = (age >= 18) & (draws[2] < p_join)
    takes_old = (spouse >= 0) & (age >= 25) & (age <= 59)
    takes_young = (age >= 45) & ((spouse >= 0) | (age <= 80))
    older = params.maternal_gap_mean + 2

    def kinds(anchor: np.ndarray, size: np.ndarray, received: np.ndarray) -> tuple[Candidates, ...]:
        is_anchor = anchor == idx
        alone = is_anchor & ~received
        old = alone & may_old
        jitter, ties = rng.normal(0, 3, n), rng.random((2, n))
        return (
            Candidates(
                guest=old,
                host=is_anchor & takes_old,
                guest_key=age - older + jitter,
                host_key=age + ties[0],
                fits=lambda g, h: generation(h, g),
            ),
            Candidates(
                guest=alone & may_young,
                host=is_anchor & takes_young,
                guest_key=age + older + jitter,
                host_key=age + ties[0],
                fits=generation,
            ),
            Candidates(
                guest=alone & (size == 1) & may_lone & ~old,
                host=is_anchor & (size >= 2),
                guest_key=ties[0],
                host_key=ties[1],
                fits=lambda g, h: np.ones(len(g), dtype=bool),
            ),
        )

    anchor, moved = join_units(anchor, group, kinds, target_bands(size_shares), match_in_groups, rng)
    parents = moved[KINDS.index("elderly")]
    parent_flag = np.zeros(n, dtype=bool)
    parent_flag[parents] = True
    parent_flag[spouse[parents][spouse[parents] >= 0]] = True

    # 5. Households and relations to the head. Every move above points at a household anchor;
    # following the links to their end keeps that true even if a host later moved too.
    while (anchor[anchor] != anchor).any():
        anchor = anchor[anchor]
    heads, household = np.unique(anchor, return_inverse=True)
    head_of = anchor
    relation = np.full(n, OTHER, dtype=np.int8)
    mom = np.maximum(mother, 0)
    is_child = (mother >= 0) & ((mom == head_of) | (spouse[mom] == head_of))
    relation[is_child] = CHILD
    relation[parent_flag] = PARENT
    relation[(spouse >= 0) & (spouse == head_of)] = SPOUSE
    relation[idx == head_of] = HEAD
    return Households(
        household=household.astype(np.int64),
        head=heads.astype(np.int64),
        relation=relation,
        spouse=spouse,
        mother=mother,
        father=father,
    )
