"""What every chart shares: colours, text sizes, value and tick formatting, the header.

Sizes follow the old 120-dpi matplotlib figures, so the charts keep their proportions: a
10 in wide chart is 1200 px, and a point is 120/72 px.
"""

from __future__ import annotations

import math

from copilot.charts.canvas import Canvas, rgb
from copilot.charts.models import UNITS

WIDTH, DPI = 1200, 120
INK, MUTED, GRID = rgb("#222222"), rgb("#6b6b6b"), rgb("#e3e3e3")
NEUTRAL, BAD, GOOD = rgb("#8aa6c1"), rgb("#d7301f"), rgb("#238b45")
BAD_BG, GOOD_BG = rgb("#fdeceb"), rgb("#e8f5ea")
HIGHLIGHT, OTHER = rgb("#e6550d"), rgb("#b9c5d0")
# Text sizes in px (the old charts' points x 120/72).
TITLE, SUBTITLE, LEGEND, TICK = 25.0, 16.5, 16.5, 15.0
MARGIN = 18
NO_DATA = "无数据"


def format_value(value: float | None, unit: str) -> str:
    """A value as a supervisor reads it: 23.4%, ¥1,234, 1.85, 12,345 or 无数据."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    if value is None:
        return NO_DATA
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "money":
        return f"¥{value:,.0f}"
    return f"{value:.2f}" if unit == "ratio" else f"{value:,.0f}"


def nice_ticks(low: float, high: float, most: int) -> tuple[list[float], float]:
    """At most `most` + 1 round ticks (steps of 1, 2 or 5 x 10^k) within [low, high], and
    the step, so labels can show just the decimals the step needs. No 2.5 steps: 2.5%
    ticks would need a decimal that the others do not."""
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return [low], 1.0
    raw = span / most
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in (1, 2, 5, 10) if s * magnitude >= raw * (1 - 1e-9))
    first = math.ceil(low / step - 1e-9)
    count = math.floor(high / step + 1e-9) - first + 1
    return [(first + k) * step for k in range(count)], step


def tick_label(value: float, unit: str, step: float) -> str:
    """An axis tick: as `format_value`, with only the decimals the step needs."""
    decimals = max(0, -math.floor(math.log10(step * (100 if unit == "rate" else 1)) + 1e-9))
    if unit == "rate":
        return f"{value * 100:.{decimals}f}%"
    if unit == "ratio":
        return f"{value:.{max(decimals, 1)}f}"
    text = f"{value:,.{decimals}f}"
    return f"¥{text}" if unit == "money" else text


def header(canvas: Canvas, title: str, subtitle: str) -> None:
    """Title (bold) and one explanatory line, left-aligned, at fixed distances from the
    top; shortened with … rather than cut off when too wide."""
    room = canvas.width - 2 * MARGIN
    canvas.text(MARGIN, 19, canvas.fit(title, TITLE, room, bold=True), TITLE, INK, "lt",
                bold=True)
    canvas.text(MARGIN, 64, canvas.fit(subtitle, SUBTITLE, room), SUBTITLE, MUTED, "lt")
