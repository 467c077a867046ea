"""The report's charts, drawn by matplotlib's SVG backend and inlined in the page.

Text stays text (``svg.fonttype = none``), so the page can measure every label and a reader can search it;
nothing is fetched; the same figures give the same bytes (no date in the metadata, a fixed salt for element
ids). matplotlib lays out the axes, ticks (steps of 1, 2, 2.5 or 5 times a power of ten) and legends; adjustText
moves a scatter's labels clear of each other and of the points, with a thin line back to a label's point when it
had to move. Each mark carries a tooltip with its exact figure.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from html import escape
from typing import Any

import matplotlib as mpl
from adjustText import adjust_text
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, MultipleLocator, PercentFormatter
from matplotlib.typing import RcKeyType

# Paul Tol's colour-blind-safe "muted" scheme, then his blue and grey and black: twelve colours no two alike
PALETTE = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#4477AA",
    "#777777",
    "#000000",
)
DPI = 72  # one point is one pixel: the SVG's viewBox is the chart's size on the page
WIDTH, HEIGHT = 720, 360
RING = {"markerfacecolor": "none", "markeredgecolor": "#999999"}  # a point in the background, named by its tooltip
DOT = {"markersize": 8, "color": PALETTE[0]}  # a point of a searched frontier
# the protection curve: dashed, its points diamonds, so that no policy's colour is mistaken for it
CURVE = {"marker": "D", "markersize": 7, "color": "#444444"}
LEGEND_ROW = 6  # up to this many series share one legend row above the plot; more stand in a column beside it
CHAR_W = 7.0  # a generous width of one character of 11 px text
NUDGE = 0.012  # a label starts up and to the right of its point (a share axis), clear of the dot
STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "synth-report",
    "font.family": "DejaVu Sans",  # matplotlib's own font: its measures are the text's true size
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e5e5e5",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "legend.frameon": False,
}


def colours_of(names: Sequence[str]) -> dict[str, str]:
    """One colour per name, in order (the report gives each policy its colour once, for every chart)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def grouped_bars(
    title: str,
    chart_id: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    y_label: str,
    percent: bool = True,
    colours: Mapping[str, str] | None = None,
) -> str:
    """Bars for each category, one colour per series (None: no bar); ``colours`` keeps a series' colour the same
    in every chart (a policy's, say), else the palette in order. Category names stand upright under their bars."""
    longest = max((len(c) for c in categories), default=0)
    upright = longest * CHAR_W > 0.8 * WIDTH / max(len(categories), 1)  # too long to stand side by side
    tips: dict[str, str] = {}
    with _figure(WIDTH, 300 + (CHAR_W * longest if upright else 20)) as (fig, ax):
        width = 0.8 / max(len(series), 1)
        for s, (name, values) in enumerate(series):
            colour = _colour(name, s, colours)
            for c, v in enumerate(values):
                if v is None:
                    continue
                (bar,) = ax.bar(c - 0.4 + width * (s + 0.5), v, width * 0.95, color=colour)
                gid = f"{chart_id}-bar-{s}-{c}"
                bar.set_gid(gid)
                tips[gid] = f"{name}, {categories[c]}: {_shown(v, percent)}"
        ax.set_xticks(range(len(categories)), list(categories), rotation=90 if upright else 0)
        ax.set_xlim(-0.5, len(categories) - 0.5)
        ax.grid(axis="x", visible=False)
        top = max((v for _, vs in series for v in vs if v is not None), default=0.0)
        ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(0, top or 1.0)
        ax.set_ylim(0, ticks[-1])  # the axis ends on a tick
        ax.set_yticks(ticks)
        if percent:  # as many decimals as the step needs: 0.5% steps read 0.5%, 1.0%, ..., not 0.50%
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=_decimals((ticks[1] - ticks[0]) * 100)))
        ax.set_ylabel(y_label)
        _legend(fig, [(name, _colour(name, s, colours)) for s, (name, _) in enumerate(series)])
        return _page(fig, title, chart_id, tips)


