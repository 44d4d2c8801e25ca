"""Charts for store diagnostics, rendered offline to PNG with a shipped Chinese font.

`render_diagnosis_chart` and `render_ranking_chart` return PNG bytes; `diagnosis_chart`
and `ranking_chart` return a `ChartImage` that also lists characters no font could draw.
"""

from copilot.charts.models import ChartImage, DiagnosisChartData, MetricRow
from copilot.charts.render import (
    diagnosis_chart,
    format_value,
    ranking_chart,
    render_diagnosis_chart,
    render_ranking_chart,
)

__all__ = [
    "ChartImage",
    "DiagnosisChartData",
    "MetricRow",
    "diagnosis_chart",
    "format_value",
    "ranking_chart",
    "render_diagnosis_chart",
    "render_ranking_chart",
]
