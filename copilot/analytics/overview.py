"""The four rates and RFM together (what a diagnosis starts from)."""

from __future__ import annotations

from sqlalchemy import Connection

from copilot.analytics.metrics import MetricsReport, compute_metrics
from copilot.analytics.period import Period
from copilot.analytics.rfm import RfmReport, compute_rfm
from copilot.analytics.scope import Scope
from copilot.config import MetricWindows


def compute_overview(
    conn: Connection, scope: Scope, period: Period, windows: MetricWindows, lang: str = "zh"
) -> tuple[MetricsReport, RfmReport]:
    metrics = compute_metrics(conn, scope, period, windows, lang)
    return metrics, compute_rfm(conn, scope, period.end, windows)
