"""The report in a real browser: headless Chromium loads report.html from disk with no network, every
chart renders with no two of its text labels overlapping (their boxes as the browser lays them out), the decision
(recommendations and ranking) fits the first screen, and the console stays silent."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from synth.report import charts, render_report
from synth.report.html import CHECK_SCRIPT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")


def _load(page: Path, profile: Path) -> tuple[str, str]:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=3000",
        "--window-size=1400,900",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    return done.stdout, done.stderr


def test_every_chart_renders_without_console_errors(smoke_run: Path, tmp_path: Path) -> None:
    report = render_report(smoke_run)
    dom, log = _load(report, tmp_path / "profile")
    charts = re.search(r'data-charts="(\d+):(\d+)"', dom)
    assert charts is not None, "the page's check script did not run"
    total, rendered = int(charts.group(1)), int(charts.group(2))
    assert total == 5 and rendered == total  # three frontiers, by registry, uniqueness (one district: no chart)
    overlaps = re.search(r'data-overlaps="([^"]*)"', dom)
    assert overlaps is not None and overlaps.group(1) == ""  # no two text labels of a chart overlap
    assert dom.count('data-rendered="yes"') == total
    assert [line for line in log.splitlines() if ":CONSOLE" in line] == []


def test_the_decision_fills_the_first_screen(smoke_run: Path, tmp_path: Path) -> None:
    """At 1400 px wide, the recommendations and the ranking table end above 900 px (the first screen)."""
    dom, log = _load(render_report(smoke_run), tmp_path / "profile")
    ends = re.search(r'data-decision-ends="ranking=(\d+);recommendations=(\d+)"', dom)
    assert ends is not None, "the page's check script did not measure the decision"
    ranking, recommendations = int(ends.group(1)), int(ends.group(2))
    assert 0 < recommendations < ranking <= 900
    assert dom.count('<tr data-policy="') == 4  # every policy of the smoke scenario, ranked or not
    assert [line for line in log.splitlines() if ":CONSOLE" in line] == []


def test_a_broken_page_is_caught(smoke_run: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        (smoke_run / "report.html").read_text().replace("</body>", "<script>notAFunction()</script></body>"),
        encoding="utf-8",
    )
    _, log = _load(broken, tmp_path / "profile")
    assert any("Uncaught ReferenceError" in line for line in log.splitlines() if ":CONSOLE" in line)


def test_a_crowded_chart_places_every_label_clear(tmp_path: Path) -> None:
    """Twelve policies, five on one spot, others a point apart, some at the axes' ends: no two labels meet."""
    names = ["as_exported", "hmac", "hash_plain", "mask_phone", "tokenize", "age_bands_5", "age_bands_10"]
    names += ["local_body_not_ward", "drop_names", "k5", "controller_sends", "taluk_not_ward"]
    spots = [(0.865, 1.0)] * 5 + [(0.818, 0.98), (0.80, 0.89), (0.723, 0.0), (0.267, 1.0), (0.0, 0.98)]
    spots += [(0.0, 1.0), (0.70, 0.0)]
    points = [(n, x, y) for n, (x, y) in zip(names, spots, strict=True)]
    page = tmp_path / "crowded.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><script>{CHECK_SCRIPT}</script></head><body>"
        + charts.scatter("Crowded", "crowded", points, "re-identified", "kept", charts.colours_of(names))
        + charts.grouped_bars("Bars", "bars", names, [(n, [0.5] * len(names)) for n in names], "re-identified")
        + "</body></html>",
        encoding="utf-8",
    )
    dom, log = _load(page, tmp_path / "profile")
    assert re.search(r'data-charts="2:2"', dom) is not None
    overlaps = re.search(r'data-overlaps="([^"]*)"', dom)
    assert overlaps is not None and overlaps.group(1) == ""
    assert [line for line in log.splitlines() if ":CONSOLE" in line] == []
