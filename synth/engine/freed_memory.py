"""Give the memory a process has freed back to the system, between units of work.

glibc's ``malloc`` keeps what is freed inside its heap for reuse, and gives back only a free stretch at the heap's top
larger than its trim threshold. After a unit whose arrays and buffers went through it in pieces below the ``mmap``
threshold (hash reversal's batches of candidates), the freed pages stay resident wherever a live block lies above
them: on the whole state, 0.75 to 1.1 GiB held free after `hash_plain`'s hash reversal, in every later unit of
the run.
``malloc_trim(0)`` returns every free page of the heap, wherever it lies. Polars' and DuckDB's own allocators give
theirs back on their own; a process without glibc (macOS, musl) has nothing to do here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (AttributeError, OSError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    result: Callable[[int], int] = trim
    return result


def give_back_freed_memory() -> bool:
    """Return the pages glibc's heap holds free to the system (``malloc_trim(0)``).

    Returns
    -------
    bool
        Whether any memory was given back (False where the C library is not glibc).
    """
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