def scatter(
    title: str,
    chart_id: str,
    points: Sequence[tuple[str, float, float]],
    x_label: str,
    y_label: str,
    colours: Mapping[str, str] | None = None,
    curve: Sequence[tuple[str, float, float]] = (),
) -> str:
    """Labelled points on two share axes (0 to 100%): one per policy. adjustText moves each label clear of the
    others and of every point, joined to its point by a thin line when it had to move away; policies on the same
    spot get one label each. ``curve``: the points of a protection curve (its label, from no noise to the
    smallest epsilon), joined in that order by a line and labelled like the policies."""
    tips: dict[str, str] = {}
    dots: list[Line2D] = []
    with _figure(WIDTH, HEIGHT) as (fig, ax):
        _share_axes(ax, x_label, y_label)
        if curve:
            ax.plot([x for _, x, _ in curve], [y for _, _, y in curve], "--", color=CURVE["color"], linewidth=1.2)
        for i, (label, x, y) in enumerate(curve):
            tip = f"{label}: exposure {x:.1%}, utility {y:.1%}"
            dots.append(_mark(ax, tips, f"{chart_id}-curve-{i}", x, y, tip, **CURVE))
        for i, (name, x, y) in enumerate(points):
            tip = f"{name}: exposure {x:.1%}, utility {y:.1%}"
            style = {"markersize": 9, "color": _colour(name, i, colours), "markeredgecolor": "#222222"}
            dots.append(_mark(ax, tips, f"{chart_id}-point-{i}", x, y, tip, markeredgewidth=0.5, **style))
        _label_spots(fig, ax, [*points, *curve], dots)
        return _page(fig, title, chart_id, tips)


def frontier_scatter(
    title: str,
    chart_id: str,
    frontier: Sequence[tuple[int, str, float, float]],
    dominated: Sequence[tuple[str, float, float]],
    x_label: str,
    y_label: str,
) -> str:
    """Searched candidates on two share axes: the dominated ones as small grey rings (named in their tooltip
    only), the frontier as dots joined in order of exposure, each with its number in the table beside the chart
    (fifty candidates' names would not fit; the numbers are placed clear of each other)."""
    tips: dict[str, str] = {}
    with _figure(WIDTH, HEIGHT) as (fig, ax):
        _share_axes(ax, x_label, y_label)
        for i, (name, x, y) in enumerate(dominated):
            tip = f"{name} (dominated): exposure {x:.1%}, kept {y:.1%}"
            _mark(ax, tips, f"{chart_id}-dominated-{i}", x, y, tip, markersize=6, **RING)
        line = sorted((x, y) for _, _, x, y in frontier)
        ax.plot([p[0] for p in line], [p[1] for p in line], "-", color=PALETTE[0], linewidth=1.5)
        dots = [
            _mark(ax, tips, f"{chart_id}-frontier-{n}", x, y, f"{n}. {name}: exposure {x:.1%}, kept {y:.1%}", **DOT)
            for n, name, x, y in frontier
        ]
        numbered = [(str(number), x, y) for number, _, x, y in frontier]  # on one spot: their numbers, 8 a line
        _label_spots(fig, ax, numbered, dots, lambda names: _wrap(names, 8), color=PALETTE[0], fontweight="bold")
        return _page(fig, title, chart_id, tips)


def change_bars(
    title: str,
    chart_id: str,
    changes: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    x_label: str,
) -> str:
    """Horizontal bars of changes in points (one row per change, one bar per series, None: no bar), on one scale
    from the largest loss to the largest gain: what each field's change does to exposure and to each purpose."""
    tips: dict[str, str] = {}
    with _figure(WIDTH, 90 + len(changes) * (10 + 9 * len(series))) as (fig, ax):
        height = 0.8 / max(len(series), 1)
        for s, (name, values) in enumerate(series):
            colour = PALETTE[s % len(PALETTE)]
            for c, v in enumerate(values):
                if v is None:
                    continue
                (bar,) = ax.barh(c - 0.4 + height * (s + 0.5), v * 100, height * 0.95, color=colour)
                gid = f"{chart_id}-bar-{s}-{c}"
                bar.set_gid(gid)
                tips[gid] = f"{changes[c]}, {name}: {v * 100:+.1f} points"
        ax.set_yticks(range(len(changes)), list(changes))
        ax.set_ylim(len(changes) - 0.5, -0.5)  # the first change on top
        ax.grid(axis="y", visible=False)
        ax.axvline(0, color="#444444", linewidth=0.8)
        shown = [v * 100 for _, vs in series for v in vs if v is not None]
        low, high = min([*shown, 0.0]), max([*shown, 0.0])
        ticks = MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high if high > low else low + 1)
        ax.set_xlim(ticks[0], ticks[-1])  # zero always shown: losses to its left, gains to its right
        ax.set_xticks(ticks)
        ax.set_xlabel(x_label)
        _legend(fig, [(name, PALETTE[s % len(PALETTE)]) for s, (name, _) in enumerate(series)])
        return _page(fig, title, chart_id, tips)


