"""The report's charts (matplotlib's SVG backend): text kept as text, round ticks, a tooltip per mark with its
exact figure, one label for policies on one spot, no bar for a missing figure, and the same bytes every time.
That no two labels overlap is measured in a real browser (tests/integration/test_report_browser.py)."""

from __future__ import annotations

import re

import pytest

from synth.report import charts
from synth.report.charts import _decimals

POINTS = [("as_exported", 0.865, 1.0), ("hmac", 0.865, 1.0), ("drop_names", 0.267, 1.0), ("k5", 0.0, 0.98)]


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", svg)


def _tips(svg: str) -> list[str]:
    return re.findall(r"<title>([^<]*)</title>", svg)


def test_a_scatter_is_the_same_bytes_every_time() -> None:
    first = charts.scatter("Research", "frontier-research", POINTS, "re-identified", "kept")
    assert charts.scatter("Research", "frontier-research", POINTS, "re-identified", "kept") == first


def test_a_scatter_is_an_inline_svg_in_a_captioned_figure_sized_in_pixels() -> None:
    svg = charts.scatter("Research", "frontier-research", POINTS, "re-identified", "kept")
    assert svg.startswith(
        '<figure class="chart" id="frontier-research"><figcaption>Research</figcaption>'
        '<svg class="chart-svg" role="img" aria-label="Research" width="720" height="360" viewBox="0 0 720 360"'
    )
    assert svg.endswith("</svg>\n</figure>")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "Date" not in svg


def test_share_axes_tick_at_quarters() -> None:
    texts = _texts(charts.scatter("Research", "frontier-research", POINTS, "re-identified", "kept"))
    assert [t for t in texts if t.endswith("%")] == ["0%", "25%", "50%", "75%", "100%"] * 2


def test_each_point_has_its_tooltip_and_policies_on_one_spot_share_one_label() -> None:
    svg = charts.scatter("Research", "frontier-research", POINTS, "re-identified", "kept")
    assert _tips(svg) == [
        "as_exported: exposure 86.5%, utility 100.0%",
        "hmac: exposure 86.5%, utility 100.0%",
        "drop_names: exposure 26.7%, utility 100.0%",
        "k5: exposure 0.0%, utility 98.0%",
    ]
    labels = [t for t in _texts(svg) if not t.endswith("%") and t not in ("re-identified", "kept")]
    assert labels == ["as_exported", "hmac", "drop_names", "k5"]  # one label of two lines, then one each
    a, b = (re.search(rf'translate\(([\d.]+) ([\d.]+)\)">{n}</text>', svg) for n in ("as_exported", "hmac"))
    assert a is not None and b is not None
    assert a.group(1) == b.group(1) and float(b.group(2)) > float(a.group(2))  # hmac on the line below


def test_bars_end_on_a_round_tick_and_skip_a_missing_figure() -> None:
    svg = charts.grouped_bars(
        "By registry", "by-registry", ["employees", "pensioners"], [("p", [0.026, None]), ("q", [0.01, 0.02])], "re"
    )
    assert [t for t in _texts(svg) if t.endswith("%")] == ["0%", "1%", "2%", "3%"]
    assert _tips(svg) == ["p, employees: 2.6%", "q, employees: 1.0%", "q, pensioners: 2.0%"]
    assert _texts(svg)[-2:] == ["p", "q"]  # the legend, in the bars' order


def test_bar_ticks_carry_the_decimals_their_step_needs() -> None:
    svg = charts.grouped_bars("U", "uniqueness", ["a", "b"], [("truth", [0.008, 0.024])], "share")
    assert [t for t in _texts(svg) if t.endswith("%")] == ["0.0%", "0.5%", "1.0%", "1.5%", "2.0%", "2.5%"]


def test_long_category_names_stand_upright_and_short_ones_side_by_side() -> None:
    short = charts.grouped_bars("R", "r", ["employees", "pensioners"], [("p", [0.5, 0.6])], "re")
    long = charts.grouped_bars("R", "r", [f"local_body_not_ward_{i}" for i in range(10)], [("p", [0.5] * 10)], "re")
    upright = re.compile(r"<text [^>]*rotate\(-90[ )][^>]*>([^<]*)</text>")
    assert "employees" not in upright.findall(short)
    assert "local_body_not_ward_0" in upright.findall(long)


def test_change_bars_show_zero_and_each_change_in_points() -> None:
    svg = charts.change_bars(
        "What each change does",
        "whatif-chart",
        ["name dropped", "ward dropped"],
        [("re-identified", [-0.598, -0.142]), ("ward planning kept", [0.0, -1.0])],
        "change from the base (points)",
    )
    assert _texts(svg)[:6] == ["−100", "−80", "−60", "−40", "−20", "0"]
    assert _tips(svg) == [
        "name dropped, re-identified: -59.8 points",
        "ward dropped, re-identified: -14.2 points",
        "name dropped, ward planning kept: +0.0 points",
        "ward dropped, ward planning kept: -100.0 points",
    ]


def test_the_frontier_numbers_its_dots_as_the_table_does_and_one_spot_gets_one_label() -> None:
    frontier = [(2, "noname_hmac", 0.14, 1.0)] + [(n, f"noname_k{n}", 0.0, 0.0) for n in range(3, 13)]
    svg = charts.frontier_scatter(
        "Outreach", "search-outreach", frontier, [("as_exported", 0.77, 1.0)], "re-identified", "kept"
    )
    assert _tips(svg)[:3] == [
        "as_exported (dominated): exposure 77.0%, kept 100.0%",
        "2. noname_hmac: exposure 14.0%, kept 100.0%",
        "3. noname_k3: exposure 0.0%, kept 0.0%",
    ]
    numbers = [t for t in _texts(svg) if re.fullmatch(r"[\d, ]+,?", t)]
    assert numbers == ["2", "3, 4, 5, 6, 7, 8, 9, 10,", "11, 12"]  # ten on one spot: one label, eight a line


@pytest.mark.parametrize(("step", "decimals"), [(25.0, 0), (1.0, 0), (0.5, 1), (0.25, 2), (2.5, 1), (0.1, 1)])
def test_decimals_of_a_tick_step(step: float, decimals: int) -> None:
    assert _decimals(step) == decimals
