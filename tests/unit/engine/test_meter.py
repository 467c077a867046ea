"""What a piece of work cost: its own peak memory, wall and CPU seconds."""

from __future__ import annotations

import numpy as np
import pytest

from synth.engine.meter import metered, peak_rss_bytes


def test_the_peak_is_the_blocks_own() -> None:
    with metered() as big:
        block = np.ones(300 * 2**20, dtype=np.uint8)  # 300 MiB, touched
        del block
    with metered() as small:
        block = np.ones(2**20, dtype=np.uint8)
        del block
    assert big.cost.peak_is_own and small.cost.peak_is_own  # Linux lets a process reset its own mark
    # the small block's peak does not carry the big block's: each is its own
    assert big.cost.peak_rss_bytes - small.cost.peak_rss_bytes > 250 * 2**20
    assert small.cost.peak_rss_bytes <= peak_rss_bytes()
    assert big.cost.wall_seconds > 0 and big.cost.cpu_seconds > 0


def test_the_cost_is_read_after_the_block() -> None:
    with metered() as meter, pytest.raises(RuntimeError, match=r"^the metered block has not ended; read its cost"):
        _ = meter.cost
    assert meter.cost.wall_seconds >= 0
