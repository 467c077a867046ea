"""Benchmarks: pytest-benchmark suites. Run with ``make bench`` (or ``pytest benchmarks --benchmark-only``).

The whole-state build takes minutes; it runs only when ``SYNTH_BENCH_FULL=1`` is set.

The JSON that ``--benchmark-json`` writes gains a ``synth_bench`` entry: the machine (CPU, cores, memory),
the versions of ours and of every peer, and the command that ran, which ``benchmarks/report.py`` turns into
``benchmarks/README.md``.
"""

from __future__ import annotations

import os
import shlex
from typing import Any

import pytest


def pytest_benchmark_update_json(config: pytest.Config, benchmarks: list[Any], output_json: dict[str, Any]) -> None:
    """Record the machine, the versions and the command beside the timings."""
    from benchmarks.common import machine, versions

    settings = {
        k: v for k, v in sorted(os.environ.items()) if k.startswith("SYNTH_BENCH") and k != "SYNTH_BENCH_COMMAND"
    }
    # The settings lead the command, so that the "Measured by" line of a section runs the same points again.
    words = [*(f"{k}={v}" for k, v in settings.items()), "pytest", *config.invocation_params.args]
    command = os.environ.get("SYNTH_BENCH_COMMAND") or shlex.join(words)
    output_json["synth_bench"] = {
        "machine": machine(),
        "versions": versions(),
        "command": command,
        "environment": settings,
    }
