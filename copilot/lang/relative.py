"""Periods relative to today: 昨天, 上周, 本月, 上季度, 去年, 最近90天, 周五, 上周末.

Calendar units (week, month, quarter, year) are whole units counted from the current one;
rolling windows ("最近90天", "last 3 months") are the N units that end yesterday.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from copilot.errors import UserError
from copilot.lang.days import RELATIVE_DAYS, WEEKDAY_CN, WEEKDAY_EN, WEEKDAYS, week_start
from copilot.lang.numerals import parse_number
from copilot.lang.rules import (
    RELATIVE_YEARS,
    Raw,
    Rule,
    add_months,
    month_bounds,
    quarter_bounds,
    year_bounds,
)

_I = re.IGNORECASE
_NOT_COMPARE = r"(?!同期)"  # "去年同期" is a comparison, not a period
_OFFSETS_ZH = {"上上": -2, "上": -1, "这": 0, "本": 0, "当": 0, "下": 1, "下下": 2}
_OFFSETS_EN = {"last": -1, "previous": -1, "this": 0, "current": 0, "next": 1}
_UNIT_ZH = {"week": "周", "month": "月", "quarter": "季度", "year": "年"}
_NAMES_ZH = {
    "week": {-2: "上上周", -1: "上周", 0: "本周", 1: "下周", 2: "下下周"},
    "month": {-2: "上上个月", -1: "上个月", 0: "本月", 1: "下个月", 2: "下下个月"},
    "quarter": {-2: "上上季度", -1: "上季度", 0: "本季度", 1: "下季度", 2: "下下季度"},
    "year": {-3: "大前年", -2: "前年", -1: "去年", 0: "今年", 1: "明年"},
}
_WEEK_WORDS = {-2: ("上上", "the week before last, "), -1: ("上", "last "), 0: ("本", "this "),
               1: ("下", "next "), 2: ("下下", "the week after next, ")}
_DAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}


def _en_name(unit: str, k: int) -> str:
    if k == 0:
        return f"this {unit}"
    if abs(k) == 1:
        return f"{'last' if k < 0 else 'next'} {unit}"
    if abs(k) == 2:
        return f"the {unit} {'before last' if k < 0 else 'after next'}"
    return f"{-k} {unit}s ago" if k < 0 else f"in {k} {unit}s"


def calendar_unit(unit: str, k: int, today: date) -> Raw:
    """The whole week / month / quarter / year `k` units from the current one."""
    if unit == "week":
        start = week_start(today) + timedelta(days=7 * k)
        end = start + timedelta(days=6)
    elif unit == "month":
        first = add_months(date(today.year, today.month, 1), k)
        start, end = month_bounds(first.year, first.month)
    elif unit == "quarter":
        first = add_months(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), 3 * k)
        start, end = quarter_bounds(first.year, (first.month - 1) // 3 + 1)
    else:
        start, end = year_bounds(today.year + k)
    zh = _NAMES_ZH[unit].get(k, f"{-k}{_UNIT_ZH[unit]}前")
    return Raw(start, end, zh, _en_name(unit, k))


def _unit_zh(m: re.Match[str], today: date) -> Raw:
    if m["yr"]:
        return calendar_unit("year", RELATIVE_YEARS[m["yr"]], today)
    unit, rel = next((u, m[g]) for g, u in (("wk", "week"), ("mo", "month"), ("qu", "quarter"))
                     if m[g])
    return calendar_unit(unit, _OFFSETS_ZH[rel], today)


def _unit_en(m: re.Match[str], today: date) -> Raw:
    if m["todate"]:
        unit = {"w": "week", "m": "month", "q": "quarter", "y": "year"}[m["todate"][0].lower()]
        return calendar_unit(unit, 0, today)
    if m["before"]:
        return calendar_unit(m["unit2"].lower(), -2, today)
    return calendar_unit(m["unit"].lower(), _OFFSETS_EN[m["rel"].lower()], today)


def _day(m: re.Match[str], today: date) -> Raw:
    k = RELATIVE_DAYS[m.group(0).lower()]
    day = today + timedelta(days=k)
    zh = {-3: "大前天", -2: "前天", -1: "昨天", 0: "今天", 1: "明天", 2: "后天", 3: "大后天"}[k]
    en = {-2: "the day before yesterday", -1: "yesterday", 0: "today", 1: "tomorrow",
          2: "the day after tomorrow"}.get(k, f"{k:+d} days")
    return Raw(day, day, zh, en)


def _weekday(m: re.Match[str], today: date) -> Raw:
    """周五 = the latest Friday (today included); 上周五 / 这周五 / 下周五 = in that week."""
    which = (m["which"] or "").lower()
    wd_text = (m["wd"] or m.groupdict().get("wd2") or "").lower()
    weekend = wd_text in ("末", "weekend")
    wd = 5 if weekend else WEEKDAYS[wd_text]
    if which:
        k = _OFFSETS_ZH[which] if which in _OFFSETS_ZH else _OFFSETS_EN[which]
        start = week_start(today) + timedelta(days=7 * k + wd)
        zh_week, en_week = _WEEK_WORDS[k]
    else:
        start = today - timedelta(days=(today.weekday() - wd) % 7)
        zh_week = en_week = ""
    end = start + timedelta(days=1 if weekend else 0)
    name_en = "weekend" if weekend else _DAY_NAMES_EN[wd]
    return Raw(start, end, f"{zh_week}{'周末' if weekend else '周' + '一二三四五六日'[wd]}",
               f"{en_week}{name_en}")


def _quantity(value: float, unit: str, said: str) -> tuple[int, str]:
    """A count of whole days or months: 半年 = 6 months, 半个月 = 15 days, 两周 = 14 days."""
    per = {"day": (1, "day"), "week": (7, "day"), "month": (1, "month"),
           "quarter": (3, "month"), "year": (12, "month")}[unit]
    amount = value * per[0]
    if not float(amount).is_integer() and per[1] == "month":
        amount, per = amount * 30, (30, "day")  # 半个月 = 15 days
    if amount <= 0 or not float(amount).is_integer():
        raise UserError(f"“{said}”的时间长度要是正整数。",
                        f"The length in {said!r} must be a positive whole number.")
    return int(amount), per[1]


def rolling(value: float, unit: str, today: date, said: str, future: bool = False) -> Raw:
    """The `value` units that end yesterday (or, `future`, that start tomorrow)."""
    amount, kind = _quantity(value, unit, said)
    shown = "半" if value == 0.5 else f"{value:g}"
    unit_zh = {"day": "天", "week": "周", "month": "个月", "quarter": "个季度", "year": "年"}[unit]
    unit_en = f"half {unit}" if value == 0.5 else unit if value == 1 else f"{unit}s"
    shown_en = "" if value == 0.5 else f"{value:g} "
    if future:
        start = today + timedelta(days=1)
        end = (start + timedelta(days=amount) if kind == "day"
               else add_months(start, amount)) - timedelta(days=1)
        en = f"the next {unit}" if value == 1 else f"the next {shown_en}{unit_en}"
        return Raw(start, end, f"未来{shown}{unit_zh}", en)
    end = today - timedelta(days=1)
    start = today - timedelta(days=amount) if kind == "day" else add_months(today, -amount)
    en = f"the past {unit}" if value == 1 else f"the last {shown_en}{unit_en}"
    return Raw(start, end, f"最近{shown}{unit_zh}", en, rolling=True)


def _unit_key(text: str) -> str:
    text = text.lower()
    for key, marks in (("day", ("天", "日", "day")), ("week", ("周", "星期", "礼拜", "week")),
                       ("month", ("月", "month")), ("quarter", ("季", "quarter"))):
        if any(mark in text for mark in marks):
            return key
    return "year"


def _rolling(m: re.Match[str], today: date) -> Raw:
    token = (m.groupdict().get("n") or "1").lower()
    value = EN_NUMBERS.get(token) or parse_number(token)
    if value is None:
        raise UserError(f"看不懂“{m.group(0)}”里的数字。",
                        f"Cannot read the number in {m.group(0)!r}.")
    future = bool(m.groupdict().get("future"))
    return rolling(float(value), _unit_key(m["unit"]), today, m.group(0), future=future)


_N_ZH = r"(?P<n>\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+|半)"
_UNITS_ZH = r"(?P<unit>天|日|个?星期|个?礼拜|周|个?月|个?季度?|年)"
_N_EN = rf"(?P<n>\d+|{'|'.join(EN_NUMBERS)})"
_UNITS_EN = r"(?P<unit>days?|weeks?|months?|quarters?|years?)"

RULES: list[Rule] = [
    (re.compile("|".join(sorted(map(re.escape, RELATIVE_DAYS), key=len, reverse=True)), _I),
     _day),
    (re.compile(r"(?:(?P<wk>上上|上|这|本|下下|下)个?(?:周|星期|礼拜)"
                r"(?![二三四五六日天末1-7期年]|一(?![共直起样下些点切般致]))"
                r"|(?P<mo>上上|上|这|本|当|下下|下)个?月(?!份|\s*\d)"
                r"|(?P<qu>上上|上|这|本|下下|下)[个一]?季度?(?!节)"
                rf"|(?P<yr>大前年|前年|去年|今年|本年|明年)度?){_NOT_COMPARE}"), _unit_zh),
    (re.compile(r"\b(?:(?P<rel>this|last|next|current|previous)\s+(?P<unit>week|month|quarter"
                r"|year)|the\s+(?P<unit2>week|month|quarter|year)\s+(?P<before>before"
                r"\s+last)|(?P<todate>(?:week|month|quarter|year)[\s-]to[\s-]date|[wmqy]td))\b",
                _I), _unit_en),
    (re.compile(rf"(?:(?P<future>未来|接下来的?)|最近|近|过去的?)\s*{_N_ZH}\s*{_UNITS_ZH}"),
     _rolling),
    (re.compile(rf"\b(?:(?:in|over|during)\s+)?(?:the\s+)?(?:(?P<future>next|coming)|last|past"
                rf"|previous)\s+{_N_EN}\s+{_UNITS_EN}\b", _I), _rolling),
    (re.compile(r"\b(?:(?:in|over|during)\s+)?(?:the\s+)?past\s+(?P<unit>week|month|quarter"
                r"|year)\b", _I), _rolling),
    (re.compile(rf"(?P<which>上上|上|这|本|下下|下)?个?{WEEKDAY_CN}"), _weekday),
    (re.compile(rf"\b(?:(?P<which>last|this|next)\s+)?(?:{WEEKDAY_EN}|(?P<wd2>weekend))\b", _I),
     _weekday),
]
