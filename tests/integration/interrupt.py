"""A step of a build cut short: the second call of a module's function raises ``KeyboardInterrupt`` (Ctrl-C)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest


def interrupt_second_call(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str) -> None:
    """Replace ``module.name`` until the test ends: its first call runs, its second raises ``KeyboardInterrupt``,
    the later ones run (a resumed build). ``monkeypatch.undo()`` puts the function back."""
    real, calls = getattr(module, name), {"n": 0}

    def flaky(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(module, name, flaky)
