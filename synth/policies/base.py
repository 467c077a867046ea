"""Policy steps in the scikit-learn style, and policies as pipelines of steps.

A step's ``__init__`` stores its parameters and nothing else; ``check`` lists problems with the
parameters and with the release's columns without touching data; ``fit`` validates and learns
(learned state ends in ``_``) and returns the step; ``transform`` refuses to run unfitted and never
changes its input.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import polars as pl

from synth.checks import seed_problem, whole
from synth.errors import NotFittedError, PolicyError


def positive_whole_problems(step: object, *names: str) -> list[str]:
    """A problem for each parameter of ``step`` (named) that is not a whole number of at least 1."""
    return [
        f"{name} = {value!r}: must be a positive whole number"
        for name in names
        if not whole(value := getattr(step, name), 1)
    ]


def seed_problems(value: object, name: str = "random_state") -> list[str]:
    """The problem of a seed that numpy and SDV cannot take (a whole number from 0 to 2**32 - 1), if any."""
    problem = seed_problem(value, name)
    return [] if problem is None else [problem]


# What a policy lets leave the controller, most restrictive first: nothing (the controller sends), counts (an
# aggregate table), synthetic rows (drawn from a model, not people), rows of released people.
RELEASE_KINDS = ("nothing", "counts", "synthetic", "rows")


class Step(ABC):
    """One minimization step."""

    step: ClassVar[str]
    keeps_rows: ClassVar[bool] = True  # False: the output rows are new (synthetic, aggregate), not released people
    delivers_via_controller: ClassVar[bool] = False  # True: the controller sends to the people (vault, no release)
    releases: ClassVar[str] = "rows"  # what leaves the controller: a kind of RELEASE_KINDS
    # the safeguard this step is, in the words of the DPDP Rules 2025 where Rule 6(1)(a) names it (encryption,
    # obfuscation, masking, virtual tokens), else the minimisation it makes (read by the report's law section)
    SAFEGUARD: ClassVar[str] = "data minimisation"

    def safeguard(self) -> str:
        """What kind of safeguard this step is (:attr:`SAFEGUARD`)."""
        return self.SAFEGUARD

    def get_params(self) -> dict[str, Any]:
        """The constructor's parameters and their values."""
        return {
            name: getattr(self, name) for name in inspect.signature(type(self).__init__).parameters if name != "self"
        }

    def required_columns(self) -> tuple[str, ...]:
        """Columns the release must hold for this step."""
        return ()

    def output_columns(self, columns: Sequence[str]) -> list[str]:
        """Columns after this step (for checking the next steps before any data is touched)."""
        return list(columns)

    def released_metadata(self) -> dict[str, Any]:
        """What the fitted step publishes beside the data (a released salt, say); empty by default."""
        return {}

    def key_fingerprint(self) -> str | None:
        """A keyed fingerprint of the secret this step reads from outside the scenario (an HMAC key), never the
        secret itself: part of a run's identity, so that a run made under another key is not taken for this
        one. None for a step without such a secret (the default)."""
        return None

    def check(self, columns: Sequence[str]) -> list[str]:
        """Problems with this step's parameters or with a release of these columns (no data touched)."""
        return [
            f"column '{c}' is not in the release (it has {', '.join(columns)})"
            for c in self.required_columns()
            if c not in columns
        ]

    def fit(self, data: pl.DataFrame) -> Self:
        problems = self.check(data.columns)
        if problems:
            raise PolicyError(f"step '{self.step}': " + "; ".join(problems))
        self._fit(data)
        self.fitted_ = True
        return self

    def _fit(self, data: pl.DataFrame) -> None:  # noqa: B027 - most steps learn nothing
        """Learn state from the release (names end in ``_``)."""

    def transform(self, data: pl.DataFrame) -> pl.DataFrame:
        if not getattr(self, "fitted_", False):
            raise NotFittedError(f"step '{self.step}' is not fitted; call fit first")
        return self._transform(data)

    @abstractmethod
    def _transform(self, data: pl.DataFrame) -> pl.DataFrame: ...

    def fit_transform(self, data: pl.DataFrame) -> pl.DataFrame:
        return self.fit(data).transform(data)

    def report(self) -> dict[str, Any]:
        """What the fitted step did (rows suppressed, levels chosen, ...); never secrets."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


@dataclass
class Policy:
    """A named pipeline of steps, applied in order to a release."""

    id: str
    description: str
    steps: list[Step] = field(default_factory=list)

    def check(self, columns: Sequence[str]) -> None:
        """Raise one :class:`PolicyError` listing every problem, before any data is touched."""
        problems, cols = [], list(columns)
        for i, step in enumerate(self.steps, start=1):
            problems += [f"policy '{self.id}', step {i} ({step.step}): {p}" for p in step.check(cols)]
            cols = step.output_columns(cols)
        if problems:
            raise PolicyError("\n".join(problems))

    def fit_transform(self, data: pl.DataFrame) -> pl.DataFrame:
        self.check(data.columns)
        for step in self.steps:
            data = step.fit_transform(data)
        return data

    def report(self) -> list[dict[str, Any]]:
        return [{"step": s.step, **s.report()} for s in self.steps]

    def safeguards(self) -> list[str]:
        """What kind of safeguard each step is, in order."""
        return [s.safeguard() for s in self.steps]

    @property
    def releases(self) -> str:
        """What leaves the controller under this policy, one of :data:`RELEASE_KINDS`: the most restrictive
        kind any of its steps makes ("nothing" before "counts" before "synthetic" before "rows")."""
        kinds = {s.releases for s in self.steps}
        return next((k for k in RELEASE_KINDS if k in kinds), "rows")

    def released_metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for s in self.steps:
            out.update(s.released_metadata())
        return out
