"""The shape of a scenario check's problem report, and the check every optional table of a scenario makes first
(is it a table, are its keys known), shared by the table parsers of :mod:`synth.scenario`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol


class Problem(Protocol):
    """Records one problem of a scenario file (``_Problems.add`` of :mod:`synth.scenario.spec`): the key, the
    value found, what is allowed, and optionally the name and the options to suggest a spelling from."""

    def __call__(self, key: str, value: Any, allowed: str, name: str | None = None, options: Any = ()) -> None: ...


def checked_table(
    raw: Any, key: str, allowed: Sequence[str], must: str, add: Problem, hint: Callable[[str], str] | None = None
) -> Mapping[str, Any] | None:
    """``raw`` when it is a table (else None, and the problem ``must`` under ``key``), each of its keys that is
    not ``allowed`` named as a problem (with ``hint(that key)`` after the allowed ones, if given)."""
    if not isinstance(raw, Mapping):
        add(key, raw, must)
        return None
    for name in raw:
        if name not in allowed:
            more = hint(name) if hint else ""
            add(f"{key}.{name}", raw[name], f"unknown key; allowed are {', '.join(allowed)}{more}", name, allowed)
    return raw
