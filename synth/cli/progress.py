"""Progress a person can follow: a live bar when stderr is a terminal, and otherwise (a log, CI, ``make run``
piped) one line per finished unit (a shard, a cell group, a stage) with the elapsed time and an estimate of what
remains."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


def clock_text(seconds: float) -> str:
    """``H:MM:SS`` of a duration in seconds (rounded down).

    Examples
    --------
    >>> clock_text(0.4), clock_text(75), clock_text(3723.9)
    ('0:00:00', '0:01:15', '1:02:03')
    """
    whole = int(max(seconds, 0))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def counted(n: int, one: str, many: str | None = None) -> str:
    """``"1 seed"``, ``"3 seeds"``, ``"2 policies"``.

    Examples
    --------
    >>> counted(1, "seed"), counted(3, "seed"), counted(2, "policy", "policies")
    ('1 seed', '3 seeds', '2 policies')
    """
    return f"{n:,} {one if n == 1 else many or one + 's'}"


class ProgressReport:
    """Report the progress of ``verb label`` on ``console`` (stderr): a rich bar on a terminal, else lines.

    Use it as a context manager and hand the object itself on as the ``progress(done, total, what)`` callback;
    :meth:`say` adds a line of its own (a stage started). The estimate of what remains is the mean time per unit
    so far times the units left (none before the first unit is done).

    Parameters
    ----------
    console
        Where to write (the commands' stderr console).
    verb, label
        What runs (``"running"``, ``"building"``) and on what (the scenario id, the output folder).
    disable
        Write nothing (``--json`` output, say).
    clock
        Seconds from an arbitrary start (``time.monotonic``; tests give their own).
    """

    def __init__(
        self,
        console: Console,
        verb: str,
        label: str,
        disable: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console, self.verb, self.label, self.disable, self.clock = console, verb, label, disable, clock
        self.live = console.is_terminal and not disable
        self.start = clock()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> ProgressReport:
        if self.live:
            self.bar = Progress(
                TextColumn(f"[bold]{escape(self.verb)}[/] {{task.description}}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
            )
            self.bar.__enter__()
            self.task = self.bar.add_task(escape(self.label), total=None)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.__exit__(kind, exc, tb)

    def say(self, text: str) -> None:
        """One line of its own, with the elapsed time (above the bar on a terminal)."""
        if not self.disable:
            line = f"{self.verb} {self.label}: {text} ({clock_text(self.clock() - self.start)} elapsed)"
            self.console.print(escape(line), highlight=False, soft_wrap=True)

    def __call__(self, done: int, total: int, what: str) -> None:
        """``done`` of ``total`` units are finished, the last one ``what`` (``total`` 0: not known yet)."""
        if self.disable:
            return
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done, total=total or None, description=escape(f"{self.label}: {what}"))
            return
        elapsed = self.clock() - self.start
        left = f", about {clock_text(elapsed / done * (total - done))} left" if 0 < done < total else ""
        count = f"{done}/{total}" if total else f"{done}"
        done_what = f"{count} {what}" if what else count
        line = f"{self.verb} {self.label}: {done_what} ({clock_text(elapsed)} elapsed{left})"
        self.console.print(escape(line), highlight=False, soft_wrap=True)
