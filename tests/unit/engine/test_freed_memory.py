import os
import platform
from pathlib import Path

import pytest

from synth.engine.freed_memory import give_back_freed_memory

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")


def resident_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@glibc
def test_pages_freed_inside_the_heap_go_back_to_the_system() -> None:
    # 3,000 blocks of 48 KiB (below glibc's mmap threshold, so inside its heap), written to; all but the last freed:
    # the last pins the heap's top, so glibc keeps the 140 MiB below it resident until it is trimmed
    blocks = [b"x" * (48 << 10) for _ in range(3000)]
    last = blocks[-1]
    del blocks
    before = resident_bytes()
    assert give_back_freed_memory() is True
    assert before - resident_bytes() > 100 << 20
    assert len(last) == 48 << 10
