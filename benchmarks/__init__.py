"""Benchmarks: pytest-benchmark suites and the helpers they share (peers side by side, see README.md)."""
