"""Arguments and formatting several tools share: where (scope), when (period), numbers."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import Field
from sqlalchemy import Connection

from copilot.analytics.period import Period, parse_day
from copilot.analytics.scope import Scope
from copilot.data.access import Access
from copilot.errors import UserError
from copilot.lang.dates import resolve_period
from tools.base import ToolArgs, ToolContext


class ScopeArgs(ToolArgs):
    store: str | None = Field(None, description="门店:名称、简称、编号或“3号店”,如 朝阳店、S001")
    region: str | None = Field(None, description="区域,如 华东")
    chain: bool = Field(False, description="全连锁(仅管理员)")

    def resolve(self, conn: Connection, access: Access) -> Scope:
        if sum(bool(x) for x in (self.store, self.region, self.chain)) > 1:
            raise UserError("门店、区域、全连锁只能选一个。",
                            "Give only one of store, region or chain.")
        return access.scope(conn, store=self.store, region=self.region, chain=self.chain)


class PeriodArgs(ToolArgs):
    period: str | None = Field(
        None, description="时间:上个月、本季度、最近90天、国庆期间、last week、"
                          "2025-03-01~2025-03-31 等;留空为上个月")
    start: date | None = Field(None, description="开始日期 YYYY-MM-DD(与 end 一起用)")
    end: date | None = Field(None, description="结束日期 YYYY-MM-DD(含)")

    def resolve_period(self, ctx: ToolContext, default: str = "上个月") -> tuple[Period, str]:
        """The period and how it reads ("上个月 2026-10-01 ~ 2026-10-31")."""
        if self.start or self.end:
            if not (self.start and self.end):
                raise UserError("开始日期和结束日期要一起给。", "Give both start and end.")
            period = Period.parse(self.start, self.end)
            return period, period.label()
        phrase = self.period or default
        found = resolve_period(phrase, ctx.today)
        if found is None:
            raise UserError(
                f"看不懂时间“{phrase}”。可以说:上个月、本季度、最近90天、国庆期间、"
                "2025-03-01~2025-03-31。",
                f"Cannot read the period {phrase!r}; try 'last month', 'last 90 days', "
                "or 2025-03-01~2025-03-31.")
        found.period.validate()
        return found.period, found.label_zh if ctx.lang != "en" else found.label_en


def previous_period(p: Period) -> Period:
    """The previous calendar month or quarter for whole months/quarters (so October compares
    with September, not with 31 days back), else the same number of days right before."""
    months = _whole_months(p)
    if months in (1, 3):
        start = p.start
        for _ in range(months):
            start = (start - timedelta(days=1)).replace(day=1)
        return Period(start, p.start - timedelta(days=1))
    return Period(p.start - timedelta(days=p.days), p.start - timedelta(days=1))


def _whole_months(p: Period) -> int | None:
    """How many calendar months `p` spans exactly, or None if it is not whole months."""
    if p.start.day != 1 or (p.end + timedelta(days=1)).day != 1:
        return None
    return (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1


def last_year(p: Period) -> Period:
    return Period(_year_back(p.start), _year_back(p.end))


def _year_back(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def as_day(value: str | date, zh: str = "日期", en: str = "date") -> date:
    return parse_day(value, zh, en)


def fmt(value: float | int | None, unit: str) -> str:
    """A figure as staff read it: 23.4%, ¥1,234.50, 1.85, 1,234; None is 无数据."""
    if value is None:
        return "无数据"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "money":
        return f"¥{value:,.2f}"
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def fmt_delta(value: float | None, other: float | None, unit: str) -> str:
    """Difference to a benchmark: +2.1 个百分点 for rates, +5.3% otherwise."""
    if value is None or other is None:
        return ""
    if unit == "rate":
        return f"{(value - other) * 100:+.1f} 个百分点"
    if not other:
        return ""
    return f"{(value / other - 1) * 100:+.1f}%"
