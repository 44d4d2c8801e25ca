"""Periods named on the calendar: months, quarters, years, dates, date ranges and holidays.

Without a year, a month, quarter, date or holiday is the most recent one that has started
("12月" on 2026-02-10 is 2025-12), because questions about data look back.
"""

from __future__ import annotations

import re
from datetime import date

from copilot.errors import UserError
from copilot.lang import holidays
from copilot.lang.days import (
    DAY,
    MONTH,
    MONTH_EN,
    ORDINAL,
    YEAR,
    check_month_day,
    make_date,
    month_en,
    number,
    shift_year,
)
from copilot.lang.rules import (
    QUARTER_NAMES_ZH,
    YEAR_PREFIX,
    Raw,
    Rule,
    month_bounds,
    prefix_year,
    quarter_bounds,
    year_bounds,
)

_I = re.IGNORECASE
_MONTHS_EN_FULL = ("January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December")


def _month_raw(year: int, month: int, said: str) -> Raw:
    if not 1 <= month <= 12:
        raise UserError(f"“{said}”不是有效月份:没有 {month} 月。",
                        f"{said!r} is not a month: there is no month {month}.")
    start, end = month_bounds(year, month)
    return Raw(start, end, f"{year}年{month}月", f"{_MONTHS_EN_FULL[month - 1]} {year}")


def _latest_year(month: int, today: date) -> int:
    """The year of the most recent (month) that has started."""
    return today.year if month <= today.month else today.year - 1


def _month_cn(m: re.Match[str], today: date) -> Raw:
    month = number(m["m"])
    year = prefix_year(m, today)
    return _month_raw(_latest_year(month, today) if year is None else year, month, m.group(0))


def _month_iso(m: re.Match[str], today: date) -> Raw:
    return _month_raw(number(m["y"]), int(m["m"]), m.group(0))


def _month_name(m: re.Match[str], today: date) -> Raw:
    groups = m.groupdict()
    month = month_en(groups.get("mon") or groups["mon2"])
    year = int(groups["y"]) if groups.get("y") else _latest_year(month, today)
    return _month_raw(year, month, m.group(0))


def _quarter(m: re.Match[str], today: date) -> Raw:
    q = number(m["q"] or m["q2"])
    year = prefix_year(m, today)
    if year is None:
        year = today.year if quarter_bounds(today.year, q)[0] <= today else today.year - 1
    start, end = quarter_bounds(year, q)
    return Raw(start, end, f"{year}年{QUARTER_NAMES_ZH[q - 1]}", f"Q{q} {year}")


def _year(m: re.Match[str], today: date) -> Raw:
    year = number(m["y"])
    start, end = year_bounds(year)
    return Raw(start, end, f"{year}年", f"{year}")


# One point in a range: "2025-03-01", "2025年3月1日", "3月1日", "Mar 1, 2025"; the end of a
# range may leave out the year ("3月1日到3月15日") or the month too ("3月1日-15日").
_POINTS: list[re.Pattern[str]] = [
    re.compile(rf"(?P<y>{YEAR})\s*[-/.]\s*(?P<m>\d{{1,2}})\s*[-/.]\s*(?P<d>\d{{1,2}})"),
    re.compile(rf"(?P<y>{YEAR})\s*年\s*(?P<m>{MONTH})\s*月\s*(?P<d>{DAY})\s*[日号]?"),
    re.compile(rf"(?P<m>{MONTH})\s*月\s*(?P<d>{DAY})\s*[日号]?"),
    re.compile(rf"(?P<mon>{MONTH_EN})\.?\s+(?P<d>\d{{1,2}}){ORDINAL}(?:,?\s*(?P<y>\d{{4}}))?", _I),
    re.compile(rf"(?P<d>\d{{1,2}}){ORDINAL}\s+(?:of\s+)?(?P<mon>{MONTH_EN})\.?"
               rf"(?:,?\s*(?P<y>\d{{4}}))?", _I),
    re.compile(r"(?P<m>\d{1,2})\s*/\s*(?P<d>\d{1,2})"),  # only as the end of a range
    re.compile(rf"(?P<d>{DAY})\s*[日号]?"),  # only as the end of a range
]
_POINT = "|".join(f"(?:{p.pattern})" for p in _POINTS[:5])
_END = "|".join(f"(?:{p.pattern})" for p in _POINTS)
_POINT_RE = re.compile(re.sub(r"\(\?P<\w+>", "(?:", _POINT), _I)
_END_RE = re.compile(re.sub(r"\(\?P<\w+>", "(?:", _END), _I)
# "3月8个门店" is not March 8, and "3月1日到4月" does not end on the 4th.
_AFTER_DAY = r"(?![\d个次家人元块%天周年岁月点时])"


