"""What the session's pytest-xdist workers share: a folder of the session's, and a lock to build in it one at a time.

A fixture that takes seconds to build and is only read afterwards (a district's world, the smoke run) is built once
per session in :func:`session_folder`, by the first worker that needs it, while it holds :func:`exclusive`; a worker
that needs it meanwhile waits for the lock, then finds it built.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

import pytest


def session_folder(factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The folder of the whole session: above each worker's own (``worker_id`` is pytest-xdist's; ``"master"``
    when the tests run in one process)."""
    own = factory.getbasetemp()
    return own if worker_id == "master" else own.parent


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Held by one process at a time: the others wait for it."""
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
