"""How much memory a DuckDB database of Splink's may keep (:mod:`synth.attacks.splink_model`), and the fallback where
DuckDB cannot keep to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import duckdb

# DuckDB keeps the blocks its queries are done with up to its memory limit (by default 80% of the machine's) before it
# gives them back. Under this limit a linker's queries spill to a temporary folder of its own instead; where DuckDB
# cannot spill, the work runs again without the limit (within_memory), so the limit never fails an attack. The counts
# are the same either way. On the whole state it took 1.0 GiB off drop_names' probabilistic linkage (11.92 to 10.92 GiB,
# nothing spilt, the same links); local_body_not_ward spilt 577 MiB and did not fail.
DUCKDB_MEMORY = "1GB"


Result = TypeVar("Result")


def within_memory(work: Callable[[str | None], Result]) -> Result:
    """``work(DUCKDB_MEMORY)``, or ``work(None)`` (DuckDB's own limit) where DuckDB ran out of memory under the first:
    an operator DuckDB cannot spill must not fail the attack."""
    try:
        return work(DUCKDB_MEMORY)
    except Exception as exc:  # Splink wraps DuckDB's errors: the cause is down the chain
        if not _out_of_memory(exc):
            raise
    return work(None)


def _out_of_memory(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, duckdb.OutOfMemoryException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
