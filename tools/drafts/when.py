"""The day (or days) a post announces: "周六", "下周一晚上7点", "12月5日到7日", ISO dates.

Posts are about days ahead, so this reads single days the way scheduling does
(`copilot.lang.days`: a day without a year is the next one on or after today), and a range
as two such days joined by 到/至/~. The whole phrase must be understood: anything left over
is refused rather than guessed, and a day already past is an error, not a stale post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from copilot.errors import UserError
from copilot.lang.days import DAY_RULES
from copilot.lang.text import fold, leftmost

MAX_DAYS = 92  # a post announces an event, not a season: longer is almost surely a typo
WEEKDAY_ZH = "一二三四五六日"
_SPLIT = re.compile(r"\s*(?:到|至|~|～|—|–|\s-\s)\s*")
_TIME = re.compile(
    r"^(?:(?:凌晨|早上|上午|中午|下午|傍晚|晚上)\s*)?"
    r"(?:\d{1,2}\s*[::]\s*\d{2}|(?:\d{1,2}|[一二两三四五六七八九十]{1,3})\s*[点时]"
    r"(?:\s*(?:半|\d{1,2}\s*分?|[一二三四五]?十[一二三四五六七八九]?分?))?)"
    r"(?:\s*(?:开始|开播|开场|整))?$")
_FILLER = re.compile(r"[\s,,的]+")


@dataclass(frozen=True)
class EventDate:
    start: date
    end: date
    time: str = ""  # of the start: "晚上7点", or ""
    end_time: str = ""  # of the end, in a range

    def text(self, today: date) -> str:
        """How the date reads in a post: 12月5日(周六)晚上7点 / 12月5日至12月7日."""
        if self.start == self.end and not self.end_time:
            return _day(self.start, today, weekday=True) + self.time
        return f"{_day(self.start, today)}{self.time}至{_day(self.end, today)}{self.end_time}"


def _day(d: date, today: date, weekday: bool = False) -> str:
    year = f"{d.year}年" if d.year != today.year else ""
    week = f"(周{WEEKDAY_ZH[d.weekday()]})" if weekday else ""
    return f"{year}{d.month}月{d.day}日{week}"


def parse_event_date(phrase: str, today: date) -> EventDate:
    parts = _SPLIT.split(phrase.strip())
    if len(parts) > 2 or not all(parts):
        raise _unclear(phrase)
    start, time_a = _one(parts[0], today, phrase)
    end, time_b = (start, "") if len(parts) == 1 else _one(parts[1], start, phrase)
    if start < today:
        raise UserError(
            f"日期“{phrase}”是 {start},已经过去了(今天是 {today})。"
            "文案里的活动时间应是今天或以后。",
            f"{phrase!r} is {start}, already past (today is {today}).")
    if end < start:
        raise UserError(f"结束日期 {end} 早于开始日期 {start}。",
                        f"End date {end} is before start date {start}.")
    if (end - start).days + 1 > MAX_DAYS:
        raise UserError(f"时间范围 {start} ~ {end} 太长(最多 {MAX_DAYS} 天),请确认日期。",
                        f"{start} ~ {end} is longer than {MAX_DAYS} days; check the dates.")
    return EventDate(start, end, time_a, time_b)


def _one(part: str, today: date, phrase: str) -> tuple[date, str]:
    """One day and what time of day follows it ("周六晚上7点" → Saturday, "晚上7点")."""
    folded = fold(part)
    hit = leftmost(folded, DAY_RULES)
    if hit is None:
        raise _unclear(phrase)
    m, handler = hit
    day = handler(m, today)  # says itself when the day does not exist (2月30日)
    before, after = _FILLER.sub("", folded[:m.start()]), folded[m.end():].strip(" ,的")
    if before or (after and not _TIME.match(after)):
        raise _unclear(phrase)
    return day, after.replace(" ", "")


def _unclear(phrase: str) -> UserError:
    return UserError(
        f"看不懂日期“{phrase}”。可以写:周六、下周一、12月5日、12月5日到12月7日、"
        "2026-12-05、周六晚上7点。",
        f"Cannot read the date {phrase!r}; try 周六, 12月5日, 2026-12-05 or 12月5日到12月7日.")
