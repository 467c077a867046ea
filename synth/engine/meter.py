"""What a piece of work cost this process: wall seconds, CPU seconds (all threads) and peak resident memory.

The peak is the kernel's own high-water mark of the process (``VmHWM``), reset at the start of the piece
(``/proc/self/clear_refs``, Linux 4.0 and later), so it is the peak of that piece, not of the process's life.
Where the reset is not allowed the mark is the process's peak so far, and :attr:`Cost.peak_is_own` says so.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass(frozen=True)
class Cost:
    """The cost of one piece of work in this process."""

    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    peak_is_own: bool  # False: the peak may belong to earlier work of the process (the reset was refused)


class Meter:
    """What :func:`metered` yields: its :attr:`cost` once the block has ended."""

    def __init__(self) -> None:
        self._cost: Cost | None = None

    @property
    def cost(self) -> Cost:
        if self._cost is None:
            raise RuntimeError("the metered block has not ended; read its cost after it")
        return self._cost


def peak_rss_bytes() -> int:
    """The process's resident high-water mark in bytes (``VmHWM``; ``ru_maxrss`` where /proc is absent)."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * scale


def _reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


@contextmanager
def metered() -> Iterator[Meter]:
    """Measure the block: ``with metered() as m: ...`` then ``m.cost``."""
    meter = Meter()
    own = _reset_peak()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield meter
    finally:
        meter._cost = Cost(time.perf_counter() - wall, time.process_time() - cpu, peak_rss_bytes(), own)
