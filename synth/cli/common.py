"""What every command shares: the consoles, the one error message and exit status 2, the executor and output
options, the progress bar, and the turning of a failed write (a full disk) into one message naming the path."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape

from synth.cli.progress import ProgressReport
from synth.engine.io import clean_temporaries
from synth.errors import SynthError

if TYPE_CHECKING:
    from synth.engine import Engine

err = Console(stderr=True)
out = Console(width=None if Console().is_terminal else 160)

WORKERS_HELP = "1: in this process; N > 1: a local Dask cluster of N worker processes (same output)."
SCHEDULER_HELP = "Address of an existing Dask scheduler (tcp://HOST:PORT) whose workers run the work (same output)."
OUT_HELP = "a path, or a file:// URL; with --scheduler, a folder every worker shares"
BUILD_OUT_HELP = f"Output folder: new, empty, or an unfinished build ({OUT_HELP})."
RUN_OUT_HELP = f"Output folder: new, empty, or an unfinished run ({OUT_HELP})."

OS_ERROR_IN_POLARS = re.compile(r"\(os error (\d+)\)")  # how Polars reports an I/O error (not as an OSError)
WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EACCES, errno.EPERM}
TEMPORARY = re.compile(r"\.(?P<name>.+)\.tmp-.*")  # synth.engine.io.temporary_name: .NAME.tmp-HOST-PID


def fail(problem: Exception | str, code: int = 2) -> NoReturn:
    """Print ``error: PROBLEM`` on stderr (the one message) and end the command with ``code``."""
    err.print(f"[bold red]error:[/] {escape(str(problem))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def engine_of(workers: int, scheduler: str | None, problems: list[str]) -> Engine | None:
    """The executor of --workers and --scheduler, validated here once and handed on as it is; or None with
    the problems added."""
    from synth.engine import make_engine

    try:
        return make_engine(workers, scheduler, cli=True)
    except SynthError as exc:
        problems.append(str(exc))
        return None


def out_folder(text: str, problems: list[str]) -> Path | None:
    """The local folder of --out, or None with the problem added."""
    from synth.engine import resolve_out

    try:
        return resolve_out(text)
    except SynthError as exc:
        problems.append(str(exc))
        return None


def engine_and_out(
    workers: int, scheduler: str | None, out_text: str, problems: list[str] | None = None
) -> tuple[Engine, Path]:
    """The executor and the output folder of a build, or the command ends listing every problem (exit 2),
    those of the other options (``problems``) first."""
    problems = list(problems or [])
    engine = engine_of(workers, scheduler, problems)
    out_dir = out_folder(out_text, problems)
    if problems or engine is None or out_dir is None:
        fail("\n".join(problems))
    return engine, out_dir


def names_option(option: str, text: str | None, what: str, whole: str) -> tuple[tuple[str, ...], list[str]]:
    """The names of a comma-separated option (``--districts``), and its problems: an option given empty or
    with an empty item is an error (leaving the option out is how to ask for ``whole``)."""
    if text is None:
        return (), []
    names = tuple(x.strip() for x in text.split(","))
    allowed = f"give {what} separated by commas, or leave {option} out to build {whole}"
    if not any(names):
        return (), [f"{option} = {text!r}: no name given; {allowed}"]
    if not all(names):
        return (), [f"{option} = {text!r}: item {names.index('') + 1} is empty; {allowed}"]
    return names, []


def _io_problem(exc: BaseException, where: Path) -> str | None:
    """The one message of an OSError or a Polars I/O error (``... (os error 28)``), or None for other errors."""
    if isinstance(exc, OSError):
        code, why = exc.errno, exc.strerror or str(exc)
        path = Path(os.fsdecode(exc.filename)) if exc.filename else where
    elif isinstance(exc, pl.exceptions.PolarsError) and (found := OS_ERROR_IN_POLARS.search(str(exc))):
        code, path = int(found.group(1)), where
        why = os.strerror(code)
    else:
        return None
    if (named := TEMPORARY.fullmatch(path.name)) is not None:
        path = path.with_name(named["name"])  # name the file being written, not its temporary name
    if code == errno.ENOSPC:
        why = "no space left on the device"
    verb = "cannot write" if code in WRITE_ERRNOS else "cannot read or write"
    return f"{path}: {verb} ({why}); free space or fix the folder, then run the same command again"


@contextmanager
def one_message(where: Path) -> Iterator[None]:
    """Inside the block, a :class:`~synth.errors.SynthError` ends the command with its message, and an OSError
    (a full disk, a read-only folder; Polars reports these as its own errors) with one message naming the path,
    after the temporaries of atomic writes under the output ``where`` are removed; exit status 2 either way."""
    try:
        yield
    except SynthError as exc:
        fail(exc)
    except (OSError, pl.exceptions.PolarsError) as exc:
        problem = _io_problem(exc, where)
        if problem is None:
            raise
        with suppress(OSError):  # a folder that cannot be read: the message says so
            clean_temporaries(where)
        fail(problem)


def build_with_bar(out_dir: Path, quiet: bool, build: Callable[[Callable[[int, int, str], None]], Any]) -> Any:
    """``build(progress)`` reporting each finished shard (:class:`~synth.cli.progress.ProgressReport`); an error
    ends the command (exit 2)."""
    with one_message(out_dir), ProgressReport(err, "building", str(out_dir), disable=quiet) as report:
        report.say("planning the shards")
        return build(report)
