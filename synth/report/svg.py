"""Small charts as inline SVG: no scripts, no fonts or files to fetch, so a report works offline."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

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
WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 30, 90


def _frame(title: str, chart_id: str, body: str, height: int = HEIGHT) -> str:
    return (
        f'<figure class="chart" id="{escape(chart_id)}"><figcaption>{escape(title)}</figcaption>'
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">{body}</svg></figure>'
    )


def nice_scale(vmax: float, percent: bool) -> tuple[float, float]:
    """The axis's top and tick step: a step of 1, 2, 2.5 or 5 times a power of ten, four or five of them (a share
    axis that reaches past 40% runs to 100% in steps of 25%)."""
    if percent and vmax > 0.4:
        return 1.0, 0.25
    vmax = max(vmax, 1e-9)
    power = 10 ** math.floor(math.log10(vmax / 4))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if vmax / (m * power) <= 5)
    return math.ceil(vmax / step - 1e-9) * step, step


def _y_axis(top: float, bottom: float, vmax: float, label: str, percent: bool, step: float | None = None) -> str:
    parts = []
    step = step or vmax / 4
    ticks = round(vmax / step)
    for i in range(ticks + 1):
        v = step * i
        y = bottom - (bottom - top) * v / vmax
        text = _tick(v, step, percent)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{text}</text>')
    parts.append(
        f'<text x="14" y="{(top + bottom) / 2:.1f}" transform="rotate(-90 14 {(top + bottom) / 2:.1f})" '
        f'text-anchor="middle" class="axis">{escape(label)}</text>'
    )
    return "".join(parts)


def _tick(v: float, step: float, percent: bool) -> str:
    """A tick's text with the digits its step needs (0.25% steps: two decimals; 25% steps: none)."""
    if not percent:
        return f"{v:,.3g}"
    digits = max(0, -math.floor(math.log10(step * 100) + 1e-9)) if step * 100 < 1 else 0
    if round(step * 100, 6) % 1:
        digits = max(digits, len(f"{step * 100:g}".split(".")[1]))
    return f"{v * 100:.{digits}f}%"


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
    in every chart (a policy's, say), else the palette in order."""
    values = [v for _, vs in series for v in vs if v is not None]
    vmax, step = nice_scale(max([*values, 1e-9]), percent)
    top = TOP + 14 * ((len(series) - 1) // 4)  # room for the legend's rows
    bottom = HEIGHT - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(categories), 1)
    bar = slot * 0.8 / max(len(series), 1)
    parts = [_y_axis(top, bottom, vmax, y_label, percent, step)]
    for s, (name, vs) in enumerate(series):
        colour = _colour(name, s, colours)
        for c, v in enumerate(vs):
            if v is None:
                continue
            h = (bottom - top) * (v / vmax)
            x = LEFT + c * slot + slot * 0.1 + s * bar
            shown = f"{v:.1%}" if percent else f"{v:,.4g}"
            parts.append(
                f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{max(bar - 1, 1):.1f}" height="{max(h, 0.5):.1f}" '
                f'fill="{colour}"><title>{escape(name)}, {escape(categories[c])}: {shown}</title></rect>'
            )
    for c, cat in enumerate(categories):  # upright, one under each slot: no two can meet
        x = LEFT + c * slot + slot / 2 - 4
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 8}" transform="rotate(90 {x:.1f} {bottom + 8})" class="tick">'
            f"{escape(cat)}</text>"
        )
    parts.append(_legend([name for name, _ in series], colours))
    longest = max((len(c) for c in categories), default=0) * CHAR_W
    return _frame(title, chart_id, "".join(parts), height=int(bottom + 16 + longest))


def scatter(
    title: str,
    chart_id: str,
    points: Sequence[tuple[str, float, float]],
    x_label: str,
    y_label: str,
    colours: Mapping[str, str] | None = None,
) -> str:
    """Labelled points on two share axes (0 to 1): one per policy. Each label takes the first place near its
    point that no axis, other label or point covers (:func:`place_labels`), joined to its point by a thin line
    when it had to move away; policies on the same spot get one label each, stacked."""
    bottom = HEIGHT - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    parts = [_y_axis(TOP, bottom, 1.0, y_label, True), _x_axis(bottom, x_label)]
    spots = [
        (LEFT + plot_w * min(max(xv, 0.0), 1.0), bottom - (bottom - TOP) * min(max(yv, 0.0), 1.0))
        for _, xv, yv in points
    ]
    for i, ((name, x_value, y_value), (x, y)) in enumerate(zip(points, spots, strict=True)):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{_colour(name, i, colours)}"><title>{escape(name)}: '
            f"exposure {x_value:.1%}, utility {y_value:.1%}</title></circle>"
        )
    for i, ((name, _, _), (x, y), (lx, ly)) in enumerate(
        zip(points, spots, place_labels([p[0] for p in points], spots), strict=True)
    ):
        colour = _colour(name, i, colours)
        if abs(lx - x) > 14 or abs(ly - y) > 14:  # moved away: a thin line to the label's near end
            end = lx + CHAR_W * len(name) if lx < x else lx
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{end:.1f}" y2="{ly - 4:.1f}" stroke="{colour}" '
                'stroke-width="0.6"/>'
            )
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" class="label" fill="{colour}">{escape(name)}</text>')
    return _frame(title, chart_id, "".join(parts))


