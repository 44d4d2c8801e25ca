"""What a period rule returns, and the helpers several rules share (years, months, quarters).

A rule is a regex and a handler; the handler turns the match and today into a `Raw`
period (calendar bounds, possibly in the future); `dates.py` then cuts, checks and labels it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from copilot.lang.days import YEAR, number


@dataclass(frozen=True)
class Raw:
    """A period as named, before it is cut to the data we have.

    `zh`/`en` name it ("" for plain dates, whose days say it all); `rule_zh`/`rule_en` say
    how its days were chosen ("10月1日至7日"); `rolling` windows already end yesterday.
    """

    start: date
    end: date
    zh: str
    en: str
    rolling: bool = False
    rule_zh: str = ""
    rule_en: str = ""


Handler = Callable[[re.Match[str], date], Raw]
Rule = tuple[re.Pattern[str], Handler]

RELATIVE_YEARS: dict[str, int] = {
    "大前年": -3, "前年": -2, "去年": -1, "今年": 0, "本年": 0, "明年": 1,
    "last": -1, "this": 0, "next": 1,
}
# A year in front of a month, quarter or holiday: "2025年", "二〇二五年", "去年", "last year's".
YEAR_PREFIX = (rf"(?:(?P<py>{YEAR})\s*年?\s*|(?P<pr>大前年|前年|去年|今年|本年|明年)的?"
               r"|(?P<pe>last|this|next)\s+year'?s\s+)")
QUARTER_NAMES_ZH = ("第一季度", "第二季度", "第三季度", "第四季度")


def prefix_year(m: re.Match[str], today: date) -> int | None:
    """The year a YEAR_PREFIX (or a trailing `sy` year) names, or None when there is none."""
    groups = m.groupdict()
    if groups.get("py"):
        return number(groups["py"])
    if groups.get("pr"):
        return today.year + RELATIVE_YEARS[groups["pr"]]
    if groups.get("pe"):
        return today.year + RELATIVE_YEARS[groups["pe"].lower()]
    if groups.get("sy"):
        return int(groups["sy"])
    return None


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    return start, add_months(start, 1) - timedelta(days=1)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    return start, add_months(start, 3) - timedelta(days=1)


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)
