"""What a piece of work cost this process: wall seconds, CPU seconds (all threads) and peak resident memory.

The kernel keeps one high-water mark of a process's resident memory (``VmHWM``; ``ru_maxrss``, which
``/usr/bin/time -v`` and a parent's ``RUSAGE_CHILDREN`` read). It is never reset here: a reset
(``/proc/self/clear_refs``) would give each piece a mark of its own, but the kernel would then report the peak since
the last reset as the process's peak, and every tool measuring the run from outside would read too little (over the
whole state, 15.0 GiB where a unit had held 17.6).

So a piece's own peak is:

- where it raised the process's mark, that mark: exact (:attr:`Cost.peak_is_exact`); the piece that sets a process's
  peak is always measured this way;
- otherwise the largest resident memory sampled every :data:`EVERY` seconds while it ran: a lower bound, short of the
  truth only by a rise and fall quicker than the interval, below a peak the process had already reached (where
  /proc is absent, nothing is sampled: the process's mark so far, an upper bound).
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_STATM = "/proc/self/statm"
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
EVERY = 0.01  # seconds between two samples of a piece's resident memory


@dataclass(frozen=True)
class Cost:
    """The cost of one piece of work in this process."""

    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    peak_is_exact: bool  # True: the piece raised the process's high-water mark; False: sampled (a lower bound)


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


class _Sampler:
    """The largest resident memory of this process, read from ``/proc/self/statm`` every ``every`` seconds by a
    thread of its own until :meth:`stop` (0 where /proc is absent)."""

    def __init__(self, every: float) -> None:
        self._every = every
        self._stopped = threading.Event()
        self.largest = 0
        try:
            self._fd: int | None = os.open(_STATM, os.O_RDONLY)
        except OSError:
            self._fd = None
        self._thread = threading.Thread(target=self._run, name="synth-meter", daemon=True)

    def _read(self) -> None:
        if self._fd is not None:
            # statm: total and resident size in pages; read at offset 0, the kernel writes it afresh
            self.largest = max(self.largest, int(os.pread(self._fd, 128, 0).split()[1]) * _PAGE)

    def _run(self) -> None:
        while not self._stopped.wait(self._every):
            self._read()

    def start(self) -> None:
        self._read()
        if self._fd is not None:
            self._thread.start()

    def stop(self) -> int:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()
        self._read()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        return self.largest


@contextmanager
def metered(every: float = EVERY) -> Iterator[Meter]:
    """Measure the block: ``with metered() as m: ...`` then ``m.cost`` (see the module's docstring for the peak)."""
    meter = Meter()
    before = peak_rss_bytes()
    sampler = _Sampler(every)
    sampler.start()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield meter
    finally:
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        sampled = sampler.stop()
        after = peak_rss_bytes()
        raised = after > before
        meter._cost = Cost(wall, cpu, max(sampled, after) if raised else (sampled or after), raised)
