"""`member_metrics`: any metric of the metrics library for a store, region or the chain."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from copilot.analytics.by_store import StoreParts, store_parts
from copilot.analytics.definitions import find_metric
from copilot.analytics.metrics import MetricsReport, MetricValue, report_from, scope_parts
from copilot.analytics.period import Period
from copilot.analytics.scope import Scope
from copilot.data.dataset import outside_warning
from tools.base import Tool, ToolContext, ToolResult
from tools.common import PeriodArgs, ScopeArgs, fmt, fmt_delta, last_year, previous_period

Compare = Literal["previous", "last_year", "region", "chain"]
COMPARE_ZH = {"previous": "上期", "last_year": "去年同期", "region": "区域", "chain": "全连锁"}


class MemberMetricsArgs(ScopeArgs, PeriodArgs):
    metrics: list[str] = Field(
        default_factory=list,
        description="要看的指标,键名或中文名:复购率、流失率、转化率、新增占比、活跃会员数、"
                    "会员销售占比、客单价、连带率;留空为全部")
    compare: list[Compare] = Field(
        default_factory=list,
        description="对比:previous 上期、last_year 去年同期、region 本区门店合计、"
                    "chain 全连锁门店合计")


# (kind, label, report, scale): counts of a benchmark × scale = as many stores as the scope
Bench = tuple[Compare, str, MetricsReport, float]


class Comparison(BaseModel):
    kind: Compare
    label: str  # "上期 2026-09-01 ~ 2026-09-30", "华北区整体"
    value: float | int | None
    display: str
    delta: str


class MetricRow(BaseModel):
    key: str
    name: str
    unit: str
    value: float | int | None
    display: str
    numerator: float | int | None
    denominator: float | int | None
    definition: str
    comparisons: list[Comparison] = []


class MemberMetricsResult(ToolResult):
    scope: str
    period: str
    start: str
    end: str
    rows: list[MetricRow]
    notes: list[str] = Field(default_factory=list)

    def text(self, lang: str = "zh") -> str:
        lines = [f"{self.scope} · {self.period}"]
        for r in self.rows:
            extra = ",".join(f"{c.label} {c.display}{f'({c.delta})' if c.delta else ''}"
                             for c in r.comparisons)
            lines.append(f"- {r.name}:{r.display}" + (f"|{extra}" if extra else ""))
        lines.append("口径:" + ";".join(f"{r.name} = {r.definition.rstrip('。')}"
                                         for r in self.rows) + "。")
        if any(c.kind in ("region", "chain") for r in self.rows for c in r.comparisons):
            lines.append("(区域/全连锁为各门店自己的人数加总后计算,与门店同一口径;"
                         "人数类指标按同样门店数折算,单店即店均。)")
        return "\n".join(lines + self.notes)


def member_metrics(ctx: ToolContext, args: MemberMetricsArgs) -> MemberMetricsResult:
    """会员指标查询:某门店/区域/全连锁在某段时间的复购率、流失率、转化率、新增占比、活跃会员数、
    会员销售占比、客单价、连带率,附口径定义;可对比上期、去年同期、区域整体、全连锁。
    例:“3号店上个月复购率多少?跟区域比呢?” → store="3号店", period="上个月",
    metrics=["复购率"], compare=["region"]。"""
    windows = ctx.settings.metrics
    keys = [find_metric(m, windows) for m in args.metrics]
    period, label = args.resolve_period(ctx)
    with ctx.read() as (conn, access):
        scope = args.resolve(conn, access)
        current = store_parts(conn, period, windows)
        report = report_from(scope_parts(current, scope), scope, period, windows, ctx.lang)
        others = _comparisons(conn, ctx, args.compare, scope, period, current)
        note = outside_warning(conn, period.start, period.end)
    rows = [_row(m, others, scope.kind == "store") for m in report.metrics
            if not keys or m.key in keys]
    return MemberMetricsResult(scope=scope.label, period=label, start=report.start,
                               end=report.end, rows=rows, notes=[note] if note else [])


def _comparisons(
    conn: Connection, ctx: ToolContext, wanted: list[Compare], scope: Scope, period: Period,
    current: StoreParts,
) -> list[Bench]:
    """(kind, label, report) per comparison. Region and chain are benchmarks on the store's
    own definition (the sum of their stores' counts, see StoreParts.stores_total); every
    role may compare against these aggregates without seeing other stores' own figures."""
    windows, out = ctx.settings.metrics, []
    region = current.store_region.get(scope.store_ids[0]) if scope.store_ids else None
    for kind in dict.fromkeys(wanted):
        if kind in ("previous", "last_year"):
            other = previous_period(period) if kind == "previous" else last_year(period)
            # only the scope itself is shown for another period: count no more than that
            parts = store_parts(conn, other, windows,
                                only=scope.store_ids[0] if scope.kind == "store" else None,
                                chain_only=scope.kind == "chain")
            rep = report_from(scope_parts(parts, scope), scope, other, windows, ctx.lang)
            out.append((kind, f"{COMPARE_ZH[kind]}({other.label()})", rep, 1.0))
        elif kind == "region" and scope.kind == "store" and region:
            ids = current.region_stores(region)
            rep = report_from(current.stores_total(ids), Scope("region", region, ()), period,
                              windows, ctx.lang)
            out.append((kind, f"{region}区门店合计", rep, len(scope.store_ids) / len(ids)))
        elif kind == "chain" and scope.kind != "chain":
            ids = list(current.store_region)
            rep = report_from(current.stores_total(ids), Scope("chain", "全连锁", ()), period,
                              windows, ctx.lang)
            out.append((kind, "全连锁门店合计", rep, len(scope.store_ids) / len(ids)))
    return out


def _row(m: MetricValue, others: list[Bench], one_store: bool) -> MetricRow:
    comps = []
    for kind, label, rep, scale in others:
        v = rep.value(m.key)
        if m.unit == "count" and scale != 1.0:  # as many stores as the scope
            v = None if v is None else round(v * scale, 1)  # an average may be fractional
            label = label.replace("门店合计", "店均" if one_store else "(按同样门店数折算)")
        comps.append(Comparison(kind=kind, label=label, value=v, display=fmt(v, m.unit),
                                delta=fmt_delta(m.value, v, m.unit)))
    return MetricRow(key=m.key, name=m.name, unit=m.unit, value=m.value,
                     display=fmt(m.value, m.unit), numerator=m.numerator,
                     denominator=m.denominator, definition=m.definition, comparisons=comps)


TOOL = Tool("member_metrics", MemberMetricsArgs, member_metrics)
