"""Store-diagnosis charts as PNG bytes, with Chinese that renders on any machine.

Why this shape: the copilot sends charts to chat channels and files, from servers with no
display, possibly from several threads, so we use matplotlib's object API (a `Figure` on a
`FigureCanvasAgg`) and never pyplot's global figure registry. Each chart is drawn under
matplotlib's default settings plus our font (`rc_context` + `rcdefaults`), so a user's
matplotlibrc cannot change it and identical input gives identical bytes. The PNG metadata
carries no matplotlib version for the same reason.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from copilot.charts.models import UNITS, ChartImage, DiagnosisChartData, MetricRow
from copilot.charts.typeface import choose_fonts

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 6.0, 120
INK, MUTED, GRID = "#222222", "#6b6b6b", "#e3e3e3"
NEUTRAL, BAD, GOOD = "#8aa6c1", "#d7301f", "#238b45"
BAD_BG, GOOD_BG = "#fdeceb", "#e8f5ea"
HIGHLIGHT, OTHER = "#e6550d", "#b9c5d0"
NO_DATA = "无数据"
# The shipped font has one weight; a thin outline in the text's own colour reads as bold
# without a second 1.5 MB font file (and without matplotlib's "weight bold" fallback).
BOLD = (withStroke(linewidth=0.7),)
COLUMNS = ("本店", "指数", "上期", "区域平均", "全连锁")
SUBTITLE = "指数 = 本店 ÷ 全连锁平均 × 100，100 = 全连锁平均。条形从 100 画到本店，越长差距越大"
LEGEND = ("本店", "区域平均", "上期", "全连锁平均（100）", "异常·不利", "异常·有利")


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


def _tick(value: float, unit: str) -> str:
    """Axis ticks: as `format_value`, with fewer decimals."""
    if unit == "rate":
        return f"{value * 100:.0f}%"
    return f"{value:.1f}" if unit == "ratio" else format_value(value, unit)


def _width_in(text: str, size_pt: float) -> float:
    """Approximate drawn width: hanzi and full-width forms are 1 em, the rest ~0.6 em.
    Used to size the label margin before drawing (no renderer needed)."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)
    return ems * size_pt / 72


def _render(texts: Iterable[str], build: Callable[[], Figure], notes: list[str]) -> ChartImage:
    """Draw with `build` under default settings and the chosen fonts; return the PNG and
    what did not render. matplotlib's "Glyph … missing" warnings are caught (they concern
    characters we already report) so callers get one list instead of stray UserWarnings;
    other warnings are re-issued. Not thread-safe (rcParams and warning filters are
    process-wide), like the rest of matplotlib's text machinery."""
    choice = choose_fonts(texts)
    buffer = io.BytesIO()
    with matplotlib.rc_context(), warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        matplotlib.rcdefaults()
        matplotlib.rcParams.update({"font.family": choice.families, "text.parse_math": False})
        figure = build()
        FigureCanvasAgg(figure)
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    messages = [f"字符“{c}”（U+{ord(c):04X}）不在任何可用字体中，显示为方框"
                for c in choice.missing]
    for record in records:
        glyph = re.match(r"Glyph (\d+) ", str(record.message))
        if glyph is None:
            warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
        elif chr(int(glyph.group(1))) not in choice.missing and str(record.message) not in messages:
            messages.append(str(record.message))
    return ChartImage(buffer.getvalue(), [*notes, *messages], choice.fallbacks)


def _row_colors(row: MetricRow) -> tuple[str, str | None]:
    """(bar colour, row background): neutral unless abnormal; abnormal rows are red when
    the store is on the bad side of the chain average (or we cannot tell), else green."""
    if not row.abnormal:
        return NEUTRAL, None
    return (GOOD, GOOD_BG) if row.is_favourable() else (BAD, BAD_BG)


def _index_limits(rows: list[MetricRow]) -> tuple[float, float]:
    """An x range around 100 that shows every index, capped at 0-300 so one outlier
    cannot squash the other rows."""
    values = [100.0] + [
        v for r in rows for v in (r.index(r.store), r.index(r.previous), r.index(r.region_avg))
        if v is not None
    ]
    low, high = min(values), max(values)
    pad = max(8.0, (high - low) * 0.08)
    return max(0.0, low - pad), min(300.0, high + pad)


def _header(fig: Figure, height: float, title: str, subtitle: str) -> None:
    """Title and one explanatory line, left-aligned, at fixed distances from the top."""
    fig.text(0.015, 1 - 0.16 / height, title, size=15, color=INK, va="top", path_effects=BOLD)
    fig.text(0.015, 1 - 0.55 / height, subtitle, size=10, color=MUTED, va="top")


