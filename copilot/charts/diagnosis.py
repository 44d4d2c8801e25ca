"""The store-diagnosis chart: every metric on one axis as an index where 100 = the chain
average, with region average, previous period and a value table beside it.

Layout (px, 1200 wide; 720 high for 8 metrics): header and legend in the top 180 px, then
one row per metric: name and "越高越好" on the left, the index plot in the middle, the
value columns on the right. Margins come from the measured labels and values, so long
metric names or large amounts are never clipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from copilot.charts.canvas import Canvas, Color
from copilot.charts.models import DiagnosisChartData, MetricRow
from copilot.charts.style import (
    BAD,
    BAD_BG,
    DPI,
    GOOD,
    GOOD_BG,
    GRID,
    INK,
    LEGEND,
    MARGIN,
    MUTED,
    NEUTRAL,
    NO_DATA,
    TICK,
    format_value,
    header,
    nice_ticks,
)

NAME, HINT, CELL, HEAD, NOTE = 19.0, 14.0, 17.5, 15.5, 15.5
TOP, BOTTOM = 180.0, 18.0  # plot area: px from the top, px from the bottom
MIN_PLOT = 380.0  # px: room for the bars and "无数据（缺全连锁平均）"
COLUMNS = ("本店", "指数", "上期", "区域平均", "全连锁")
SUBTITLE = "指数 = 本店 ÷ 全连锁平均 × 100，100 = 全连锁平均。条形从 100 画到本店，越长差距越大"
LEGEND_LABELS = ("本店", "区域平均", "上期", "全连锁平均（100）", "异常·不利", "异常·有利")
HINTS = {"higher_better": "越高越好", "lower_better": "越低越好"}
NO_CHAIN = f"{NO_DATA}（缺全连锁平均）"
TEXTS = (SUBTITLE, *COLUMNS, *LEGEND_LABELS, *HINTS.values(), NO_CHAIN)  # fixed wording


def height_px(data: DiagnosisChartData) -> int:
    """8 metrics: 10 x 6 in at 120 dpi; fewer: a shorter chart, not giant rows."""
    return round(max(3.0, 0.55 * max(len(data.metrics), 1) + 1.6) * DPI)


def row_colors(row: MetricRow) -> tuple[Color, Color | None]:
    """(bar colour, row background): neutral unless abnormal; abnormal rows are red when
    the store is on the bad side of the chain average (or we cannot tell), else green."""
    if not row.abnormal:
        return NEUTRAL, None
    return (GOOD, GOOD_BG) if row.is_favourable() else (BAD, BAD_BG)


def index_limits(rows: list[MetricRow]) -> tuple[float, float]:
    """An x range around 100 that shows every index, capped at 0-300 so one outlier
    cannot squash the other rows."""
    values = [100.0] + [
        v for r in rows for v in (r.index(r.store), r.index(r.previous), r.index(r.region_avg))
        if v is not None
    ]
    low, high = min(values), max(values)
    pad = max(8.0, (high - low) * 0.08)
    return max(0.0, low - pad), min(300.0, high + pad)


def _cells(row: MetricRow) -> tuple[str, ...]:
    store = row.index(row.store)
    return (format_value(row.store, row.unit), NO_DATA if store is None else f"{store:.0f}",
            format_value(row.previous, row.unit), format_value(row.region_avg, row.unit),
            format_value(row.chain_avg, row.unit))


@dataclass(frozen=True)
class Layout:
    """Where things go across the chart: the right edge of the metric names, the index
    plot's extent, and the centre of each value column."""

    label_right: float
    plot_left: float
    plot_right: float
    columns: tuple[float, ...]


def layout(canvas: Canvas, rows: list[MetricRow]) -> Layout:
    """Each value column as wide as its widest cell; the names get what is left after a
    plot of at least MIN_PLOT px (longer names are shortened with …)."""
    cells = [_cells(r) for r in rows]
    widths = [20 + max([canvas.measure(c[k], CELL, bold=True) for c in cells]
                       + [canvas.measure(head, HEAD), 58.0]) for k, head in enumerate(COLUMNS)]
    left = canvas.width - MARGIN - sum(widths)
    columns = tuple(left + sum(widths[:k]) + widths[k] / 2 for k in range(len(widths)))
    names = max([canvas.measure(r.name, NAME, bold=r.abnormal) for r in rows] + [80.0])
    room = left - 24 - MIN_PLOT - 20 - MARGIN - 6
    label_right = MARGIN + 6 + max(80.0, min(names, 0.3 * canvas.width, room))
    return Layout(label_right, label_right + 20, left - 24, columns)


