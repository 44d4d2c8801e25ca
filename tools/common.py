"""Arguments and formatting several tools share: where (scope), when (period), numbers."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Annotated

from pydantic import AfterValidator, Field
from sqlalchemy import Connection, text

from copilot.analytics.period import Period, parse_day
from copilot.analytics.rfm import TIER_ORDER
from copilot.analytics.scope import Scope
from copilot.data.access import Access
from copilot.errors import UserError
from copilot.lang.dates import ResolvedPeriod, find_periods
from tools.base import ToolArgs, ToolContext

EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


def _in_range(d: date) -> date:
    if not EARLIEST <= d <= LATEST:
        raise ValueError(f"日期应在 {EARLIEST} 到 {LATEST} 之间")
    return d


# A date argument: bounded, so date arithmetic never overflows on 0001-01-01 or 9999-12-31.
Day = Annotated[date, AfterValidator(_in_range)]


def check_tiers(conn: Connection, tiers: list[str]) -> None:
    """Tiers named by the user must exist in the data; say which ones do."""
    if not tiers:
        return
    found = {r[0] for r in conn.execute(text(
        "SELECT DISTINCT tier FROM members WHERE tier IS NOT NULL"))}
    known = [t for t in reversed(TIER_ORDER) if t in found] + sorted(found - set(TIER_ORDER))
    bad = [t for t in tiers if t not in known]
    if bad:
        raise UserError(f"没有等级 {'、'.join(bad)};现有等级:{'、'.join(known)}。",
                        f"No tier {', '.join(bad)}; tiers: {', '.join(known)}.")


def like_prefix(value: str) -> str:
    """A LIKE pattern matching values that start with `value` taken literally (ESCAPE '\\')."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


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
    start: Day | None = Field(None, description="开始日期 YYYY-MM-DD(与 end 一起用)")
    end: Day | None = Field(None, description="结束日期 YYYY-MM-DD(含)")

    def resolve_period(self, ctx: ToolContext, default: str = "上个月") -> tuple[Period, str]:
        """The period and how it reads ("上个月 2026-10-01 ~ 2026-10-31")."""
        if self.start or self.end:
            if not (self.start and self.end):
                raise UserError("开始日期和结束日期要一起给。", "Give both start and end.")
            return _explicit(Period.parse(self.start, self.end), ctx.today)
        phrase = self.period or default
        found = find_periods(phrase, ctx.today)
        if not found:
            raise UserError(
                f"看不懂时间“{phrase}”。可以说:上个月、本季度、最近90天、国庆期间、"
                "2025-03-01~2025-03-31。",
                f"Cannot read the period {phrase!r}; try 'last month', 'last 90 days', "
                "or 2025-03-01~2025-03-31.")
        period, label = _whole_phrase(phrase, found, ctx.lang)
        period.validate()
        return period, label


_FILLER = re.compile(r"[\s,.;:、，。;:()()]|期间|这段时间|时候|那段|数据|的|里|内|"
                     r"\b(?:in|the|during|period|over)\b", re.IGNORECASE)
_RANGE = re.compile(r"^\s*(?:到|至|~|～|-|—|to|until|till)\s*$", re.IGNORECASE)


def _whole_phrase(phrase: str, found: list[ResolvedPeriod], lang: str) -> tuple[Period, str]:
    """The period the whole phrase names: one period, or "X 到 Y" of two; anything else
    left over means we understood only part of it, which is refused rather than guessed."""
    first = found[0]
    label = first.label_zh if lang != "en" else first.label_en
    if len(found) >= 2 and _RANGE.match(phrase[first.span[1]:found[1].span[0]]):
        second = found[1]
        period = Period(first.period.start, second.period.end)
        spans = [first.span, second.span]
        label = (f"{first.matched} 到 {second.matched}" if lang != "en" else
                 f"{first.matched} to {second.matched}") + f"({period.label()})"
    else:
        period, spans = first.period, [first.span]
    rest = phrase
    for a, b in sorted(spans, reverse=True):
        rest = rest[:a] + " " + rest[b:]
    rest = _RANGE.sub("", _FILLER.sub("", rest).strip())
    if rest:
        raise UserError(
            f"“{phrase}”里只看懂了“{first.matched}”,“{rest}”不明白。请换个说法,"
            "例如:上个月、本季度、最近90天、2026-01-01~2026-06-30。",
            f"Only understood {first.matched!r} in {phrase!r}; {rest!r} is unclear.")
    return period, label


def _explicit(period: Period, today: date) -> tuple[Period, str]:
    """Dates given directly follow the same rules as words: not in the future, and today's
    incomplete data left out."""
    if period.start >= today:
        raise UserError(f"这个时间还没到:{period.label()} 还没开始,今天是 {today}。",
                        f"{period.label()} has not started yet; today is {today}.")
    if period.end >= today:
        clipped = Period(period.start, today - timedelta(days=1))
        return clipped, f"{clipped.label()}(截至昨天)"
    return period, period.label()


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
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def fmt_delta(value: float | None, other: float | None, unit: str) -> str:
    """Difference to a benchmark: +2.1 个百分点 for rates, +5.3% otherwise."""
    if value is None or other is None:
        return ""
    if unit == "rate":
        diff = round((value - other) * 100, 1)
        return "持平" if diff == 0 else f"{diff:+.1f} 个百分点"
    if not other:
        return ""
    diff = round((value / other - 1) * 100, 1)
    return "持平" if diff == 0 else f"{diff:+.1f}%"


def birthday_keys(day: date, days: int) -> list[int]:
    """month*100+day of every birthday celebrated from `day` through `day + days`: what the
    SQL filter matches (29 February only where a 28 February of a common year is inside)."""
    keys: set[int] = set()
    for n in range(days + 1):
        d = day + timedelta(days=n)
        keys.add(d.month * 100 + d.day)
        if d.month == 2 and d.day == 28 and not calendar.isleap(d.year):
            keys.add(229)
    return sorted(keys)