def _build_diagnosis(data: DiagnosisChartData) -> Figure:
    """One row per metric: a bar from the chain average (100) to the store, a diamond for
    the region average, a hollow circle for the previous period, and a value table."""
    rows, n = data.metrics, max(len(data.metrics), 1)
    height = max(3.0, 0.55 * n + 1.6)  # 8 metrics: 10 x 6 in; fewer: no giant rows
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
    label_in = max([_width_in(r.name, 11.5) for r in rows] + [1.0])
    left, top, bottom = (label_in + 0.3) / WIDTH_IN, 1 - 1.5 / height, 0.15 / height
    grid = fig.add_gridspec(1, 2, left=left, right=0.985, top=top, bottom=bottom,
                            width_ratios=(1.3, 1), wspace=0.05)
    ax, table = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    back = fig.add_axes((0.01, bottom, 0.98, top - bottom), zorder=-1)
    for axes in (ax, table, back):
        axes.set_ylim(n - 0.5, -0.5)
    back.set_axis_off()
    table.set_axis_off()
    table.set_xlim(0, len(COLUMNS))
    ax.set_facecolor("none")
    ax.set_xlim(*_index_limits(rows))
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", colors=MUTED, labelsize=9, length=0)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.grid(axis="x", color=GRID, lw=0.8)
    ax.set_axisbelow(True)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.axvline(100, color=INK, lw=1.4, zorder=2)
    labels = blended_transform_factory(ax.transAxes, ax.transData)
    heads = blended_transform_factory(table.transData, table.transAxes)
    for col, head in enumerate(COLUMNS):
        table.text(col + 0.5, 1.012, head, transform=heads, ha="center", va="bottom",
                   size=9.5, color=MUTED)
    if not rows:
        ax.text(100, 0, f" {NO_DATA}", va="center", color=MUTED, size=11)
    for i, row in enumerate(rows):
        bar, background = _row_colors(row)
        if background is not None:
            back.axhspan(i - 0.5, i + 0.5, color=background, lw=0)
        if i:
            back.axhline(i - 0.5, color=GRID, lw=0.8)
        ax.text(-0.03, i + 0.02, row.name, transform=labels, ha="right", va="bottom", size=11.5,
                color=bar if row.abnormal else INK, path_effects=BOLD if row.abnormal else ())
        hint = "越高越好" if row.direction == "higher_better" else "越低越好"
        ax.text(-0.03, i + 0.1, hint, transform=labels, ha="right", va="top", size=8.5,
                color=MUTED)
        store, region, previous = (row.index(v) for v in (row.store, row.region_avg,
                                                           row.previous))
        if store is not None:
            ax.barh(i, store - 100, left=100, height=0.42, color=bar, zorder=3)
        elif row.chain_avg is None or row.chain_avg <= 0:
            ax.text(100, i, f"  {NO_DATA}（缺全连锁平均）", va="center", color=MUTED, size=9.5)
        else:
            ax.text(100, i, f"  {NO_DATA}", va="center", color=MUTED, size=9.5)
        if region is not None:
            ax.plot(region, i + 0.13, ls="none", marker="D", ms=7.5, mfc=INK, mec="white", mew=1,
                    zorder=5)
        if previous is not None:
            ax.plot(previous, i - 0.13, ls="none", marker="o", ms=8, mfc="none", mec=INK, mew=1.6,
                    zorder=4)
        cells = (format_value(row.store, row.unit), NO_DATA if store is None else f"{store:.0f}",
                 format_value(row.previous, row.unit), format_value(row.region_avg, row.unit),
                 format_value(row.chain_avg, row.unit))
        for col, cell in enumerate(cells):
            strong = col < 2 and row.abnormal and cell != NO_DATA
            table.text(col + 0.5, i, cell, ha="center", va="center", size=10.5,
                       color=MUTED if cell == NO_DATA else bar if strong else INK,
                       path_effects=BOLD if strong else ())
    _header(fig, height, data.title, SUBTITLE)
    handles = [
        Patch(color=NEUTRAL, label=LEGEND[0]),
        Line2D([], [], ls="none", marker="D", ms=7, mfc=INK, mec="white", label=LEGEND[1]),
        Line2D([], [], ls="none", marker="o", ms=8, mfc="none", mec=INK, mew=1.6,
               label=LEGEND[2]),
        Line2D([], [], color=INK, lw=1.4, label=LEGEND[3]),
        Patch(facecolor=BAD, label=LEGEND[4]),
        Patch(facecolor=GOOD, label=LEGEND[5]),
    ]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.008, 1 - 0.8 / height),
               ncol=len(handles), frameon=False, fontsize=10, handlelength=1.6,
               columnspacing=1.6)
    return fig


