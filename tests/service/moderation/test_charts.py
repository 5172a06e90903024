"""The stats charts' axes: every gridline's label says exactly where the line is. Pure."""

from __future__ import annotations

import re

import pytest

from service.moderation import charts

AXIS_LABEL = re.compile(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="end"[^>]*>([^<]+)</text>')


def axis(svg: str) -> list[str]:
    """Return the y-axis labels of a chart, bottom to top."""
    found = [(float(y), text) for y, text in AXIS_LABEL.findall(svg)]
    return [text for _, text in sorted(found, reverse=True)]


def as_minutes(label: str) -> float:
    """Return the minutes a duration label says ("90 min", "2 h", "2.5 h")."""
    number, unit = label.split(" ")
    return float(number) * (60 if unit == "h" else 1)


@pytest.mark.parametrize("peak", [0.4, 3, 4.5, 5, 12, 15, 33, 59, 61, 119, 130, 250, 600, 3000])
def test_time_to_decision_gridlines_are_labelled_exactly(peak: float) -> None:
    """Gridlines sit at quarters of the axis maximum, and each label is that quarter: a 5
    or 15 minute maximum labelled its quarters "0, 1, 2, 4, 5 min" (found in review)."""
    top = charts.minutes_top(peak)
    assert top >= peak
    svg = charts.lines(
        "t", ["a", "b"], [charts.Series("m", "#000", [peak, None])], charts.minutes, top
    )
    labels = axis(svg)
    assert [as_minutes(label) for label in labels] == [top * i / 4 for i in range(5)], labels


def test_the_five_minute_axis_reads_whole_minutes() -> None:
    """A median of 3 minutes: the axis reads 0–4 min in whole minutes, no duplicate label."""
    svg = charts.lines("t", ["a"], [charts.Series("m", "#000", [3.0])], charts.minutes, 4.0)
    assert charts.minutes_top(3.0) == 4.0
    assert axis(svg) == ["0 min", "1 min", "2 min", "3 min", "4 min"]


@pytest.mark.parametrize("peak", [1, 2, 5, 9, 25, 50, 99, 350, 1001, 12345])
def test_count_gridlines_are_labelled_exactly(peak: int) -> None:
    """Bars of counts: every gridline label is its exact value (no rounded quarters)."""
    svg = charts.stacked_bars("t", ["a"], [charts.Series("n", "#000", [float(peak)])])
    labels = axis(svg)
    values = [float(label.replace(",", "")) for label in labels]
    top = values[-1]
    assert top >= peak and values == [top * i / 4 for i in range(5)], labels
    assert all(v == int(v) for v in values), labels


def test_durations_are_written_exactly() -> None:
    """Whole minutes and hours without decimals; one decimal where it is not whole."""
    assert [charts.minutes(v) for v in (0, 2.5, 45, 60, 90, 120, 150, 180)] == [
        "0 min", "2.5 min", "45 min", "1 h", "90 min", "2 h", "2.5 h", "3 h",
    ]  # fmt: skip


def test_colours_are_attributes_the_stylesheet_can_override() -> None:
    """Gridlines, axis labels and the legend carry classes, and a series with a tone is
    drawn in ``currentColor`` under ``class="tone-…"`` with its own colour as the fallback,
    so the dashboard's stylesheet recolours them in dark mode (they kept dark grey text on
    a dark panel)."""
    series = [charts.Series("Held", "#d4a72c", [2.0, None, 1.0], "held")]
    bars = str(charts.stacked_bars("t", ["a", "b", "c"], series))
    line = str(charts.lines("t", ["a", "b", "c"], series))
    for svg in (bars, line):
        assert 'class="grid-line" stroke="#d0d7de"' in svg
        assert 'class="axis" fill="#57606a"' in svg
        assert 'class="legend" fill="#1b1f24"' in svg
    painted = 'class="tone-held" color="#d4a72c" fill="currentColor"'
    assert bars.count(painted) == 3  # two bars and the legend's swatch
    assert line.count(painted) == 3  # two points and the swatch
    joined = str(charts.lines("t", ["a", "b"], [charts.Series("H", "#d4a72c", [2, 1], "held")]))
    assert '<polyline points="' in joined
    assert 'class="tone-held" color="#d4a72c" fill="none" stroke="currentColor"' in joined
    assert "#d4a72c" not in bars.replace('color="#d4a72c"', "")  # no colour but the fallback
    plain = str(charts.lines("t", ["a"], [charts.Series("m", "#000", [1.0])]))
    assert 'color="#000" fill="currentColor"' in plain and "tone-" not in plain