def draw_diagnosis(canvas: Canvas, data: DiagnosisChartData) -> None:
    """Draw back to front: row bands, grid, bars and labels, the 100 line, markers."""
    rows, n = data.metrics, max(len(data.metrics), 1)
    bottom = canvas.height - BOTTOM
    row_h = (bottom - TOP) / n
    at = layout(canvas, rows)
    low, high = index_limits(rows)

    def x_of(index: float) -> float:
        index = min(max(index, low), high)  # an outlier beyond 300 is drawn at the edge
        return at.plot_left + (index - low) / (high - low) * (at.plot_right - at.plot_left)

    for i, row in enumerate(rows):
        background = row_colors(row)[1]
        if background is not None:
            canvas.rect(12, TOP + i * row_h, canvas.width - 12, TOP + (i + 1) * row_h,
                        background, "band")
        if i:
            canvas.hline(12, canvas.width - 12, TOP + i * row_h, GRID)
    for tick in nice_ticks(low, high, min(8, int((at.plot_right - at.plot_left) // 55)))[0]:
        canvas.vline(x_of(tick), TOP, bottom, GRID)
        canvas.text(x_of(tick), TOP - 8, f"{tick:.0f}", TICK, MUTED, "mb")
    for x, head in zip(at.columns, COLUMNS, strict=True):
        canvas.text(x, TOP - 8, head, HEAD, MUTED, "mb")
    if not rows:
        canvas.text(x_of(100) + 8, TOP + row_h / 2, NO_DATA, NAME, MUTED, "lm")
    for i, row in enumerate(rows):
        y = TOP + (i + 0.5) * row_h
        _row(canvas, row, y, row_h, x_of, at.label_right)
        bar = row_colors(row)[0]
        for col, (x, cell) in enumerate(zip(at.columns, _cells(row), strict=True)):
            strong = col < 2 and row.abnormal and cell != NO_DATA
            color = MUTED if cell == NO_DATA else bar if strong else INK
            canvas.text(x, y, cell, CELL, color, "mm", bold=strong)
    canvas.vline(x_of(100), TOP, bottom, INK, 2)
    for i, row in enumerate(rows):
        y = TOP + (i + 0.5) * row_h
        previous, region = row.index(row.previous), row.index(row.region_avg)
        if previous is not None:
            canvas.marker("circle", x_of(previous), y - 0.13 * row_h, 13.0, INK)
        if region is not None:
            canvas.marker("diamond", x_of(region), y + 0.13 * row_h, 12.0, INK)
    header(canvas, data.title, SUBTITLE)
    _legend(canvas, 118)


def _row(canvas: Canvas, row: MetricRow, y: float, row_h: float,
         x_of: Callable[[float], float], label_right: float) -> None:
    """A metric's name and hint on the left, its bar (or why there is none) on the plot."""
    bar = row_colors(row)[0]
    name = canvas.fit(row.name, NAME, label_right - MARGIN, bold=row.abnormal)
    canvas.text(label_right, y + 1, name, NAME, bar if row.abnormal else INK, "rb",
                bold=row.abnormal)
    canvas.text(label_right, y + 5, HINTS[row.direction], HINT, MUTED, "rt")
    store = row.index(row.store)
    if store is not None:
        canvas.rect(x_of(100), y - 0.21 * row_h, x_of(store), y + 0.21 * row_h, bar, "bar")
    else:
        missing = NO_CHAIN if row.chain_avg is None or row.chain_avg <= 0 else NO_DATA
        canvas.text(x_of(100) + 8, y, missing, NOTE, MUTED, "lm")


def _legend(canvas: Canvas, y: float) -> None:
    """What the bar, the two markers, the 100 line and the red/green rows mean."""
    swatches = {0: NEUTRAL, 4: BAD, 5: GOOD}
    x = MARGIN + 6.0
    for i, label in enumerate(LEGEND_LABELS):
        if i in swatches:
            canvas.rect(x, y - 6, x + 27, y + 6, swatches[i], "legend")
        elif i == 3:
            canvas.hline(x, x + 27, y, INK, 2)
        else:
            canvas.marker("diamond" if i == 1 else "circle", x + 13.5, y,
                          12.0 if i == 1 else 12.5, INK, "legend")
        x += 27 + 9
        x += canvas.text(x, y, label, LEGEND, INK, "lm") + 27
