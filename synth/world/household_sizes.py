"""Who lives with whom beyond the family core, chosen so that household sizes match the district's.

Once couples, their children and orphaned minors are placed (:mod:`synth.world.households`), each family unit
is a household of its own. Three kinds of unit may then join another household of their ward and community:

- ``young_couple``: a couple whose husband is 34 or younger (with its children) joins the household of the
  generation above (patrilocal joint families);
- ``elderly``: a widowed or separated person of 55 and over, or a couple whose husband is 55 and over, joins a
  family whose head is about a generation younger;
- ``lone``: another adult living alone joins any family.

The preset's shares (``young_couple_with_parents``, ``elderly_single_coreside``, ...) say which units *may*
join: each unit is a candidate with that probability. How many candidates of each kind and size join
households of each size is chosen by a linear program (HiGHS) so that the local body's household sizes, on the
census's bands 1, 2, 3, 4, 5, 6-8 and 9+, come as close as they can to the district's target shares (the Census
2011 table moved to the 2026 age structure, ``demography/household_size_2026.csv``). The units themselves are
then drawn at random and paired by age within ward and community, as the family rules ask. Two rounds let a
household that took someone in take in one more (the joint families of six and more).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog  # type: ignore[import-untyped]

KINDS = ("elderly", "young_couple", "lone")
MAX_SIZE = 12  # sizes above are counted as 12 (the census's last band is 9+)
BAND_OF_SIZE = np.array([0, 0, 1, 2, 3, 4, 5, 5, 5, 6, 6, 6, 6])  # size 0..12 -> band 1, 2, 3, 4, 5, 6-8, 9+
ROUNDS = 2
# Per merge, far below one household: among equally close solutions, prefer the elderly living with family, then
# young couples with their parents, then lone adults taken in.
KIND_COST = (1e-4, 2e-4, 3e-4)


@dataclass(frozen=True)
class Candidates:
    """Who may join whom, for one kind of unit: boolean masks over people (``True`` only at unit anchors)."""

    guest: np.ndarray
    host: np.ndarray
    guest_key: np.ndarray  # age key guests and hosts are paired on (rank within ward and community)
    host_key: np.ndarray
    fits: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (guests, hosts) -> pairs allowed


def target_bands(shares: np.ndarray) -> np.ndarray:
    """Shares of sizes 1..12 summed on the census's bands (1, 2, 3, 4, 5, 6-8, 9+)."""
    bands = np.zeros(7)
    np.add.at(bands, BAND_OF_SIZE[1 : len(shares) + 1], shares)
    return bands / bands.sum()


def merge_counts(units: np.ndarray, guests: np.ndarray, hosts: np.ndarray, target: np.ndarray) -> np.ndarray:
    """How many guests of each kind and size to move into hosts of each size.

    Parameters
    ----------
    units
        Households of each size 1..``MAX_SIZE`` (index 0 = size 1).
    guests, hosts
        ``[kind, size]``: candidates of each kind that could join, and households that could take them in.
    target
        Target shares of the seven census bands.

    Returns
    -------
    numpy.ndarray
        Whole numbers ``[kind, guest size, host size]``. Each household takes in at most one guest, and is a
        guest or a host, not both; the sizes that result are as near the target as a linear program finds
        (the distance summed over bands, in households, with the target scaled to the households left).
    """
    k, s = guests.shape
    # one variable per possible merge: a kind with guests of size ga + 1 and hosts of size hb + 1
    kind, ga, hb = (axis.ravel() for axis in np.nonzero((guests[:, :, None] > 0) & (hosts[:, None, :] > 0)))
    out = np.zeros((k, s, s), dtype=np.int64)
    if len(kind) == 0:
        return out
    n_x = len(kind)
    cells = np.arange(n_x)
    joined = np.minimum(ga + hb + 2, s)
    # each merge takes a household from the guest's band and one from the host's, adds one to the band of their
    # sum; and the target, scaled to the households left, falls by its share (one household fewer)
    per_band = np.tile(target[:, None], (1, n_x))
    np.subtract.at(per_band, (BAND_OF_SIZE[ga + 1], cells), 1)
    np.subtract.at(per_band, (BAND_OF_SIZE[hb + 1], cells), 1)
    np.add.at(per_band, (BAND_OF_SIZE[joined], cells), 1)
    have = np.zeros(7)
    np.add.at(have, BAND_OF_SIZE[np.arange(1, s + 1)], units)
    gap = target * units.sum() - have  # band j is off by per_band[j] @ x - gap[j]; minimise the sum of |that|
    guest_use = np.zeros((k * s, n_x))
    guest_use[kind * s + ga, cells] = 1
    host_use = np.zeros((k * s, n_x))
    host_use[kind * s + hb, cells] = 1
    size_use = np.zeros((s, n_x))  # a household is a guest or a host, once
    np.add.at(size_use, (ga, cells), 1)
    np.add.at(size_use, (hb, cells), 1)
    eye, zeros = np.eye(7), np.zeros((k * s, 7))
    a_ub = np.vstack(
        [
            np.hstack([per_band, -eye]),
            np.hstack([-per_band, -eye]),
            np.hstack([guest_use, zeros]),
            np.hstack([host_use, zeros]),
            np.hstack([size_use, np.zeros((s, 7))]),
        ]
    )
    b_ub = np.concatenate([gap, -gap, guests.ravel(), hosts.ravel(), units])
    cost = np.concatenate([np.asarray(KIND_COST)[kind], np.ones(7)])
    found = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if found.status != 0:  # pragma: no cover - no merge at all is always feasible
        raise RuntimeError(f"household sizes: HiGHS found no merge ({found.message})")
    out[kind, ga, hb] = np.floor(found.x[:n_x] + 0.5).astype(np.int64)
    return out