@contextmanager
def _figure(width: float, height: float) -> Iterator[tuple[Figure, Axes]]:
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)  # measures text for the layout and for adjustText
        yield fig, fig.add_subplot()


def _share_axes(ax: Axes, x_label: str, y_label: str) -> None:
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MultipleLocator(0.25))
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(-0.04, 1.04)
    ax.set_ylim(-0.06, 1.12)  # room for labels of points at 0 or 100%
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)


def _mark(ax: Axes, tips: dict[str, str], gid: str, x: float, y: float, tip: str, **style: Any) -> Line2D:
    """One point drawn as a marker (a dot unless ``style`` names another), named ``gid`` in the SVG, its tooltip
    ``tip`` kept in ``tips``."""
    (marker,) = ax.plot([x], [y], linestyle="none", **{"marker": "o", **style})
    marker.set_gid(gid)
    tips[gid] = tip
    return marker


def _label_spots(
    fig: Figure,
    ax: Axes,
    named: Sequence[tuple[str, float, float]],
    dots: Sequence[Line2D],
    text: Callable[[list[str]], str] = "\n".join,
    **style: Any,
) -> None:
    """One label per spot (points on one spot share it: ``text`` of their names, a line each by default),
    placed clear of the others and of the dots."""
    spots: dict[tuple[float, float], list[str]] = {}
    for name, x, y in named:
        spots.setdefault((round(x, 4), round(y, 4)), []).append(name)
    style = {"color": "#222222", **style}
    labels = [
        ax.text(x + NUDGE, y + NUDGE, text(names), multialignment="left", **style) for (x, y), names in spots.items()
    ]
    _place(fig, ax, labels, [x for x, _ in spots], [y for _, y in spots], dots)


def _place(fig: Figure, ax: Axes, labels: list[Text], xs: list[float], ys: list[float], dots: Sequence[Line2D]) -> None:
    """Labels moved clear of each other and of the points' dots (adjustText, deterministic: its own seeded
    generator), each joined to its point by a thin line when it moved."""
    if not labels:
        return
    fig.draw_without_rendering()  # the layout first: adjustText measures in the final axes
    adjust_text(
        labels,
        x=xs,
        y=ys,
        target_x=xs,
        target_y=ys,
        objects=[d.get_window_extent() for d in dots],
        ax=ax,
        expand=(1.15, 1.35),
        force_text=(0.3, 0.5),
        ensure_inside_axes=True,
        min_arrow_len=12,
        arrowprops={"arrowstyle": "-", "color": "#777777", "linewidth": 0.6},
    )


def _page(fig: Figure, title: str, chart_id: str, tips: Mapping[str, str]) -> str:
    """The figure as an inline ``<svg>`` in a captioned ``<figure>``: sized in pixels, each mark's tooltip added."""
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    width, height = (round(v) for v in fig.get_size_inches() * DPI)
    svg = re.sub(
        r'<svg [^>]*?width="[^"]*" height="[^"]*"',
        f'<svg class="chart-svg" role="img" aria-label="{escape(title)}" width="{width}" height="{height}"',
        svg,
        count=1,
    )
    for gid, tip in tips.items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}"><title>{escape(tip)}</title>', 1)
    return f'<figure class="chart" id="{escape(chart_id)}"><figcaption>{escape(title)}</figcaption>{svg}</figure>'


def _legend(fig: Figure, swatches: Sequence[tuple[str, str]]) -> None:
    """A swatch per series in one row above the plot, or in a column to its right when there are many: either
    way the legend reads in the order of the bars."""
    handles = [Patch(color=colour, label=name) for name, colour in swatches]
    if len(handles) <= LEGEND_ROW:
        fig.legend(handles=handles, loc="outside upper left", ncols=len(handles))
    else:
        fig.legend(handles=handles, loc="outside right upper", ncols=1)


def _wrap(items: Sequence[str], per_line: int) -> str:
    """``items`` joined by commas, ``per_line`` to a line."""
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return ",\n".join(lines)


def _decimals(step: float) -> int:
    """The decimals a tick step needs: 25 -> 0, 0.5 -> 1, 0.25 -> 2."""
    text = f"{step:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _colour(name: str, i: int, colours: Mapping[str, str] | None) -> str:
    return colours[name] if colours and name in colours else PALETTE[i % len(PALETTE)]


def _shown(v: float, percent: bool) -> str:
    return f"{v:.1%}" if percent else f"{v:,.4g}"
