"""`region_overview`: a region's stores ranked on the four rates and the average ticket.

Why: a supervisor plans visits by asking "which of my stores is worst on what". One
`store_parts` call gives every store's metrics for the period; each ranking is best first
in the metric's own direction (流失率: lower is better) and flags stores beyond the same
thresholds the store diagnosis uses (tools/diagnose/kpi_tree.toml). Rankings show other
stores' own figures, so store staff are refused and pointed to their own diagnosis.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field

from copilot.analytics.by_store import StoreParts, store_parts
from copilot.analytics.definitions import find_metric
from copilot.analytics.metrics import MetricValue, report_from
from copilot.analytics.scope import Scope, store_rows
from copilot.charts import ranking_chart
from copilot.data.access import ROLE_ZH, Access
from copilot.data.dataset import outside_warning
from copilot.errors import UserError
from tools.base import Tool, ToolContext, ToolResult
from tools.charts import save_chart
from tools.common import PeriodArgs, fmt, fmt_delta
from tools.diagnose.kpi_tree import KpiTree, load_tree, worse_by

log = logging.getLogger(__name__)
DEFAULT_METRICS = ("repurchase_rate", "churn_rate", "conversion_rate", "new_member_share",
                   "avg_ticket")


class RegionOverviewArgs(PeriodArgs):
    region: str | None = Field(
        None, description="区域,如 华东;督导留空为本区域,管理员留空为全部区域")
    metric: str | None = Field(
        None, description="只按一个指标排名:复购率、流失率、转化率、新增占比、客单价等;"
                          "留空为四率加客单价")
    chart: bool = Field(False, description="是否生成排名图(一个指标,默认复购率)")


class RankRow(BaseModel):
    rank: int | None  # None: no value (empty denominator)
    store: str
    store_id: str
    value: float | int | None
    display: str
    vs_region: str
    abnormal: bool  # worse than the region beyond the diagnosis thresholds


class MetricRanking(BaseModel):
    key: str
    name: str
    unit: str
    direction: str
    region_value: float | int | None
    region_display: str
    rows: list[RankRow]


class RegionRanking(BaseModel):
    region: str
    stores: int
    metrics: list[MetricRanking]


class RegionOverviewResult(ToolResult):
    scope: str
    period: str
    start: str
    end: str
    regions: list[RegionRanking]
    chart_path: str | None = None
    chart_rendered: bool = False
    notes: list[str] = Field(default_factory=list)

    def text(self, lang: str = "zh") -> str:
        lines = [f"{self.scope} 门店排名 · {self.period}",
                 "(区域整体 = 各店分子、分母相加,与单店同口径;⚠ = 比区域整体差到异常的程度)"]
        for reg in self.regions:
            lines.append(f"\n【{reg.region}区 · {reg.stores} 家门店】")
            for m in reg.metrics:
                order = "越低越好" if m.direction == "lower" else "越高越好"
                lines.append(f"{m.name}({order};区域整体 {m.region_display}):")
                for r in m.rows:
                    rank = f"{r.rank}." if r.rank is not None else "–"
                    vs = f"(比区域 {r.vs_region})" if r.vs_region else ""
                    lines.append(f"  {rank} {r.store} {r.display}{vs}{' ⚠' if r.abnormal else ''}")
        if self.chart_path:
            lines.append(f"\n排名图:{self.chart_path}")
        return "\n".join(lines + self.notes)


def region_overview(ctx: ToolContext, args: RegionOverviewArgs) -> RegionOverviewResult:
    """区域门店排名:某区域各门店在复购率、流失率、转化率、新增占比和客单价上的排名(默认上个月),
    好的在前,附与区域整体的差距并标出异常门店;可只看一个指标、生成排名图。督导默认看本区域,
    管理员默认看全部区域;店长和导购只能看本店(请用门店诊断)。
    例:“华东区上个月复购率各店排名” → region="华东", metric="复购率"。"""
    tree, windows = load_tree(), ctx.settings.metrics
    keys = (find_metric(args.metric, windows),) if args.metric else DEFAULT_METRICS
    period, label = args.resolve_period(ctx)
    with ctx.read() as (conn, access):
        regions, scope_label = _regions(conn, access, args.region)
        parts = store_parts(conn, period, windows)
        names = {r.store_id: f"{r.name}({r.store_id})" for r in store_rows(conn)}
        note = outside_warning(conn, period.start, period.end)
    rankings = [_region(tree, ctx, parts, reg, names, keys) for reg in regions]
    result = RegionOverviewResult(scope=scope_label, period=label,
                                  start=period.start.isoformat(), end=period.end.isoformat(),
                                  regions=rankings, notes=[note] if note else [])
    if args.chart:
        result = _with_chart(ctx, result, keys[0] if args.metric else "repurchase_rate")
    return result


def _regions(conn, access: Access, region: str | None) -> tuple[list[str], str]:
    """The regions the caller may rank, and how the scope reads."""
    user = access.caller.user
    if access.role in ("staff", "store_manager"):
        raise UserError(
            f"区域排名会显示其他门店的数据,你({ROLE_ZH[access.role]})只能查看本店:"
            f"{access.label}。可以用门店诊断查看本店与区域、全连锁平均的对比。",
            f"Rankings show other stores' figures; as {access.role} you may see only "
            f"{access.label}. Try the store diagnosis for your store against its region.")
    if region:
        scope = access.scope(conn, region=region)
        return [scope.label], f"{scope.label}区"
    if access.role == "supervisor":
        if not user.region or not access.stores:
            raise UserError("你的账号没有登记所属区域,请联系管理员。",
                            "Your account has no region; ask an administrator.")
        return [user.region], f"{user.region}区"
    return sorted({r.region for r in store_rows(conn)}), "全连锁"


def _region(tree: KpiTree, ctx: ToolContext, parts: StoreParts, region: str,
            names: dict[str, str], keys: tuple[str, ...]) -> RegionRanking:
    windows, p = ctx.settings.metrics, parts.period
    ids = sorted(s for s, r in parts.store_region.items() if r == region)
    reports = {s: report_from(parts.store(s), Scope("store", names[s], (s,)), p, windows,
                              ctx.lang) for s in ids}
    whole = report_from(parts.stores_total(ids), Scope("region", region, ()), p, windows, ctx.lang)
    out = []
    for key in keys:
        mine = {s: next(m for m in reports[s].metrics if m.key == key) for s in ids}
        bench = next(m for m in whole.metrics if m.key == key)
        ref = bench.value
        if bench.unit == "count":  # a region total is no benchmark for one store: the mean
            ref = round(sum(float(m.value or 0) for m in mine.values()) / len(ids))
        out.append(MetricRanking(
            key=key, name=bench.name, unit=bench.unit, direction=tree.direction(key),
            region_value=ref, region_display=("店均 " if bench.unit == "count" else "")
            + fmt(ref, bench.unit), rows=_rank(tree, mine, ref, names)))
    return RegionRanking(region=region, stores=len(ids), metrics=out)


def _rank(tree: KpiTree, mine: dict[str, MetricValue], ref: float | int | None,
          names: dict[str, str]) -> list[RankRow]:
    """Best first in the metric's direction; equal values share a rank; no value last."""
    some = next(iter(mine.values()), None)
    if some is None:
        return []
    key, unit, direction = some.key, some.unit, tree.direction(some.key)
    sign = -1 if direction == "higher" else 1
    valued = sorted(((s, m) for s, m in mine.items() if m.value is not None),
                    key=lambda x: (sign * float(x[1].value or 0), x[0]))
    rows, last, rank = [], None, 0
    for i, (sid, m) in enumerate(valued, 1):
        rank = rank if m.value == last else i
        last = m.value
        rows.append(_row(tree, sid, m, ref, rank, names, key, unit))
    rows += [_row(tree, s, m, ref, None, names, key, unit)
             for s, m in sorted(mine.items()) if m.value is None]
    return rows


