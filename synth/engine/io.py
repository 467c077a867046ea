"""The project's one home for files: atomic writes, checksums, the versions a manifest records, the check of
an output folder, and the progress callback every long command takes.

Every file is written under a temporary name that no other process writes to (this host, this process) and
renamed into place, so a file is either whole or absent, even when Dask reruns a task whose worker was lost
while the first attempt still writes (world shards and scenario cells both run as Dask tasks).
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import platform
import re
import socket
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import polars as pl

from synth.errors import OutputError
from synth.version import __version__

# store(key, compute): the frame kept under ``key`` (a content key of everything it depends on), else ``compute()``
# kept under it (ResultStore)
Memo = Callable[[str, Callable[[], pl.DataFrame]], pl.DataFrame]

ParquetCompression = Literal["zstd", "lz4"]

Progress = Callable[[int, int, str], None]
"""``progress(done, total, what)``: called after each finished unit of work (a shard, a cell, a stage)."""

TEMPORARY_GLOB = ".*.tmp-*"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the synth package
VERSIONED_PACKAGES = ("numpy", "polars", "pyarrow", "phonenumbers", "scipy")  # scipy: HiGHS sizes households


def temporary_name(path: Path) -> Path:
    """A temporary name beside ``path`` that no other process writes to, on this machine or another sharing
    the folder (a Dask task rerun after its worker was lost may overlap the first attempt)."""
    return path.with_name(f".{path.name}.tmp-{socket.gethostname()}-{os.getpid()}")


def atomic_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    tmp = temporary_name(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all."""
    atomic_bytes(path, text.encode())


def atomic_json(path: Path, obj: Any) -> None:
    """Write ``obj`` as indented JSON with sorted keys, whole or not at all."""
    atomic_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())


def atomic_parquet(path: Path, frame: pl.DataFrame, compression: ParquetCompression = "zstd") -> None:
    """Write ``frame`` as Parquet with statistics (zstd, or ``compression``: lz4 writes in about half the time,
    for files read back once), whole or not at all.

    Raises
    ------
    OSError
        When the write fails in the operating system (a full disk, say), also where Polars reports it as a
        ``ComputeError`` naming the OS error (``"No space left on device (os error 28)"``).
    """
    tmp = temporary_name(path)
    try:
        frame.write_parquet(tmp, compression=compression, statistics=True)
        os.replace(tmp, path)
    except pl.exceptions.ComputeError as exc:
        code = re.search(r"\(os error (\d+)\)", str(exc))
        if code is None:
            raise
        raise OSError(int(code[1]), os.strerror(int(code[1])), str(path)) from exc
    finally:
        tmp.unlink(missing_ok=True)


def clean_temporaries(folder: Path) -> None:
    """Remove the files interrupted atomic writes left anywhere under ``folder`` (nothing when it is no folder)."""
    for tmp in folder.rglob(TEMPORARY_GLOB) if folder.is_dir() else ():
        if tmp.is_file():
            tmp.unlink(missing_ok=True)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def versions() -> dict[str, str]:
    """Python's version, this package's and those of the libraries that shape the bytes written."""
    out = {"python": platform.python_version(), "synth-citizens": __version__}
    for pkg in VERSIONED_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def source_digest(root: Path, packages: tuple[str, ...]) -> str:
    """A SHA-256 (hex) of every file under ``root / package`` for each of ``packages`` (``"."``: all of
    ``root``): each file's path relative to ``root``, then its bytes, in the order of the sorted paths.
    Compiled files (``__pycache__``) are left out."""
    digest = hashlib.sha256()
    for package in packages:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def code_digest() -> str:
    """A SHA-256 (hex) of the code and data of this package, Python's version and the version of every installed
    distribution: what a result kept between runs (:class:`ResultStore`) may depend on beyond its inputs."""
    installed = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    environment = json.dumps([platform.python_version(), installed])
    return hashlib.sha256(f"{source_digest(PACKAGE_ROOT, ('.',))}\n{environment}".encode()).hexdigest()


def store_folder(root: Path) -> Path:
    """Where :class:`ResultStore` keeps results under ``root`` for this code and these libraries
    (``root/<16 hex digits of code_digest()>``): a changed file of the package, or another version of any
    library, reads and writes another folder, so no result computed by other code is ever read back."""
    return root / code_digest()[:16]


class _Hashing(io.BytesIO):
    """A file that feeds what is written to it into ``digest`` and keeps nothing: a frame is hashed as Polars writes
    it, never held whole (the IPC bytes of a roll in a release's coding were held three times over: 0.35 GB for 5
    million short rows)."""

    def __init__(self, digest: Any) -> None:
        super().__init__()
        self.digest = digest

    def write(self, data: Any) -> int:
        self.digest.update(data)
        return len(data)


def content_key(*parts: object) -> str:
    """A SHA-256 (hex) of exactly what produced a result: frames by their Arrow IPC bytes, anything else by its
    ``repr``. Equal keys mean equal inputs. Frames are written in one layout for one content (one chunk, strings
    as offsets and bytes rather than views into buffers that hold what other operations left there), so equal
    frames get equal keys in any process (categorical columns, whose codes depend on what the process saw
    before, may not: a missed reuse, never a wrong one).

    Examples
    --------
    >>> content_key(pl.DataFrame({"a": [1]}), 0.5) == content_key(pl.DataFrame({"a": [1]}), 0.5)
    True
    >>> content_key(pl.DataFrame({"a": [1]}), 0.5) == content_key(pl.DataFrame({"a": [2]}), 0.5)
    False
    """
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, pl.DataFrame):
            h.update(b"frame:")
            part.rechunk().write_ipc(_Hashing(h), compression="uncompressed", compat_level=pl.CompatLevel.oldest())
        else:
            h.update(b"value:" + repr(part).encode())
        h.update(b"\x00")
    return h.hexdigest()


class ResultStore:
    """Results kept under the content key of exactly what produced them (:func:`content_key`), in ``folder``:
    a result asked for again, by another policy, seed or a rerun, is read back instead of computed.

    Call it as ``store(key, compute)``: the frame stored under ``key``, or ``compute()`` written atomically under
    it. A worker asking for a key another worker is computing waits for it (an exclusive lock on ``KEY.lock``,
    released by the kernel if the holder dies) instead of computing it too. ``computed`` and ``reused`` count the
    calls of this process.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.computed = 0
        self.reused = 0

    def __call__(self, key: str, compute: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        path = self.folder / f"{key}.parquet"
        if path.is_file():
            self.reused += 1
            return pl.read_parquet(path)
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / f"{key}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released on close
            if path.is_file():  # computed by the worker that held the lock
                self.reused += 1
                return pl.read_parquet(path)
            frame = compute()
            atomic_parquet(path, frame)
        self.computed += 1
        return frame


def check_empty_or_new(out: Path, holds: str) -> None:
    """Refuse an output folder that is a file, or a folder that is not empty (it holds something other than
    ``holds``): one :class:`~synth.errors.OutputError` naming the path and what to choose instead."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        raise OutputError(f"{out}: folder is not empty and holds no {holds}; choose an empty or new folder")
