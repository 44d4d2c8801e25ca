"""`diagnose_store`: one store against its region, the chain and its own previous period.

Why it is built this way: a supervisor preparing a store visit needs, in one answer, which
metrics are off, which matter most in money, why (only where the data shows it) and what to
do (a playbook section). Two `store_parts` calls (this period for every store, the previous
one for the store alone, on a second connection at the same time) give every metric and
most cause checks for store, region and chain; the second-purchase check adds one query
(on the first connection, while the second is still counting);
the rules and wording live in kpi_tree.toml.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from pydantic import Field
from sqlalchemy import text

from copilot.analytics.by_store import Parts, StoreParts, store_parts
from copilot.analytics.metrics import MetricsReport, report_from
from copilot.analytics.period import Period
from copilot.analytics.scope import Scope
from copilot.charts import DiagnosisChartData, MetricRow, diagnosis_chart
from copilot.data.dataset import outside_warning
from copilot.errors import UserError
from tools.base import Tool, ToolContext
from tools.charts import save_chart
from tools.common import PeriodArgs, previous_period
from tools.diagnose.analysis import (
    Levels,
    abnormal_items,
    actions_for,
    causes_for,
    metric_line,
)
from tools.diagnose.kpi_tree import load_tree
from tools.diagnose.result import DiagnoseResult, MetricLine
from tools.diagnose.signals import Checks, Figure, part_figures, sql_figures

log = logging.getLogger(__name__)


class DiagnoseArgs(PeriodArgs):
    store: str | None = Field(None, description="要诊断的门店:名称、简称、编号或“3号店”")
    chart: bool = Field(True, description="是否生成诊断图(PNG)")


def diagnose_store(ctx: ToolContext, args: DiagnoseArgs) -> DiagnoseResult:
    """门店诊断:一家门店某段时间(默认上个月)的全部会员指标,对比所在区域整体、全连锁和本店
    上期;找出明显偏离的异常指标,按估算影响金额排序,顺着指标树用数据核对可能原因,并给出引用
    运营手册的改进动作,附一张诊断图。店长、导购只能诊断本店,督导诊断本区域门店。
    例:“帮我诊断一下朝阳大悦城店上个月的情况” → store="朝阳大悦城店", period="上个月"。"""
    tree = load_tree()
    period, label = args.resolve_period(ctx)
    before = previous_period(period)
    windows = ctx.settings.metrics
    with ctx.read() as (conn, access):
        if not args.store:
            raise UserError(
                f"请告诉我要诊断哪家门店(名称或编号,如 S001);你可以查看:{access.label}。",
                f"Which store should I diagnose? You may see: {access.label}.")
        scope = access.scope(conn, store=args.store)
        if scope.kind != "store":  # pragma: no cover - a store name always resolves to one
            raise UserError("门店诊断一次只看一家门店。", "Diagnose one store at a time.")
        sid = scope.store_ids[0]
        region = conn.execute(text("SELECT region FROM stores WHERE store_id = :s"),
                              {"s": sid}).scalar_one()
        checks = Checks(period, windows, access, sid, region, tree.second_purchase_days,
                        tree.second_purchase_cohort_days)
        with ThreadPoolExecutor(max_workers=1) as pool:
            # A second connection counts the store's previous period while this one counts
            # the current period and then runs the check queries (remembered): DuckDB runs
            # both at once, and the two halves take about as long.
            later = pool.submit(_previous, ctx, before, sid)
            current = store_parts(conn, period, windows)
            checks.prefetch(conn)
            previous = later.result()
        levels, report = _levels(ctx, scope, region, current, previous)
        region_label = f"{region}区整体"
        names = {m.key: (m.name, m.unit) for m in report.metrics}
        names.update({k: (v.zh, v.unit) for k, v in tree.values.items()})
        lines = [metric_line(tree, m, levels) for m in report.metrics]
        abnormal = abnormal_items(tree, lines, levels["store"], region_label, names)
        # Only the checks some abnormal metric asks for: a healthy store costs no query.
        wanted = {c.check for a in abnormal for c in tree.metrics[a.key].causes}
        store_sql, region_sql = sql_figures(conn, checks, wanted)
        levels["store"].update(store_sql)
        levels["region"].update(region_sql)
        note = outside_warning(conn, period.start, period.end)
    causes = causes_for(tree, abnormal, levels, names, region_label)
    result = DiagnoseResult(
        store=scope.label, store_id=sid, region=region, period=label,
        start=period.start.isoformat(), end=period.end.isoformat(), previous=before.label(),
        metrics=lines, abnormal=abnormal, causes=causes,
        actions=actions_for(tree, abnormal, causes), notes=[note] if note else [])
    if args.chart:
        result = _with_chart(ctx, result, lines)
    return result


def _previous(ctx: ToolContext, period: Period, store_id: str) -> StoreParts:
    """The store's parts for the previous period, on a connection of its own."""
    with ctx.members.read() as conn:
        return store_parts(conn, period, ctx.settings.metrics, only=store_id)


