"""The one shape of a scenario check's problem report, shared by the table parsers of :mod:`synth.scenario`."""

from __future__ import annotations

from typing import Any, Protocol


class Problem(Protocol):
    """Records one problem of a scenario file (``_Problems.add`` of :mod:`synth.scenario.spec`): the key, the
    value found, what is allowed, and optionally the name and the options to suggest a spelling from."""

    def __call__(self, key: str, value: Any, allowed: str, name: str | None = None, options: Any = ()) -> None: ...
