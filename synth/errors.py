"""Named errors. Every message says which file, key or value is wrong and what is allowed."""

from __future__ import annotations


class SynthError(Exception):
    """Base class of every error this package raises on purpose."""


class PresetError(SynthError, ValueError):
    """A calibration preset file is missing, malformed or holds a value that is not allowed."""


class SpecError(SynthError, ValueError):
    """A world specification (districts, sizes, seed, workers) is not allowed."""


class OutputError(SynthError, OSError):
    """The output folder cannot be written, is full, or holds a different world."""


class BuildInterrupted(SynthError, RuntimeError):
    """A build stopped before every shard was written; rerunning the same command resumes it."""


class RunInterrupted(SynthError, RuntimeError):
    """A scenario run stopped before every cell was written; rerunning the same command resumes it."""


class WorldError(SynthError, ValueError):
    """A world folder is incomplete, corrupt or not a world at all."""


def did_you_mean(value: str, allowed: list[str]) -> str:
    """Return ``" (did you mean 'X'?)"`` for the closest allowed name, or an empty string."""
    import difflib

    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class PolicyError(SynthError, ValueError):
    """A policy or one of its steps is malformed, misconfigured or does not fit the release."""


class TruthLeakError(SynthError, ValueError):
    """Hidden truth (who a row really is) was about to reach an attack."""


class NotFittedError(SynthError, ValueError):
    """A policy step was asked to transform before it was fitted."""


class LearnError(SynthError, ValueError):
    """A table, its metadata or its rules cannot be learned from, or a learned sample cannot meet the rules."""


class EngineError(SynthError, RuntimeError):
    """The executor could not run the work: a Dask scheduler that does not answer or has no workers, or a
    task that killed every worker it ran on."""


class WorkerLost(EngineError):
    """A task killed every Dask worker it ran on (out of memory, or a crash); finished work is kept."""
