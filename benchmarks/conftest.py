"""Benchmarks: pytest-benchmark suites. Run with ``make bench`` (or ``pytest benchmarks --benchmark-only``).

The whole-state build takes minutes; it runs only when ``SYNTH_BENCH_FULL=1`` is set.
"""
