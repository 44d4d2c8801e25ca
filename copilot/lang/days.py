"""Single days: "2026-12-01", "12月1日", "明天", "下周一", "this Saturday".

Also the date building blocks the period parser shares (year, month and day patterns, and
one place that says a date does not exist). A day without a year here is the next one on
or after today, because single days are mostly for scheduling; periods look back instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from copilot.errors import UserError
from copilot.lang.numerals import CN_DIGITS, parse_number
from copilot.lang.text import fold, leftmost

_CN_YEAR_DIGITS = "〇零一二三四五六七八九"
YEAR = rf"(?<!\d)(?:\d{{4}}|[{_CN_YEAR_DIGITS}]{{4}})(?!\d)"
MONTH = r"(?<!\d)\d{1,2}(?!\d)|十[一二]?|[一二三四五六七八九]"
DAY = r"(?<!\d)\d{1,2}(?!\d)|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
MONTHS_EN: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
MONTH_EN = (r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
            r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b")
ORDINAL = r"(?:st|nd|rd|th)?"
# 周一 … 周日 / 周末; "上周一共" and "上周一直" are "last week" + 一共 / 一直, not a Monday.
WEEKDAY_CN = r"(?:周|星期|礼拜)(?P<wd>一(?![共直起样下些点切般致])|[二三四五六日天末1-7])"
WEEKDAY_EN = r"(?P<wd>(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
WEEKDAYS: dict[str, int] = {
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
    "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}
RELATIVE_DAYS: dict[str, int] = {
    "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1,
    "明日": 1, "后天": 2, "大后天": 3, "today": 0, "tomorrow": 1, "yesterday": -1,
    "the day after tomorrow": 2, "the day before yesterday": -2,
}


def number(token: str) -> int:
    """An integer from digits or Chinese numerals; 4-digit years read digit by digit."""
    if len(token) == 4 and all(c in CN_DIGITS or c == "〇" for c in token):
        return int("".join(str(CN_DIGITS[c]) for c in token))
    value = parse_number(token)
    if value is None or not float(value).is_integer():
        raise UserError(f"看不懂日期里的“{token}”。", f"Cannot read {token!r} in a date.")
    return int(value)


def month_en(token: str) -> int:
    return MONTHS_EN[token.lower()[:3]]


def make_date(year: int, month: int, day: int, said: str) -> date:
    """date(year, month, day), or a UserError that names what the user typed."""
    if not 1 <= month <= 12:
        raise UserError(f"“{said}”不是有效日期:没有 {month} 月。",
                        f"{said!r} is not a date: there is no month {month}.")
    try:
        return date(year, month, day)
    except ValueError:
        raise UserError(f"“{said}”这一天不存在:{year} 年 {month} 月没有 {day} 日。",
                        f"{said!r} does not exist: {year}-{month:02d} has no day {day}.") from None


def check_month_day(month: int, day: int, said: str) -> None:
    """Reject "2月30日" even without a year (Feb 29 passes: it exists in leap years)."""
    if not 1 <= month <= 12:
        make_date(2024, month, day, said)  # says there is no such month
    if not 1 <= day <= (date(2024 + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day:
        raise UserError(f"“{said}”这一天不存在:{month} 月没有 {day} 日。",
                        f"{said!r} does not exist: month {month} has no day {day}.")


def shift_year(month: int, day: int, today: date, forward: bool) -> date:
    """The latest (month, day) on or before today, or the next on or after it.

    Feb 29 skips to the nearest leap year.
    """
    step = 1 if forward else -1
    for k in range(9):
        year = today.year + step * k
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if (candidate >= today) if forward else (candidate <= today):
            return candidate
    raise AssertionError("unreachable: every valid month/day recurs within 8 years")


def week_start(day: date) -> date:
    """Monday of the week `day` is in (weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def weekday_date(which: str | None, weekday: int, today: date) -> date:
    """下周一, 这周六, 上周五, or a bare 周六 (the coming one, today included)."""
    offsets = {"下下": 14, "下": 7, "next": 7, "这": 0, "本": 0, "上": -7, "last": -7,
               "上上": -14}
    if which is None or which in ("this", "coming"):
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    return week_start(today) + timedelta(days=offsets[which] + weekday)


Handler = Callable[[re.Match[str], date], date]


def _full(m: re.Match[str], today: date) -> date:
    return make_date(number(m["y"]), number(m["m"]), number(m["d"]), m.group(0))


def _month_day_cn(m: re.Match[str], today: date) -> date:
    month, day = number(m["m"]), number(m["d"])
    check_month_day(month, day, m.group(0))
    return shift_year(month, day, today, forward=True)


def _month_day_en(m: re.Match[str], today: date) -> date:
    month, day = month_en(m["mon"]), int(m["d"])
    if m["y"]:
        return make_date(int(m["y"]), month, day, m.group(0))
    check_month_day(month, day, m.group(0))
    return shift_year(month, day, today, forward=True)


def _relative(m: re.Match[str], today: date) -> date:
    return today + timedelta(days=RELATIVE_DAYS[m.group(0).lower()])


def _weekday(m: re.Match[str], today: date) -> date:
    which = m["which"].lower() if m["which"] else None
    return weekday_date(which, WEEKDAYS[m["wd"].lower()], today)


def _day_of_month(m: re.Match[str], today: date) -> date:
    day = number(m["d"])
    if not 1 <= day <= 31:
        raise UserError(f"“{m.group(0)}”不是有效日期。", f"{m.group(0)!r} is not a day of a month.")
    year, month = today.year, today.month
    for _ in range(13):  # this month if the day is still ahead, else the next month that has it
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable: every day 1-31 occurs within a year")


_I = re.IGNORECASE
DAY_RULES: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(rf"(?P<y>{YEAR})\s*(?:年|[-/.])\s*(?P<m>{MONTH})\s*(?:月|[-/.])\s*"
                rf"(?P<d>{DAY})(?:\s*[日号])?"), _full),
    (re.compile(rf"(?P<m>{MONTH})\s*月\s*(?P<d>{DAY})\s*[日号]"), _month_day_cn),
    (re.compile(rf"(?P<mon>{MONTH_EN})\.?\s+(?P<d>\d{{1,2}}){ORDINAL}\b(?:,?\s*(?P<y>\d{{4}}))?",
                _I), _month_day_en),
    (re.compile(rf"\b(?P<d>\d{{1,2}}){ORDINAL}\s+(?:of\s+)?(?P<mon>{MONTH_EN})\.?"
                rf"(?:,?\s*(?P<y>\d{{4}}))?", _I), _month_day_en),
    (re.compile("|".join(sorted(map(re.escape, RELATIVE_DAYS), key=len, reverse=True)), _I),
     _relative),
    (re.compile(rf"(?P<which>下下|上上|下|上|这|本)?个?{WEEKDAY_CN}"), _weekday),
    (re.compile(rf"\b(?:(?P<which>next|this|last|coming)\s+)?{WEEKDAY_EN}\b", _I), _weekday),
    (re.compile(rf"(?<![月\d])(?P<d>{DAY})\s*[日号](?![店门楼线柜位床房台车])"), _day_of_month),
]


def parse_day_phrase(text: str, today: date) -> date | None:
    """The first single day named in `text`, future days included; None when there is none.

    Without a year, a month and day is the next one on or after today; "周六" / "this
    Saturday" is the coming one (today if it is Saturday); "下周一" / "next Monday" is the
    Monday of next week; "这周一" is this week's Monday, even if it has passed.
    """
    hit = leftmost(fold(text), DAY_RULES)
    if hit is None:
        return None
    m, handler = hit
    return handler(m, today)