def _point(text: str, ends: bool) -> tuple[int | None, int | None, int]:
    """(year, month, day) of one point; year and month None when left out."""
    for pattern in _POINTS if ends else _POINTS[:5]:
        m = pattern.fullmatch(text.strip())
        if m is None:
            continue
        groups = m.groupdict()
        year = number(groups["y"]) if groups.get("y") else None
        month = month_en(groups["mon"]) if groups.get("mon") else (
            number(groups["m"]) if groups.get("m") else None)
        return year, month, number(groups["d"])
    raise AssertionError(f"not a date point: {text!r}")


def _day_of(point: tuple[int | None, int | None, int], said: str, today: date) -> date:
    year, month, day = point
    assert month is not None
    if year is not None:
        return make_date(year, month, day, said)
    check_month_day(month, day, said)
    return shift_year(month, day, today, forward=False)


def _single(m: re.Match[str], today: date) -> Raw:
    day = _day_of(_point(m["a"], ends=False), m["a"], today)
    return Raw(day, day, "", "")


def _range(m: re.Match[str], today: date) -> Raw:
    start = _day_of(_point(m["a"], ends=False), m["a"], today)
    year, month, day = _point(m["b"], ends=True)
    if month is None:
        month = start.month
    if year is None:
        check_month_day(month, day, m["b"])
        # "12月25日到1月5日" crosses the year; "3月5日到3月1日" is a reversed range (an error
        # later), not a range into next March.
        year = start.year + (1 if month < start.month else 0)
    end = make_date(year, month, day, m["b"])
    return Raw(start, end, "", "")


def _holiday(m: re.Match[str], today: date) -> Raw:
    holiday = holidays.identify(m["h"])
    assert holiday is not None
    year = prefix_year(m, today)
    if year is None:
        start, end = holidays.latest_window(holiday, today)
    else:
        start, end = holiday.window(year)
    return Raw(start, end, f"{start.year}年{holiday.zh}", f"{holiday.en} {start.year}",
               rule_zh=holiday.rule_zh, rule_en=holiday.rule_en)


_SEP = r"\s*(?:到|至|~|-|to|until|till|through)\s*"
RULES: list[Rule] = [
    (re.compile(rf"(?:{YEAR_PREFIX})?(?P<m>{MONTH})\s*月份?"
                r"(?!\s*(?:\d|[一二三四五六七八九十]+\s*[日号]))"), _month_cn),
    (re.compile(rf"(?P<y>{YEAR})\s*[-/]\s*(?P<m>\d{{1,2}})(?!\d|\s*[-/.]\s*\d)"), _month_iso),
    (re.compile(rf"(?P<mon>{MONTH_EN})\.?,?\s*(?P<y>\d{{4}})\b", _I), _month_name),
    (re.compile(r"\b(?P<mon>january|february|march|april|june|july|august|september|october"
                r"|november|december)\b|\b(?:in|during)\s+(?P<mon2>may)\b", _I), _month_name),
    (re.compile(rf"(?:{YEAR_PREFIX})?(?:第?(?P<q>[1-4一二三四])季度|(?<![A-Za-z])[Qq](?P<q2>[1-4])"
                rf"(?!\d))(?:\s+(?P<sy>\d{{4}})\b)?"), _quarter),
    (re.compile(rf"(?P<y>{YEAR})\s*(?:年度|年全年|全年|年)"), _year),
    (re.compile(r"\b(?:in|during|for|year)\s+(?P<y>\d{4})\b", _I), _year),
    (re.compile(rf"(?P<a>{_POINT_RE.pattern}){_AFTER_DAY}", _I), _single),
    (re.compile(rf"(?:(?:from|between)\s+)?(?P<a>{_POINT_RE.pattern}){_SEP}"
                rf"(?P<b>{_END_RE.pattern}){_AFTER_DAY}", _I), _range),
    (re.compile(rf"\bbetween\s+(?P<a>{_POINT_RE.pattern})\s+and\s+(?P<b>{_END_RE.pattern})"
                rf"{_AFTER_DAY}", _I), _range),
    (re.compile(rf"(?:{YEAR_PREFIX})?(?P<h>{holidays.ANY_HOLIDAY}){holidays.SUFFIX}"
                rf"(?:\s+(?P<sy>\d{{4}})\b)?", _I), _holiday),
]