def _row(tree: KpiTree, sid: str, m: MetricValue, ref: float | int | None, rank: int | None,
         names: dict[str, str], key: str, unit: str) -> RankRow:
    abnormal = False
    den = m.denominator if m.denominator is not None else m.value
    if m.value is not None and ref is not None and (den or 0) >= tree.min_denominator:
        gap = worse_by(m.value, ref, tree.direction(key))
        abnormal = tree.limits_for(key, unit).exceeded(gap, ref, unit, float(den or 0) or None)
    return RankRow(rank=rank, store=names[sid], store_id=sid, value=m.value,
                   display=fmt(m.value, unit), vs_region=fmt_delta(m.value, ref, unit),
                   abnormal=abnormal)


def _with_chart(ctx: ToolContext, result: RegionOverviewResult, key: str
                ) -> RegionOverviewResult:
    """One metric's ranking of every listed store as a PNG next to the diagnosis charts."""
    ranking = [m for reg in result.regions for m in reg.metrics if m.key == key]
    if not ranking:  # only when the metric asked for is not in the result
        return result
    rows = [(r.store, r.value) for m in ranking for r in m.rows]
    title = f"{result.scope} {ranking[0].name} 门店排名 {result.start} ~ {result.end}"
    try:
        path, warnings = save_chart(ctx, f"ranking-{key}", [title, rows, ranking[0].unit],
                                    lambda: ranking_chart(title, rows, ranking[0].unit))
    except Exception:
        log.exception("ranking chart failed for %s", key)
        return result.model_copy(update={"notes": [*result.notes, "(排名图生成失败,已记录。)"]})
    notes = [*result.notes, *(f"(图表:{w})" for w in warnings)]
    return result.model_copy(update={"chart_path": str(path), "chart_rendered": True,
                                     "notes": notes})


TOOL = Tool("region_overview", RegionOverviewArgs, region_overview)
