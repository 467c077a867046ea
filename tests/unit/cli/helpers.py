"""Helpers of the command-line tests: a full disk, and the one error message of a command."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import polars as pl
import pytest
from typer.testing import CliRunner

from synth.cli import app


def full_disk_parquet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Parquet write starts its file, then fails as Polars fails on a full disk (not as an OSError)."""

    def full(self: pl.DataFrame, file: str | Path, *args: object, **kwargs: object) -> None:
        Path(file).write_bytes(b"PAR1 partial")
        raise pl.exceptions.ComputeError(
            "parquet: File out of specification: underlying IO error: No space left on device (os error 28)"
        )

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)


class _FullFile:
    """A file open for writing on a full disk: the first bytes land, then the write fails with ENOSPC."""

    def __init__(self, file: IO[Any]) -> None:
        self.file = file

    def write(self, data: Any) -> int:
        self.file.write(data[:10])
        self.file.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def full_disk_files(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Every file Python opens for writing (``Path.write_text``, ``write_bytes``) starts, then fails with ENOSPC
    as on a full disk; returns the number of such files opened."""
    real = Path.open
    calls = [0]

    def open_(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        file = real(self, mode, *args, **kwargs)
        if not any(c in mode for c in "wax+"):
            return file
        calls[0] += 1
        return _FullFile(file)

    monkeypatch.setattr(Path, "open", open_)
    return lambda: calls[0]


def error_of(args: list[str]) -> str:
    """The one error message of a command that must end with exit status 2 (nothing else on stderr)."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error:"), result.stderr
    assert result.stderr.count("error:") == 1, result.stderr
    assert result.stdout == ""
    return " ".join(result.stderr.split())


def error_after_progress(args: list[str]) -> str:
    """The one error message of a command that failed once its work had started: the progress lines it printed
    (none of them an error), then the error, exit status 2."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("error:") == 1, result.stderr
    assert result.stdout == ""
    before, _, after = result.stderr.partition("error:")
    assert all(line.startswith(("running ", "building ", "learning ")) for line in before.splitlines()), before
    return " ".join(("error:" + after).split())
