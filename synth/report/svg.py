"""Small charts as inline SVG: no scripts, no fonts or files to fetch, so a report works offline."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#30638e", "#c17c74", "#2e4057", "#7b9e89")
WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 30, 90


def _frame(title: str, chart_id: str, body: str, height: int = HEIGHT) -> str:
    return (
        f'<figure class="chart" id="{escape(chart_id)}"><figcaption>{escape(title)}</figcaption>'
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">{body}</svg></figure>'
    )


def _y_axis(top: float, bottom: float, vmax: float, label: str, percent: bool) -> str:
    parts = []
    for i in range(5):
        v = vmax * i / 4
        y = bottom - (bottom - top) * i / 4
        digits = 2 if vmax < 0.04 else 1 if vmax < 0.4 else 0
        text = f"{v:.{digits}%}" if percent else f"{v:,.3g}"
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{text}</text>')
    parts.append(
        f'<text x="14" y="{(top + bottom) / 2:.1f}" transform="rotate(-90 14 {(top + bottom) / 2:.1f})" '
        f'text-anchor="middle" class="axis">{escape(label)}</text>'
    )
    return "".join(parts)


def grouped_bars(
    title: str,
    chart_id: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    y_label: str,
    percent: bool = True,
) -> str:
    """Bars for each category, one colour per series (None: no bar)."""
    values = [v for _, vs in series for v in vs if v is not None]
    vmax = max([*values, 1e-9])
    vmax = min(vmax * 1.1, 1.0) if percent and vmax <= 1 else vmax * 1.1
    top = TOP + 14 * ((len(series) - 1) // 4)  # room for the legend's rows
    bottom = HEIGHT - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(categories), 1)
    bar = slot * 0.8 / max(len(series), 1)
    parts = [_y_axis(top, bottom, vmax, y_label, percent)]
    for s, (name, vs) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
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
    for c, cat in enumerate(categories):
        x = LEFT + c * slot + slot / 2
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 12}" transform="rotate(35 {x:.1f} {bottom + 12})" class="tick">'
            f"{escape(cat)}</text>"
        )
    parts.append(_legend([name for name, _ in series]))
    return _frame(title, chart_id, "".join(parts))


def scatter(
    title: str,
    chart_id: str,
    points: Sequence[tuple[str, float, float]],
    x_label: str,
    y_label: str,
) -> str:
    """Labelled points on two share axes (0 to 1): one per policy."""
    bottom = HEIGHT - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    parts = [_y_axis(TOP, bottom, 1.0, y_label, True)]
    for i in range(5):
        x = LEFT + plot_w * i / 4
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" class="tick">{i / 4:.0%}</text>')
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{bottom + 40}" text-anchor="middle" class="axis">'
        f"{escape(x_label)}</text>"
    )
    placed: dict[tuple[int, int], int] = {}  # points drawn near the same spot: their labels stack
    for i, (name, x_value, y_value) in enumerate(points):
        x = LEFT + plot_w * min(max(x_value, 0.0), 1.0)
        y = bottom - (bottom - TOP) * min(max(y_value, 0.0), 1.0)
        spot = (round(x / 40), round(y / 12))
        stacked = placed.get(spot, 0)
        placed[spot] = stacked + 1
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}"><title>{escape(name)}: exposure '
            f"{x_value:.1%}, utility {y_value:.1%}</title></circle>"
            f'<text x="{x + 8:.1f}" y="{y - 8 - 12 * stacked:.1f}" class="label" fill="{colour}">{escape(name)}</text>'
        )
    return _frame(title, chart_id, "".join(parts))


def _legend(names: Sequence[str]) -> str:
    parts = []
    for i, name in enumerate(names):
        x = LEFT + (i % 4) * 160
        y = 14 + (i // 4) * 14
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
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
    parts = [_y_axis(TOP, bottom, 1.0, y_label, True)]
    for i in range(5):
        x = LEFT + plot_w * i / 4
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" class="tick">{i / 4:.0%}</text>')
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{bottom + 40}" text-anchor="middle" class="axis">'
        f"{escape(x_label)}</text>"
    )

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
