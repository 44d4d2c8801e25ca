"""Store-diagnosis and ranking charts as PNG bytes, with Chinese that renders on any machine.

Why Pillow and hand-placed drawing: `diagnose_store` must answer within 50 ms even when it
draws a new chart, and matplotlib needed 130-190 ms per chart. Both charts are rows of
labels, bars and markers at positions we compute (`diagnosis.py`, `ranking.py`), drawn
with the primitives in `canvas.py` in a few milliseconds, plus PNG encoding.

Each call draws on its own canvas with cached, read-only fonts and glyphs, so charts can
be drawn from several threads; identical input gives identical bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from copilot.charts import diagnosis, ranking
from copilot.charts.canvas import Canvas
from copilot.charts.models import ChartImage, DiagnosisChartData
from copilot.charts.style import WIDTH, format_value
from copilot.charts.typeface import choose_fonts

__all__ = [
    "diagnosis_chart",
    "format_value",
    "ranking_chart",
    "render_diagnosis_chart",
    "render_ranking_chart",
]


def _render(texts: Iterable[str], size: tuple[int, int], draw: Callable[[Canvas], None],
            notes: list[str]) -> ChartImage:
    """Draw on a fresh canvas whose fonts cover `texts` (the shipped font, plus a system
    face per character it lacks) and report the characters no font has."""
    choice = choose_fonts(texts)
    canvas = Canvas(*size, faces=choice.faces)
    draw(canvas)
    messages = [f"字符“{c}”（U+{ord(c):04X}）不在任何可用字体中，显示为方框"
                for c in choice.missing]
    return ChartImage(canvas.png(), [*notes, *messages], choice.fallbacks)


def diagnosis_chart(data: DiagnosisChartData) -> ChartImage:
    """The diagnosis chart with its rendering report (see `ChartImage`)."""
    texts = [data.title, *diagnosis.TEXTS, *(r.name for r in data.metrics)]
    return _render(texts, (WIDTH, diagnosis.height_px(data)),
                   lambda canvas: diagnosis.draw_diagnosis(canvas, data), [])


def render_diagnosis_chart(data: DiagnosisChartData) -> bytes:
    """A supervisor's one-glance store diagnosis as PNG bytes; every metric on one axis as
    an index where 100 = the chain average, abnormal rows in red (bad) or green (good)."""
    return diagnosis_chart(data).png


def ranking_chart(title: str, rows: list[tuple[str, float | None]], unit: str,
                  highlight: str | None = None) -> ChartImage:
    """The ranking chart with its rendering report (see `ChartImage`)."""
    format_value(None, unit)  # validate the unit before drawing anything
    notes = []
    if highlight is not None and highlight not in {name for name, _ in rows}:
        notes.append(f"要高亮的门店“{highlight}”不在排名中")
    texts = [title, highlight or "", *ranking.TEXTS, *(name for name, _ in rows)]
    return _render(texts, (WIDTH, ranking.height_px(rows)),
                   lambda canvas: ranking.draw_ranking(canvas, title, rows, unit, highlight),
                   notes)


def render_ranking_chart(title: str, rows: list[tuple[str, float | None]], unit: str,
                         highlight: str | None = None) -> bytes:
    """Stores ranked on one value (e.g. a region's 复购率) as PNG bytes, one highlighted."""
    return ranking_chart(title, rows, unit, highlight).png