def diagnosis_chart(data: DiagnosisChartData) -> ChartImage:
    """The diagnosis chart with its rendering report (see `ChartImage`)."""
    texts = [data.title, SUBTITLE, *COLUMNS, *LEGEND, "越高越好越低越好（缺全连锁平均）"]
    texts += [r.name for r in data.metrics]
    return _render(texts, lambda: _build_diagnosis(data), [])


def render_diagnosis_chart(data: DiagnosisChartData) -> bytes:
    """A supervisor's one-glance store diagnosis as PNG bytes; every metric on one axis as
    an index where 100 = the chain average, abnormal rows in red (bad) or green (good)."""
    return diagnosis_chart(data).png


def _build_ranking(title: str, rows: list[tuple[str, float | None]], unit: str,
                   highlight: str | None) -> Figure:
    """Stores from best to worst on one value, the highlighted one in orange, stores with
    no value last, and a dashed line at the plain mean of the stores."""
    ranked = sorted((r for r in rows if r[1] is not None), key=lambda r: -(r[1] or 0.0))
    ranked += [r for r in rows if r[1] is None]
    values = [v for _, v in ranked if v is not None]
    n = max(len(ranked), 1)
    height = max(HEIGHT_IN, 0.32 * n + 1.7)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
    label_in = max([_width_in(name, 10.5) for name, _ in ranked] + [1.0])
    left, top, bottom = (label_in + 0.65) / WIDTH_IN, 1 - 1.15 / height, 0.45 / height
    ax = fig.add_axes((left, bottom, 0.97 - left, top - bottom))
    ax.set_ylim(max(n, 8) - 0.5, -0.5)  # a few stores keep normal bars, at the top
    low, high = min([0.0, *values]), max([0.0, *values])
    ax.set_xlim(low, high * 1.16 if high > 0 else 1.0)
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v, unit)))
    ax.tick_params(axis="x", colors=MUTED, labelsize=9, length=0)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.grid(axis="x", color=GRID, lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GRID)
    names = blended_transform_factory(ax.transAxes, ax.transData)
    ranks = blended_transform_factory(fig.transFigure, ax.transData)
    for i, (name, value) in enumerate(ranked):
        mine = name == highlight
        color, effects = (HIGHLIGHT, BOLD) if mine else (INK, ())
        ax.text(-0.015, i, name, transform=names, ha="right", va="center", size=10.5,
                color=color, path_effects=effects)
        rank = "–" if value is None else str(i + 1)
        ax.text(0.02, i, rank, transform=ranks, ha="left", va="center", size=9.5, color=MUTED)
        if value is None:
            ax.text(low, i, f" {NO_DATA}", va="center", size=9.5, color=MUTED)
            continue
        ax.barh(i, value, height=0.66, color=HIGHLIGHT if mine else OTHER, zorder=3)
        ax.text(value, i, f" {format_value(value, unit)}", va="center", size=9.5, color=color,
                path_effects=effects, zorder=6, bbox={"fc": "white", "ec": "none", "pad": 0.6})
    subtitle = f"共 {len(ranked)} 家门店，从高到低排列"
    if values:
        mean = sum(values) / len(values)
        ax.axvline(mean, color=INK, ls=(0, (4, 3)), lw=1.1, zorder=5)
        ax.text(mean, -0.5, f"门店均值 {format_value(mean, unit)}", ha="center", va="bottom",
                size=9, color=INK)
        subtitle += "；虚线 = 门店均值（各店简单平均）"
    if highlight is not None:
        subtitle += f"；橙色 = {highlight}"
    _header(fig, height, title, subtitle)
    return fig


def ranking_chart(title: str, rows: list[tuple[str, float | None]], unit: str,
                  highlight: str | None = None) -> ChartImage:
    """The ranking chart with its rendering report (see `ChartImage`)."""
    format_value(None, unit)  # validate the unit before drawing anything
    notes = []
    if highlight is not None and highlight not in {name for name, _ in rows}:
        notes.append(f"要高亮的门店“{highlight}”不在排名中")
    texts = [title, highlight or "", "共家门店，从高到低排列；虚线门店均值（各店简单平均）橙色–"]
    texts += [name for name, _ in rows]
    return _render(texts, lambda: _build_ranking(title, rows, unit, highlight), notes)


def render_ranking_chart(title: str, rows: list[tuple[str, float | None]], unit: str,
                         highlight: str | None = None) -> bytes:
    """Stores ranked on one value (e.g. a region's 复购率) as PNG bytes, one highlighted."""
    return ranking_chart(title, rows, unit, highlight).png