def join_units(
    anchor: np.ndarray,
    group: np.ndarray,
    kinds: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[Candidates, ...]],
    target: np.ndarray,
    match: Callable[..., tuple[np.ndarray, np.ndarray]],
    rng: np.random.Generator,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Move units into other households, ``ROUNDS`` times, as :func:`merge_counts` asks.

    Parameters
    ----------
    anchor
        Each person's unit anchor (a person index; an anchor points at itself).
    group
        Ward and community of each person: units join only within their group.
    kinds
        ``kinds(anchor, unit_size, received)`` gives the :class:`Candidates` of each kind in ``KINDS`` order
        (``received``: the anchors of households that took someone in, which no longer join another).
    target
        Target shares of the census bands.
    match
        Pairs guests and hosts by key rank within groups (:func:`synth.world.households.match_in_groups`).
    rng
        The local body's generator.

    Returns
    -------
    tuple
        The new anchors, and per kind the anchors of the units that joined another household.
    """
    n = len(anchor)
    idx = np.arange(n)
    moved: list[list[np.ndarray]] = [[] for _ in KINDS]
    received = np.zeros(n, dtype=bool)
    for _ in range(ROUNDS):
        size = np.bincount(anchor, minlength=n)
        is_anchor = anchor == idx
        capped = np.minimum(size, MAX_SIZE)
        units = np.bincount(capped[is_anchor], minlength=MAX_SIZE + 1)[1:]
        candidates = kinds(anchor, size, received)
        guests = np.array([np.bincount(capped[c.guest], minlength=MAX_SIZE + 1)[1:] for c in candidates])
        hosts = np.array([np.bincount(capped[c.host], minlength=MAX_SIZE + 1)[1:] for c in candidates])
        counts = merge_counts(units, guests, hosts, target)
        if not counts.any():
            break
        free = is_anchor.copy()
        destination = idx.copy()
        # each cell looks among its kind's candidates only (a few of the people), not over everyone
        guest_at, host_at = [idx[c.guest] for c in candidates], [idx[c.host] for c in candidates]
        for kind, a, b in zip(*np.nonzero(counts), strict=True):
            c, g, h = candidates[kind], guest_at[kind], host_at[kind]
            g = g[free[g] & (capped[g] == a + 1)]
            h = h[free[h] & (capped[h] == b + 1)]
            ig, ih = match(group[g], c.guest_key[g], group[h], c.host_key[h], rng)
            g, h = g[ig], h[ih]
            ok = c.fits(g, h)
            g, h = g[ok], h[ok]
            take = rng.permutation(len(g))[: counts[kind, a, b]]
            g, h = g[take], h[take]
            destination[g] = h
            free[g] = free[h] = False
            received[h] = True
            moved[kind].append(g)
        anchor = destination[anchor]
    return anchor, [np.concatenate(m) if m else np.zeros(0, dtype=np.int64) for m in moved]
