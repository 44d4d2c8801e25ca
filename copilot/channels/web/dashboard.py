"""What the dashboard shows, gathered through the tools as the signed-in person.

A supervisor preparing a store visit wants one page: the store's diagnosis with its chart,
where the store stands among the region's stores, and the segments already saved. Each part
is a `run_tool` call with the person's own Caller, so scope is enforced by the same code as
in chat; a part the person may not see shows the tool's own Chinese refusal instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from copilot.agent.service import Copilot
from copilot.analytics.scope import store_rows
from copilot.channels.web.charts import chart_url
from copilot.data.access import Access, Caller, User
from copilot.errors import UserError
from copilot.lang.rules import month_bounds as lang_month_bounds
from tools.base import ToolContext
from tools.diagnose.result import DiagnoseResult
from tools.region_overview import RegionOverviewResult
from tools.runner import ToolOutcome, run_tool
from tools.segments.tool import SegmentListResult


@dataclass
class Section:
    """One part of the page: its content, or why it cannot be shown."""

    error: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Dashboard:
    today: date
    month: str  # YYYY-MM
    start: date
    end: date
    stores: list[dict[str, str]]  # the stores the person may choose from
    store: str | None
    diagnosis: Section
    ranking: Section
    segments: Section
    notice: str | None = None


def parse_today(value: str | None, default: date | None = None) -> date:
    """`?today=` as a date; none given: `default` (the stores' day), else the server's."""
    if not value:
        return default or date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"today 应为 YYYY-MM-DD 格式的日期,收到 {value!r}。",
                        f"today should be a date as YYYY-MM-DD, got {value!r}.") from None


def month_bounds(month: str | None, today: date) -> tuple[str, date, date]:
    """(YYYY-MM, first day, last day); no month given: the last full month before today."""
    if not month:
        last = today.replace(day=1) - timedelta(days=1)
        return last.strftime("%Y-%m"), last.replace(day=1), last
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", month.strip())
    if not found or not 1 <= int(found[2]) <= 12 or not 1990 <= int(found[1]) <= 2100:
        raise UserError(f"月份应为 YYYY-MM 格式,如 2026-10,收到 {month!r}。",
                        f"The month should be YYYY-MM, e.g. 2026-10; got {month!r}.")
    first, last = lang_month_bounds(int(found[1]), int(found[2]))
    return first.strftime("%Y-%m"), first, last


def _choices(copilot: Copilot, caller: Caller) -> list[dict[str, str]]:
    """The stores this person may look at ([] for a trainee: the tools say why)."""
    with copilot.members.read() as conn:
        try:
            mine = set(Access.for_caller(conn, caller).stores)
        except UserError:
            return []
        return [{"id": r.store_id, "name": r.name, "region": r.region}
                for r in store_rows(conn) if r.store_id in mine]


def build(copilot: Copilot, user: User, *, store: str | None, month: str | None,
          today: date) -> Dashboard:
    caller = Caller(user, direct=True, channel="web")
    ctx = ToolContext(copilot.settings, copilot.members, copilot.state, caller, today=today,
                      lang=copilot.settings.language, knowledge=copilot.knowledge)
    notice = None
    try:
        month, start, end = month_bounds(month, today)
    except UserError as exc:
        notice = exc.zh
        month, start, end = month_bounds(None, today)
    stores = _choices(copilot, caller)
    chosen = (store or "").strip() or (stores[0]["id"] if stores else None)
    when = {"start": start.isoformat(), "end": end.isoformat()}
    diagnosis = _diagnosis(run_tool(ctx, "diagnose_store",
                                    {"store": chosen, **when, "chart": True}))
    region = next((s["region"] for s in stores if s["id"] == chosen), None)
    ranking = _ranking(run_tool(ctx, "region_overview",
                                {"region": region, **when, "chart": True}))
    segments = _segments(run_tool(ctx, "list_segments", {}))
    return Dashboard(today=today, month=month, start=start, end=end, stores=stores,
                     store=chosen, diagnosis=diagnosis, ranking=ranking, segments=segments,
                     notice=notice)


def _failed(outcome: ToolOutcome) -> Section | None:
    if outcome.ok and outcome.result is not None:
        return None
    return Section(error=outcome.error or "这部分暂时无法显示。")


def _diagnosis(outcome: ToolOutcome) -> Section:
    if (failed := _failed(outcome)) is not None:
        return failed
    result = outcome.result
    assert isinstance(result, DiagnoseResult)
    body = result.model_copy(update={"chart_path": None}).text().split("\n", 1)
    return Section(data={
        "headline": body[0], "text": body[1].strip() if len(body) > 1 else "",
        "store": result.store, "period": result.period,
        "chart": chart_url(result.chart_path) if result.chart_path else None})


def _ranking(outcome: ToolOutcome) -> Section:
    """A table: the region's stores down, the metrics across, each cell rank and value."""
    if (failed := _failed(outcome)) is not None:
        return failed
    result = outcome.result
    assert isinstance(result, RegionOverviewResult)
    regions = []
    for reg in result.regions:
        cells: dict[str, list[dict[str, Any]]] = {}
        stores: dict[str, str] = {}
        for m in reg.metrics:
            for r in m.rows:
                stores.setdefault(r.store_id, r.store)
                cells.setdefault(r.store_id, []).append(
                    {"rank": r.rank, "display": r.display, "vs": r.vs_region,
                     "abnormal": r.abnormal})
        metrics = [{"name": m.name, "order": "越低越好" if m.direction == "lower" else "越高越好",
                    "region": m.region_display} for m in reg.metrics]
        rows = [{"store": stores[sid], "cells": cells[sid]} for sid in stores]
        regions.append({"region": reg.region, "stores": reg.stores, "metrics": metrics,
                        "rows": rows})
    return Section(data={
        "title": f"{result.scope} 门店排名 · {result.period}", "regions": regions,
        "notes": result.notes,
        "chart": chart_url(result.chart_path) if result.chart_path else None})


def _segments(outcome: ToolOutcome) -> Section:
    if (failed := _failed(outcome)) is not None:
        return failed
    result = outcome.result
    assert isinstance(result, SegmentListResult)
    return Section(data={"rows": [
        {"name": s.name, "id": s.segment_id, "size": f"{s.size:,}", "as_of": s.as_of,
         "spec": s.spec.describe()} for s in result.segments]})