CHAR_W, LINE_H = 7.0, 13.0  # a generous width of one character of the 11 px labels, and a line's height


def place_labels(names: Sequence[str], spots: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Where each name's label goes (its text's start and baseline): the first of a spiral of places around its
    point whose box, with a margin, meets no box already taken (the plot's axes, every point, earlier labels)
    and stays inside the chart. Widths are estimated generously, so boxes that do not meet here do not meet in
    the browser either (the report's browser test measures them)."""
    bottom = HEIGHT - BOTTOM
    taken = [(x - 7, y - 7, x + 7, y + 7) for x, y in spots]  # the points themselves
    taken.append((0, bottom, WIDTH, HEIGHT))  # the x axis and its ticks
    taken.append((0, 0, LEFT, HEIGHT))  # the y axis and its ticks
    out = []
    offsets = [(dx, dy) for r in range(0, 12) for dx, dy in _ring(r)]
    for name, (x, y) in zip(names, spots, strict=True):
        w = CHAR_W * len(name) + 2
        for dx, dy in offsets:
            lx, ly = x + 9 + dx, y - 9 + dy
            box = (lx - 1, ly - LINE_H + 2, lx + w, ly + 3)
            inside = box[0] >= LEFT and box[2] <= WIDTH - 2 and box[1] >= 2 and box[3] <= bottom
            if inside and not any(_meet(box, t) for t in taken):
                break
        else:  # nowhere free near it: below the last place tried (the leader line finds it)
            lx, ly = x + 9, y - 9
            box = (lx - 1, ly - LINE_H + 2, lx + w, ly + 3)
        taken.append(box)
        out.append((lx, ly))
    return out


def _ring(r: int) -> list[tuple[float, float]]:
    """Offsets at distance ``r`` steps: to the right and left of the point first, then above and below."""
    if r == 0:
        return [(0.0, 0.0)]
    step_y, step_x = LINE_H, 40.0
    out = [(0.0, -r * step_y), (0.0, r * step_y)]
    out += [(-(r * step_x) - 60.0, 0.0), (r * step_x, 0.0)]
    out += [(r * step_x, -r * step_y), (r * step_x, r * step_y), (-(r * step_x) - 60, -r * step_y)]
    return out


def _meet(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _x_axis(bottom: float, label: str) -> str:
    """Ticks at 0, 25, 50, 75 and 100% below the plot (clear of the y axis's 0%), and the axis's label."""
    plot_w = WIDTH - LEFT - RIGHT
    parts = [
        f'<text x="{LEFT + plot_w * i / 4:.1f}" y="{bottom + 22}" text-anchor="middle" class="tick">{i / 4:.0%}</text>'
        for i in range(5)
    ]
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{bottom + 44}" text-anchor="middle" class="axis">{escape(label)}</text>'
    )
    return "".join(parts)


def colours_of(names: Sequence[str]) -> dict[str, str]:
    """One colour per name, in order (the report gives each policy its colour once, for every chart)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _colour(name: str, i: int, colours: Mapping[str, str] | None) -> str:
    return colours[name] if colours and name in colours else PALETTE[i % len(PALETTE)]


def _legend(names: Sequence[str], colours: Mapping[str, str] | None = None) -> str:
    parts = []
    for i, name in enumerate(names):
        x = LEFT + (i % 4) * 160
        y = 14 + (i // 4) * 14
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{_colour(name, i, colours)}"/>'
            f'<text x="{x + 14}" y="{y}" class="tick">{escape(name)}</text>'
        )
    return "".join(parts)


def frontier_scatter(
    title: str,
    chart_id: str,
    frontier: Sequence[tuple[str, float, float]],
    dominated: Sequence[tuple[str, float, float]],
    x_label: str,
    y_label: str,
) -> str:
    """Searched candidates on two share axes: the dominated ones as small grey rings (named in their tooltip
    only), the frontier as numbered dots, joined in order of exposure, their names in the table beside the chart
    (numbers, not names, on the chart: fifty candidates' names cannot all be placed without overlapping)."""
    bottom = HEIGHT - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    parts = [_y_axis(TOP, bottom, 1.0, y_label, True), _x_axis(bottom, x_label)]

    def at(x_value: float, y_value: float) -> tuple[float, float]:
        return (
            LEFT + plot_w * min(max(x_value, 0.0), 1.0),
            bottom - (bottom - TOP) * min(max(y_value, 0.0), 1.0),
        )

    for name, x_value, y_value in dominated:
        x, y = at(x_value, y_value)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="none" stroke="#999"><title>{escape(name)} (dominated): '
            f"exposure {x_value:.1%}, kept {y_value:.1%}</title></circle>"
        )
    line = sorted((at(xv, yv) for _, xv, yv in frontier), key=lambda p: p[0])
    if len(line) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in line)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.5"/>')
    for i, (name, x_value, y_value) in enumerate(frontier, start=1):
        x, y = at(x_value, y_value)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="{PALETTE[0]}"><title>{escape(name)}: exposure '
            f"{x_value:.1%}, kept {y_value:.1%}</title></circle>"
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" class="label" fill="#fff">{i}</text>'
        )
    return _frame(title, chart_id, "".join(parts))
