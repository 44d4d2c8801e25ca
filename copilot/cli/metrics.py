"""`copilot metrics` and `copilot rfm`: the metrics library from the terminal."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import Connection

from copilot.analytics.clv import clv_summary
from copilot.analytics.metrics import MetricsReport, MetricValue, compute_metrics
from copilot.analytics.period import Period, parse_day
from copilot.analytics.rfm import Bucket, RfmReport, compute_rfm, member_rfm_table
from copilot.analytics.scope import Scope, resolve_scope
from copilot.cli.common import console, err_console, open_store, settings, user_errors
from copilot.config import MetricWindows
from copilot.data.dataset import outside_warning
from copilot.errors import UserError

StoreOpt = typer.Option(None, "--store", help="门店编号或名称")
RegionOpt = typer.Option(None, "--region", help="区域名称,如 华东")
ChainOpt = typer.Option(False, "--chain", help="全连锁")
JsonOpt = typer.Option(False, "--json", help="输出 JSON")


@user_errors
def metrics(
    start: str = typer.Option(..., "--start", help="开始日期 YYYY-MM-DD(含)"),
    end: str = typer.Option(..., "--end", help="结束日期 YYYY-MM-DD(含)"),
    store: str | None = StoreOpt, region: str | None = RegionOpt, chain: bool = ChainOpt,
    as_json: bool = JsonOpt,
) -> None:
    """会员 KPI:活跃会员数、复购率、流失率、转化率、新增占比、会员销售占比、客单价、连带率。"""
    cfg = settings()
    period = Period.parse(start, end)
    with open_store(cfg).read() as conn:
        scope = resolve_scope(conn, store=store, region=region, chain=chain)
        report = compute_metrics(conn, scope, period, cfg.metrics, lang=cfg.language)
        warning = outside_warning(conn, period.start, period.end)
    if warning:
        err_console.print(f"[yellow]{warning}[/yellow]")
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return
    _print_metrics(report)


@user_errors
def rfm(
    end: str | None = typer.Option(None, "--end", help="截至日期 YYYY-MM-DD(默认今天)"),
    store: str | None = StoreOpt, region: str | None = RegionOpt, chain: bool = ChainOpt,
    export: Path | None = typer.Option(None, "--export", help="逐会员导出 CSV(含 CLV 字段)"),
    as_json: bool = JsonOpt,
) -> None:
    """RFM 八类、消费间隔分组(核心/潜力/普通/流失/未消费)与会员等级金字塔。"""
    cfg = settings()
    as_of = parse_day(end, "截至日期", "end date") if end else date.today()
    if export is not None:
        _check_export_path(export)
    with open_store(cfg).read() as conn:
        scope = resolve_scope(conn, store=store, region=region, chain=chain)
        report = compute_rfm(conn, scope, as_of, cfg.metrics)
        warning = outside_warning(conn, as_of, as_of)
        if export is not None:
            _export(conn, scope, as_of, cfg.metrics, export)
    if warning:
        err_console.print(f"[yellow]{warning}[/yellow]")
    if as_json:
        typer.echo(json.dumps(report.model_dump(), ensure_ascii=False, indent=2))
    else:
        _print_rfm(report)
    if export is not None:
        err_console.print(f"已导出 {export}")  # stderr: keeps --json output parseable


def _check_export_path(path: Path) -> None:
    if path.suffix.lower() != ".csv":
        raise UserError(f"导出文件需要以 .csv 结尾:{path}", f"Export to a .csv file: {path}")
    if path.is_dir():
        raise UserError(f"{path} 是一个文件夹,请给出文件名,如 {path}/rfm.csv",
                        f"{path} is a folder; give a file name such as {path}/rfm.csv")
    if not path.parent.is_dir():
        raise UserError(f"文件夹 {path.parent} 不存在", f"Folder {path.parent} does not exist")


def _export(conn: Connection, scope: Scope, as_of: date, windows: MetricWindows,
            path: Path) -> None:
    """Per-member RFM plus the lifetimes-style CLV columns, written atomically."""
    table = member_rfm_table(conn, scope, as_of, windows)
    clv = clv_summary(conn, scope, as_of)
    merged = table.merge(clv, on="member_id", how="left", validate="one_to_one")
    tmp = path.with_name(path.name + ".tmp")
    try:
        merged.to_csv(tmp, index=False, encoding="utf-8-sig")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"无法写入 {path}:{exc.strerror}",
                        f"Cannot write {path}: {exc.strerror}") from None


def _fmt(m: MetricValue) -> str:
    if m.value is None:
        return "—(分母为 0)"
    if m.unit == "rate":
        return f"{m.value:.1%}"
    if m.unit == "money":
        return f"¥{m.value:,.2f}"
    if m.unit == "ratio":
        return f"{m.value:.2f}"
    return f"{m.value:,}"


def _n(x: float | int | None) -> str:
    return f"{x:,.2f}" if isinstance(x, float) else f"{x:,}"


def _print_metrics(report: MetricsReport) -> None:
    table = Table(title=f"{report.scope} · {report.start} ~ {report.end}")
    for col in ("指标", "数值", "分子 / 分母"):
        table.add_column(col, justify="left" if col == "指标" else "right")
    for m in report.metrics:
        frac = "" if m.denominator is None else f"{_n(m.numerator)} / {_n(m.denominator)}"
        table.add_row(m.name, _fmt(m), frac)
    console.print(table)
    console.print("[bold]口径[/bold]")
    for m in report.metrics:
        console.print(f"  [cyan]{m.name}[/cyan]:{m.definition}")


def _buckets(title: str, rows: list[Bucket]) -> Table:
    with_money = any(b.monetary is not None for b in rows)
    table = Table("分组", "人数", "占比", *(["金额"] if with_money else []), title=title)
    for b in rows:
        share = "—" if b.share is None else f"{b.share:.1%}"
        money = [] if not with_money else [f"¥{b.monetary or 0:,.0f}"]
        table.add_row(b.name, f"{b.members:,}", share, *money)
    return table


def _print_rfm(report: RfmReport) -> None:
    t = report.thresholds
    console.print(f"[bold]{report.scope}[/bold] 截至 {report.as_of},"
                  f"有消费会员 {report.buyers:,} 人")
    console.print(_buckets(f"RFM 八类(各维度 1–5 分,≥{t['rfm_high_score']} 分为高)",
                           report.rfm_classes))
    console.print(_buckets(
        f"消费间隔分组(距上次消费 ≤{t['core_days']} / ≤{t['potential_days']} / "
        f"≤{t['ordinary_days']} 天 / 更久 / 从未消费)", report.interval_groups))
    console.print(_buckets("会员等级金字塔(金额 = 近 365 天消费)", report.tiers))


def register(app: typer.Typer) -> None:
    app.command("metrics")(metrics)
    app.command("rfm")(rfm)
