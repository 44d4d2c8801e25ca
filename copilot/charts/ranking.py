"""The ranking chart: stores from best to worst on one value, one store highlighted.

Layout (px, 1200 wide, at least 720 high and 38 px more per store beyond 15): header in
the top 138 px, then a row per store with its rank, name, bar and value, a dashed line at
the plain mean of the stores, and the value axis along the bottom.
"""

from __future__ import annotations

from copilot.charts.canvas import WHITE, Canvas
from copilot.charts.style import (
    DPI,
    GRID,
    HIGHLIGHT,
    INK,
    MARGIN,
    MUTED,
    NO_DATA,
    OTHER,
    TICK,
    format_value,
    header,
    nice_ticks,
    tick_label,
)

STORE, VALUE, RANK = 17.5, 15.5, 15.5
TOP, BOTTOM = 138.0, 54.0  # plot area: px from the top, px from the bottom
MIN_SLOTS = 8  # a few stores keep normal-sized bars, at the top
TEXTS = ("共家门店，从高到低排列；虚线门店均值（各店简单平均）橙色–",)  # fixed wording

Rows = list[tuple[str, float | None]]


def ranked(rows: Rows) -> Rows:
    """Highest value first (ties keep their order), stores with no value last."""
    known = sorted((r for r in rows if r[1] is not None), key=lambda r: -(r[1] or 0.0))
    return known + [r for r in rows if r[1] is None]


def height_px(rows: Rows) -> int:
    """10 x 6 in at 120 dpi, taller when there are many stores."""
    return round(max(6.0, 0.32 * len(rows) + 1.7) * DPI)


def subtitle(rows: Rows, highlight: str | None) -> str:
    """How many stores, the sort order, and what the dashed line and orange mean."""
    text = f"共 {len(rows)} 家门店，从高到低排列"
    if any(v is not None for _, v in rows):
        text += "；虚线 = 门店均值（各店简单平均）"
    if highlight is not None:
        text += f"；橙色 = {highlight}"
    return text


def draw_ranking(canvas: Canvas, title: str, rows: Rows, unit: str,
                 highlight: str | None) -> None:
    """Draw back to front: grid and axis, bars, the mean line, then labels on top."""
    order = ranked(rows)
    values = [v for _, v in order if v is not None]
    top, bottom = TOP, canvas.height - BOTTOM
    slot = (bottom - top) / max(len(order), MIN_SLOTS)
    rank_w = canvas.measure(str(len(order)), RANK) + 16
    label_w = max([canvas.measure(name, STORE, bold=True) for name, _ in order] + [80.0])
    label_w = min(label_w, 0.35 * canvas.width)
    left, right = MARGIN + 6 + rank_w + label_w + 24, canvas.width * 0.97
    low, high = min([0.0, *values]), max([0.0, *values])
    high = high * 1.16 if high > 0 else -0.16 * low if low < 0 else 1.0  # label room

    def x_of(value: float) -> float:
        return left + (value - low) / (high - low) * (right - left)

    ticks, step = nice_ticks(low, high, min(8, int((right - left) // 70)))
    for tick in ticks if values else []:  # no scale to show when no store has a value
        canvas.vline(x_of(tick), top, bottom, GRID)
        canvas.text(x_of(tick), bottom + 8, tick_label(tick, unit, step), TICK, MUTED, "mt")
    canvas.hline(left, right, bottom, GRID)
    for i, (name, value) in enumerate(order):
        if value is not None:
            color = HIGHLIGHT if name == highlight else OTHER
            y = top + (i + 0.5) * slot
            canvas.rect(x_of(0), y - 0.33 * slot, x_of(value), y + 0.33 * slot, color, "bar")
    if values:
        mean = sum(values) / len(values)
        canvas.vline(x_of(mean), top, bottom, INK, 1, dash=(6, 4))
        note = f"门店均值 {format_value(mean, unit)}"
        half = canvas.measure(note, TICK) / 2
        x = min(max(x_of(mean), MARGIN + half), canvas.width - MARGIN - half)
        canvas.text(x, top - 4, note, TICK, INK, "mb")
    for i, (name, value) in enumerate(order):
        y, mine = top + (i + 0.5) * slot, name == highlight
        color = HIGHLIGHT if mine else INK
        canvas.text(MARGIN + 6, y, "–" if value is None else str(i + 1), RANK, MUTED, "lm")
        label = canvas.fit(name, STORE, label_w, bold=mine)
        canvas.text(left - 12, y, label, STORE, color, "rm", bold=mine)
        if value is None:
            canvas.text(x_of(low) + 6, y, NO_DATA, VALUE, MUTED, "lm")
            continue
        text = format_value(value, unit)
        x = max(x_of(0), x_of(value)) + 4
        width = canvas.measure(text, VALUE, bold=mine)
        canvas.rect(x - 1, y - 0.5 * VALUE, x + width + 3, y + 0.5 * VALUE, WHITE, "label")
        canvas.text(x + 1, y, text, VALUE, color, "lm", bold=mine)
    header(canvas, title, subtitle(order, highlight))
