"""House numbers and house names of a local body's households."""

from __future__ import annotations

import numpy as np

from synth.world.names import COMMUNITIES, Vocabulary


def house_names(vocab: Vocabulary, community: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """House-name word indices ``(a, b)``: Hindu houses compose a prefix and a suffix, others a family name."""
    u = rng.random(len(community))
    a = vocab.house_prefix.draw(u)
    b = vocab.house_suffix.draw(rng.random(len(community)))
    for c in (COMMUNITIES.index("christian"), COMMUNITIES.index("muslim")):
        sel = community == c
        a[sel] = vocab.family[c].draw(u[sel])
        b[sel] = -1
    return a, b


def house_serials(ward: np.ndarray, n_wards: int, rng: np.random.Generator) -> np.ndarray:
    """House numbers 1..H within each ward, in random order."""
    order = np.lexsort((rng.random(len(ward)), ward))
    sizes = np.bincount(ward, minlength=n_wards)
    starts = np.cumsum(sizes) - sizes
    serial = np.empty(len(ward), dtype=np.int64)
    serial[order] = np.arange(len(ward)) - starts[ward[order]] + 1
    return serial
