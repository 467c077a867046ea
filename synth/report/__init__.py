"""Reports of scenario runs: one self-contained HTML file."""

from synth.report.html import render_report

__all__ = ["render_report"]
