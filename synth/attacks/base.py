"""What every attack is: one object in its own module, registered once.

An attack has a stable ``id`` and a one-line ``summary``; a frozen ``Params`` class whose defaults are the
attack's defaults and which checks every value at once (collect-all); the auxiliary ``sources`` it needs; the
facts it ``reads`` from the attacker's knowledge and the facts it ``adds`` to it (the runner orders attacks
by these); :meth:`Attack.run`, which makes the attack's guesses and its naive baseline's through the same
function and never sees the truth (a linkage baseline alone is lent which roll entries are each row's person, to
skip the rows it cannot get right: :class:`~synth.scoring.linkage.RightEntries`); and :meth:`Attack.score`, which
compares them with the truth afterwards.

An attack that cannot apply to what a policy left (no digests to reverse, no rows that are people, an
aggregate release) raises :class:`NotApplicable`: the cell records a note saying why, and nothing else is
taken for "does not apply" (a :class:`~synth.errors.SpecError` from a scorer is a bug and propagates).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from synth.attacks.auxiliary import AuxiliaryData
from synth.attacks.knowledge import Knowledge
from synth.core.numbering import NumberingPlan
from synth.engine.io import Memo, content_key
from synth.errors import SpecError, SynthError, did_you_mean
from synth.release.build import AttackerView, Release
from synth.scoring.linkage import RightEntries
from synth.version import __version__


class NotApplicable(SynthError):
    """The attack does not apply to this release (the message says why); the cell records it as a note."""


@dataclass(frozen=True)
class NoParams:
    """An attack without parameters."""


def raise_problems(attack_id: str, problems: list[str]) -> None:
    """One :class:`SpecError` naming the attack and listing every problem, one per line."""
    if problems:
        raise SpecError("\n".join(f"attack '{attack_id}': {p}" for p in problems))


@dataclass(frozen=True)
class Cell:
    """What an attack is given: the attacker's view of one minimized release, the auxiliary data it was
    granted, what earlier attacks of the chain found, and a generator seeded by (scenario seed, attack).
    Never the truth, but for ``baseline_scope``, which only a linkage baseline reads."""

    view: AttackerView
    aux: AuxiliaryData
    knowledge: Knowledge
    rng: np.random.Generator
    rows_are_people: bool = True
    plan: NumberingPlan | None = None  # the world's numbering plan (its name is in the manifest)
    # the national numbers in use (where a full enumeration can hit), read when an attack asks for them
    universe: Callable[[], np.ndarray] | None = None
    # the message behind each released digest (synth.attacks.hash_schemes.released_messages): read only by hash
    # reversal scoring a full enumeration of a scheme too slow to hash every number in use, which keeps what the
    # enumeration would find and verifies a sample by hashing
    preimages: Callable[[], pl.DataFrame] | None = None
    baseline_links: pl.DataFrame | None = None  # the linkage baselines' guesses so far (row_id, epic, chain)
    # which roll entries are each row's person, read only by a linkage baseline to skip the rows it cannot get right
    # (synth.scoring.linkage.RightEntries: no right link and no figure changes); None: the baseline scans every row
    baseline_scope: RightEntries | None = None
    # where a costly part of an attack is kept under the content key of its inputs and reused (store(key, compute),
    # synth.engine.io.ResultStore); None: computed every time. Equal inputs give equal outputs, so it changes no
    # figure, only the time.
    memo: Memo | None = None


@dataclass(frozen=True)
class Truth:
    """What only the scorer sees: who each released row is, who each roll entry is, and the world."""

    release: pl.DataFrame  # row_id -> person_id of the rows the policy kept (empty: rows are not people)
    roll: pl.DataFrame  # epic -> person_id
    strata: pl.DataFrame  # registry, district, age band of each kept row (breakdowns)
    exported: pl.DataFrame | None  # row_id, phone as exported, before the policy (the leaked rows)
    world: Any  # synth.world.api.World, for population counts and true attributes
    leaked: Release | None = None  # the leaked release (membership's experiment re-fits the policy on part)
    refit: Any = None  # callable(Release) -> MinimizedRelease: the cell's policy applied to another release
    experiment: Any = None  # what an attack's experiment keeps for its scorer (membership's answers)
    memo: Memo | None = None  # where the scorer keeps a costly count for reuse (as Cell.memo); None: counted each time

    def of_world(self, compute: Callable[[], pl.DataFrame], *parts: object) -> pl.DataFrame:
        """``compute()``, a frame read from the world alone (and ``parts``): kept under the world's files in
        :attr:`memo`, so every policy of a run (and a rerun) reads it back; computed each time without one."""
        if self.memo is None:
            return compute()
        files = sorted(self.world.manifest["files"].items())
        return self.memo(content_key("of_world", __version__, files, *parts), compute)


@dataclass(frozen=True)
class Outcome:
    """What an attack produced: its guesses, its baseline's, the knowledge after it, and anything its
    scorer needs besides (a hash reversal's cost, membership's experiment)."""

    guesses: pl.DataFrame
    baseline: pl.DataFrame | None
    knowledge: Knowledge
    baseline_links: pl.DataFrame | None = None
    extra: Any = None


@dataclass(frozen=True)
class Scored:
    """Scores (dataclasses flattened into measure rows) and an optional breakdown by stratum."""

    scores: tuple[Any, ...]
    breakdown: pl.DataFrame | None = None


class Attack(ABC):
    """One attack (see the module docstring). Subclasses set the class variables and the two methods."""

    id: ClassVar[str]
    summary: ClassVar[str]
    Params: ClassVar[type[Any]] = NoParams
    sources: ClassVar[tuple[str, ...]] = ()
    reads: ClassVar[tuple[str, ...]] = ()
    adds: ClassVar[tuple[str, ...]] = ()
    needs: ClassVar[tuple[str, ...]] = ()  # facts some other attack of the scenario must add
    bounded: ClassVar[str] = ""  # when not empty: why some of its figures are lower bounds

    def parameters(self, raw: Mapping[str, Any] | None = None) -> Any:
        """The typed parameters from a scenario's table: every unknown key and bad value in one error."""
        raw = dict(raw or {})
        names = [f.name for f in dataclasses.fields(self.Params)]
        unknown = [
            f"{key} = {value!r}: unknown parameter; allowed are {', '.join(names) or 'none'}" + did_you_mean(key, names)
            for key, value in raw.items()
            if key not in names
        ]
        problems = list(unknown)
        try:
            params = self.Params(**{k: v for k, v in raw.items() if k in names})
        except SpecError as exc:
            problems += [line.removeprefix(f"attack '{self.id}': ") for line in str(exc).splitlines()]
            params = None
        raise_problems(self.id, problems)
        return params

    def defaults(self) -> dict[str, Any]:
        """Each parameter's default, by name."""
        return {f.name: f.default for f in dataclasses.fields(self.Params)}

    @abstractmethod
    def run(self, cell: Cell, params: Any) -> Outcome:
        """Guesses of the attack and of its naive baseline (the same function on a blinded input)."""

    @abstractmethod
    def score(self, outcome: Outcome, truth: Truth, params: Any) -> Scored:
        """Compare the guesses with the truth."""

    def caveats(self, outcome: Outcome, params: Any) -> tuple[str, ...]:
        """Notes on figures that are bounds rather than exact (a capped attack says so)."""
        return ()

    def prepare(self, cell: Cell, truth: Truth, params: Any) -> tuple[Cell, Truth]:
        """Set up an experiment before the attack runs (membership's split); by default nothing."""
        return cell, truth
