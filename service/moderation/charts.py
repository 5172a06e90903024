"""Server-side SVG charts: stacked bars and lines, no JavaScript, no CDN. Pure (no I/O).

Every label is escaped; every bar and point carries a ``<title>`` (a tooltip
and a text alternative), and the chart has ``role="img"`` with a label.

Colours are presentation attributes, which the page's stylesheet overrides: gridlines
(``grid-line``), axis labels (``axis``) and the legend (``legend``) by class, and each
series by its ``tone`` (``tone-<name>``: drawn in ``currentColor``, its ``color`` the
attribute's fallback), so the charts follow the dashboard's dark mode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 14, 42


@dataclass(frozen=True, slots=True)
class Series:
    """One named series of values (None: no value for that bucket)."""

    name: str
    color: str
    values: Sequence[float | None]
    tone: str = ""  # the stylesheet's colour for it: class tone-<tone>


def _paint(s: Series) -> str:
    """Return the attributes that colour a series' shapes (``currentColor`` follows them)."""
    tone = f' class="tone-{escape(s.tone)}"' if s.tone else ""
    return f'{tone} color="{escape(s.color)}"'


def _fmt_number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.2g}"


def _nice_max(value: float) -> float:
    """Return a round axis maximum at or above ``value`` that divides by 4 (the gridlines
    sit at quarters, and each label must say exactly where its line is): 1 (rates), 4, 8,
    20, 40, 80, 100, 200, 400, 800, 1000, …"""
    if value <= 1:
        return 1.0
    if value <= 8:
        return 4.0 if value <= 4 else 8.0
    magnitude = 10.0
    while True:
        for step in (2, 4, 8, 10):
            if value <= step * magnitude:
                return step * magnitude
        magnitude *= 10


def _frame(
    title: str,
    labels: Sequence[str],
    top: float,
    fmt: Callable[[float], str],
    body: list[str],
    series: Sequence[Series],
) -> Markup:
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 22}" '
        f'class="chart" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'class="grid-line" stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'class="axis" fill="#57606a">{escape(fmt(value))}</text>'
        )
    count = max(len(labels), 1)
    every = max(1, count // 12)
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = LEFT + plot_w * (i + 0.5) / count
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
            f'class="axis" fill="#57606a">{escape(label)}</text>'
        )
    parts.extend(body)
    x = LEFT
    for s in series:
        parts.append(
            f'<rect x="{x}" y="{HEIGHT + 4}" width="12" height="12"{_paint(s)} '
            f'fill="currentColor"/>'
            f'<text x="{x + 16}" y="{HEIGHT + 14}" font-size="12" class="legend" fill="#1b1f24">'
            f"{escape(s.name)}</text>"
        )
        x += 34 + 8 * len(s.name)
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[float], str] = _fmt_number,
) -> Markup:
    """Return a stacked bar chart: one bar per label, one segment per series."""
    totals = [sum((s.values[i] or 0.0) for s in series) for i in range(len(labels))]
    top = max(_nice_max(max(totals, default=0.0)), 4.0)  # counts: no quarter comments
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar = max(slot * 0.72, 1.0)
    body = []
    for i, label in enumerate(labels):
        y = float(TOP + plot_h)
        x = LEFT + slot * i + (slot - bar) / 2
        for s in series:
            value = s.values[i] or 0.0
            if value <= 0:
                continue
            h = plot_h * value / top
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}"{_paint(s)} '
                f'fill="currentColor"><title>{escape(label)}: {escape(s.name)} '
                f"{escape(fmt(value))}</title></rect>"
            )
    return _frame(title, labels, top, fmt, body, series)


def lines(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[float], str] = _fmt_number,
    top: float | None = None,
) -> Markup:
    """Return a line chart; a bucket without a value breaks the line."""
    peak = max((v for s in series for v in s.values if v is not None), default=0.0)
    top = top if top is not None else _nice_max(peak)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    count = max(len(labels), 1)
    body = []
    for s in series:
        segment: list[str] = []
        for i, value in enumerate(s.values):
            if value is None:
                if len(segment) > 1:
                    body.append(_polyline(segment, s))
                segment = []
                continue
            x = LEFT + plot_w * (i + 0.5) / count
            y = TOP + plot_h - plot_h * min(value, top) / top
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"{_paint(s)} fill="currentColor">'
                f"<title>{escape(labels[i])}: {escape(s.name)} "
                f"{escape(fmt(value))}</title></circle>"
            )
        if len(segment) > 1:
            body.append(_polyline(segment, s))
    return _frame(title, labels, top, fmt, body, series)


def table(
    title: str,
    first: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[float], str] = _fmt_number,
    missing: str = "–",
    caption_id: str | None = None,
) -> Markup:
    """Return a chart's values as a data table (one row per label, one column per series):
    the text alternative of a chart a screen reader can walk (``missing``: no value, "0"
    for counts; ``caption_id``: the caption's id, that names the region the table scrolls
    in on a narrow screen)."""
    head = "".join(f'<th scope="col" class="num">{escape(s.name)}</th>' for s in series)
    rows = []
    for i, label in enumerate(labels):
        cells = "".join(f'<td class="num">{_cell(s.values[i], fmt, missing)}</td>' for s in series)
        rows.append(f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>')
    ident = f' id="{escape(caption_id)}"' if caption_id else ""
    return Markup(
        f'<table class="grid chart-data"><caption{ident}>{escape(title)}</caption>'
        f'<thead><tr><th scope="col">{escape(first)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _cell(value: float | None, fmt: Callable[[float], str], missing: str) -> str:
    return missing if value is None else str(escape(fmt(value)))


def _polyline(points: list[str], s: Series) -> str:
    return (
        f'<polyline points="{" ".join(points)}"{_paint(s)} fill="none" '
        f'stroke="currentColor" stroke-width="2"/>'
    )


#: Axis maxima for durations, in minutes: each divides by 4 into quarters that
#: ``minutes()`` writes exactly (1–4 min, 5–20 min, 15–60 min, 30 min–2 h, 3–12 h, 12–48 h, …).
MINUTE_TOPS = (4, 8, 20, 40, 60, 120, 240, 480, 720, 1440, 2880, 5760, 11520)


def minutes_top(peak: float) -> float:
    """Return a round axis maximum (in minutes) at or above ``peak``, divisible by 4 into
    exactly labelled quarters (a 5 or 15 minute top labelled 1.25 min "1 min"; review)."""
    for step in MINUTE_TOPS:
        if peak <= step:
            return float(step)
    return float(int(peak // 5760 + 1) * 5760)


def percent(value: float) -> str:
    """Format a rate in [0, 1] as a percentage."""
    return f"{value * 100:.0f}%"


def minutes(value: float) -> str:
    """Format a duration in minutes: whole numbers without decimals ("2 h", "45 min"),
    one decimal otherwise under 10 minutes or from 2 hours ("2.5 min", "2.5 h"); an hour is
    "1 h", as the axis's next labels are hours ("60 min" sat under "2 h")."""
    if value >= 120 or value == 60:
        hours = value / 60
        return f"{hours:.0f} h" if hours == round(hours) else f"{hours:.1f} h"
    if value < 10 and value != round(value):
        return f"{value:.1f} min"
    return f"{value:.0f} min"
