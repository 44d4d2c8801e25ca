"""Holidays and shopping festivals as windows of days, the way retail staff mean them.

"国庆期间" or "双11" is a window of days, not one day: each holiday has a rule (fixed
dates, the n-th weekday of a month, or a lunar date from the tables below) and a length.
The lunar tables were written from the official calendar and cross-checked against new
moons and solar terms computed with Meeus' algorithms (Beijing time), 2020–2032.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from copilot.errors import UserError

# 正月初一 (春节), 五月初五 (端午), 七月初七 (七夕), 八月十五 (中秋), by Gregorian year.
SPRING_FESTIVAL: dict[int, date] = {
    2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1),
    2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
    2029: date(2029, 2, 13), 2030: date(2030, 2, 3), 2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
}
DRAGON_BOAT: dict[int, date] = {
    2020: date(2020, 6, 25), 2021: date(2021, 6, 14), 2022: date(2022, 6, 3),
    2023: date(2023, 6, 22), 2024: date(2024, 6, 10), 2025: date(2025, 5, 31),
    2026: date(2026, 6, 19), 2027: date(2027, 6, 9), 2028: date(2028, 5, 28),
    2029: date(2029, 6, 16), 2030: date(2030, 6, 5), 2031: date(2031, 6, 24),
    2032: date(2032, 6, 12),
}
QIXI: dict[int, date] = {
    2020: date(2020, 8, 25), 2021: date(2021, 8, 14), 2022: date(2022, 8, 4),
    2023: date(2023, 8, 22), 2024: date(2024, 8, 10), 2025: date(2025, 8, 29),
    2026: date(2026, 8, 19), 2027: date(2027, 8, 8), 2028: date(2028, 8, 26),
    2029: date(2029, 8, 16), 2030: date(2030, 8, 5), 2031: date(2031, 8, 24),
    2032: date(2032, 8, 12),
}
MID_AUTUMN: dict[int, date] = {
    2020: date(2020, 10, 1), 2021: date(2021, 9, 21), 2022: date(2022, 9, 10),
    2023: date(2023, 9, 29), 2024: date(2024, 9, 17), 2025: date(2025, 10, 6),
    2026: date(2026, 9, 25), 2027: date(2027, 9, 15), 2028: date(2028, 10, 3),
    2029: date(2029, 9, 22), 2030: date(2030, 9, 12), 2031: date(2031, 10, 1),
    2032: date(2032, 9, 19),
}
LUNAR_YEARS = (min(SPRING_FESTIVAL), max(SPRING_FESTIVAL))

Window = Callable[[int], tuple[date, date]]


@dataclass(frozen=True)
class Holiday:
    """One holiday: names, the window rule in words (shown in labels) and how to compute it."""

    key: str
    zh: str
    en: str
    rule_zh: str
    rule_en: str
    window: Window
    pattern: re.Pattern[str]


def _fixed(month: int, day: int, days: int) -> Window:
    def window(year: int) -> tuple[date, date]:
        start = date(year, month, day)
        return start, start + timedelta(days=days - 1)
    return window


def _nth_sunday(month: int, n: int) -> Window:
    def window(year: int) -> tuple[date, date]:
        first = date(year, month, 1)
        day = first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))
        return day, day
    return window


def _lunar(table: dict[int, date], name_zh: str, name_en: str, before: int, days: int) -> Window:
    def window(year: int) -> tuple[date, date]:
        if year not in table:
            lo, hi = LUNAR_YEARS
            raise UserError(
                f"{name_zh}的日期表只覆盖 {lo}–{hi} 年,{year} 年的{name_zh}请直接给出日期范围。",
                f"The {name_en} table covers {lo}–{hi} only; give the dates for {year} directly.",
            )
        start = table[year] - timedelta(days=before)
        return start, start + timedelta(days=days - 1)
    return window


# Guards: no digit or numeral glued on either side ("三八" in "三八折", "618" in "6180").
_NUM = r"0-9一二三四五六七八九十百千万两〇零"
_ALONE_L = rf"(?<![{_NUM}.])"
_ALONE_R = rf"(?![{_NUM}.%折])"


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


HOLIDAYS: tuple[Holiday, ...] = (
    Holiday("national_day", "国庆", "National Day", "10月1日至7日", "Oct 1–7",
            _fixed(10, 1, 7),
            _p(r"国庆节?|十一(?:黄金周|小长假|长假|假期|期间)|national day|golden week")),
    Holiday("new_year", "元旦", "New Year's Day", "1月1日至3日", "Jan 1–3",
            _fixed(1, 1, 3), _p(r"元旦|new year'?s day")),
    Holiday("labour_day", "五一", "May Day", "5月1日至5日", "May 1–5",
            _fixed(5, 1, 5),
            _p(rf"{_ALONE_L}五一(?:劳动节)?(?!广场|路|大道){_ALONE_R}|劳动节|may day|labou?r day")),
    Holiday("singles_day", "双十一", "Singles' Day", "11月1日至11日大促期",
            "the Nov 1–11 sales window", _fixed(11, 1, 11),
            _p(rf"双十一|双11{_ALONE_R}|double (?:11|eleven){_ALONE_R}|singles'? day")),
    Holiday("double_12", "双十二", "Double 12", "12月12日当天", "Dec 12 only",
            _fixed(12, 12, 1), _p(rf"双十二|双12{_ALONE_R}|double (?:12|twelve){_ALONE_R}")),
    Holiday("mid_year_sale", "618", "618 sale", "6月1日至18日大促期",
            "the Jun 1–18 sales window", _fixed(6, 1, 18),
            _p(rf"{_ALONE_L}(?:618|六一八){_ALONE_R}")),
    Holiday("spring_festival", "春节", "Spring Festival", "除夕至初六共7天",
            "New Year's Eve to day 6, 7 days",
            _lunar(SPRING_FESTIVAL, "春节", "Spring Festival", 1, 7),
            _p(r"春节|过年|新春|(?:chinese|lunar) new year|spring festival")),
    Holiday("dragon_boat", "端午", "Dragon Boat Festival", "端午当天及前后各一天",
            "the day and one day either side",
            _lunar(DRAGON_BOAT, "端午", "Dragon Boat Festival", 1, 3),
            _p(r"端午|dragon boat(?: festival)?")),
    Holiday("mid_autumn", "中秋", "Mid-Autumn Festival", "中秋当天及前后各一天",
            "the day and one day either side",
            _lunar(MID_AUTUMN, "中秋", "Mid-Autumn Festival", 1, 3),
            _p(r"中秋|mid-?autumn(?: festival)?|moon festival")),
    Holiday("qixi", "七夕", "Qixi", "七夕当天", "the day itself",
            _lunar(QIXI, "七夕", "Qixi", 0, 1), _p(r"七夕|qixi")),
    Holiday("valentine", "情人节", "Valentine's Day", "2月14日当天", "Feb 14 only",
            _fixed(2, 14, 1), _p(r"情人节|valentine'?s?(?: day)?")),
    Holiday("womens_day", "妇女节", "Women's Day", "3月8日当天", "Mar 8 only",
            _fixed(3, 8, 1),
            _p(rf"妇女节|女神节|{_ALONE_L}三八(?:妇女节|节)?{_ALONE_R}|women'?s day")),
    Holiday("mothers_day", "母亲节", "Mother's Day", "5月第二个星期日", "2nd Sunday of May",
            _nth_sunday(5, 2), _p(r"母亲节|mother'?s day")),
    Holiday("fathers_day", "父亲节", "Father's Day", "6月第三个星期日", "3rd Sunday of June",
            _nth_sunday(6, 3), _p(r"父亲节|father'?s day")),
    Holiday("christmas", "圣诞", "Christmas", "12月24日至26日", "Dec 24–26",
            _fixed(12, 24, 3), _p(r"圣诞|christmas|x-?mas")),
)
BY_KEY: dict[str, Holiday] = {h.key: h for h in HOLIDAYS}
# Words that may follow a holiday's name and belong to it ("国庆期间", "春节假期").
SUFFIX = r"(?:节|大促|活动)?(?:期间|假期|小长假|长假|黄金周|当天|那几天|那天|前后)?"
# One alternation of every holiday, for callers that scan a sentence.
ANY_HOLIDAY = "|".join(f"(?:{h.pattern.pattern})" for h in HOLIDAYS)


def identify(name: str) -> Holiday | None:
    """Which holiday a matched name is ("国庆节" -> National Day)."""
    for holiday in HOLIDAYS:
        if holiday.pattern.fullmatch(name):
            return holiday
    return None


def latest_window(holiday: Holiday, today: date) -> tuple[date, date]:
    """The most recent occurrence that has started (this year's once it began, else last)."""
    start, end = holiday.window(today.year)
    if start > today:
        start, end = holiday.window(today.year - 1)
    return start, end