def _levels(ctx: ToolContext, scope: Scope, region: str, current: StoreParts,
            previous: StoreParts) -> tuple[Levels, MetricsReport]:
    """Figures of the store, its region, the chain and the store's previous period, and the
    store's report (names, units, definitions).

    Region and chain are their stores' parts summed (`stores_total`), so every rate is on the
    store's own definition; a count (active members) is compared with the mean per store.
    """
    windows, lang, sid = ctx.settings.metrics, ctx.lang, scope.store_ids[0]
    region_scope, chain_scope = Scope("region", region, ()), Scope("chain", "全连锁", ())

    def figures(p: Parts, s: Scope, period: Period) -> tuple[dict[str, Figure], MetricsReport]:
        report = report_from(p, s, period, windows, lang)
        return part_figures(p, report), report

    in_region = [s for s, r in current.store_region.items() if r == region]
    store_p, region_p = current.store(sid), current.stores_total(in_region)
    store, report = figures(store_p, scope, current.period)
    levels = {"store": store,
              "region": figures(region_p, region_scope, current.period)[0],
              "chain": figures(current.stores_total(list(current.store_region)), chain_scope,
                               current.period)[0],
              "previous": figures(previous.store(sid), scope, previous.period)[0]}
    for level, ids in (("region", in_region), ("chain", list(current.store_region))):
        mean = sum(current.store(s).active for s in ids) / len(ids)
        levels[level]["active_members"] = Figure(round(mean), None, len(ids))
    return levels, report


def _with_chart(ctx: ToolContext, result: DiagnoseResult, lines: list[MetricLine]
                ) -> DiagnoseResult:
    """Render and save the diagnosis PNG; a failed chart never fails the diagnosis."""
    rows = [MetricRow(name=m.name, unit=m.unit, store=m.value, previous=m.previous,
                      region_avg=m.region, chain_avg=m.chain, abnormal=m.abnormal,
                      direction="lower_better" if m.direction == "lower" else "higher_better")
            for m in lines]
    data = DiagnosisChartData(title=f"{result.store} 诊断 {result.start} ~ {result.end}",
                              metrics=rows)
    try:
        path, warnings = save_chart(ctx, f"diagnosis-{result.store_id}", data.model_dump(),
                                    lambda: diagnosis_chart(data))
    except Exception:  # the text answer still stands without its picture
        log.exception("diagnosis chart failed for %s", result.store_id)
        return result.model_copy(update={"notes": [*result.notes, "(诊断图生成失败,已记录。)"]})
    notes = [*result.notes, *(f"(图表:{w})" for w in warnings)]
    return result.model_copy(update={"chart_path": str(path), "chart_rendered": True,
                                     "notes": notes})


TOOL = Tool("diagnose_store", DiagnoseArgs, diagnose_store)
