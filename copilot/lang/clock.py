"""Times of day for scheduling: "上午10点", "晚上8点半", "下午三点", "10:30", "8:30pm".

People say the part of the day and a 12-hour clock ("晚上8点" is 20:00); without a part of
the day the hour is read as on a 24-hour clock ("10点" is 10:00, "三点" is 03:00).
"""

from __future__ import annotations

import re
from datetime import time

from copilot.errors import UserError
from copilot.lang.numerals import parse_number
from copilot.lang.text import fold

_CN_NUM = "零〇一二两三四五六七八九十"
_HOUR = rf"\d{{1,2}}|[{_CN_NUM}]{{1,3}}"
_MINUTE = rf"\d{{1,2}}|[{_CN_NUM}]{{1,3}}"
# Part of the day -> how a 12-hour reading maps to 24 hours.
MORNING, NOON, AFTERNOON, EVENING, NIGHT = "morning", "noon", "afternoon", "evening", "night"
PARTS: dict[str, str] = {
    "凌晨": NIGHT, "半夜": NIGHT, "夜里": NIGHT, "深夜": NIGHT,
    "早上": MORNING, "早晨": MORNING, "清晨": MORNING, "上午": MORNING, "早": MORNING,
    "中午": NOON,
    "下午": AFTERNOON, "午后": AFTERNOON, "傍晚": AFTERNOON,
    "晚上": EVENING, "晚间": EVENING, "夜间": EVENING, "今晚": EVENING, "晚": EVENING,
}
_PART = "|".join(sorted((p for p in PARTS if len(p) > 1), key=len, reverse=True))
# Bare 早/晚 only before Arabic digits: "晚8点" is 20:00, but "早一点" means "a bit earlier".
_CLOCK = re.compile(
    rf"(?<![快慢多少好大小高低重差\dA-Za-z.:])"
    rf"(?:(?P<part>{_PART}|[早晚](?=\d))\s*)?"
    rf"(?:(?P<h>{_HOUR})\s*[点點时](?:\s*(?P<half>半)|\s*(?P<quarter>[一三])刻"
    rf"|\s*(?P<m>{_MINUTE})\s*分?|\s*整)?"
    rf"|(?P<h2>\d{{1,2}}):(?P<m2>\d{{2}})(?::\d{{2}})?(?:\s*(?P<ampm2>[ap]\.?m\.?)(?![a-z]))?"
    rf"|(?P<h3>\d{{1,2}})\s*(?P<ampm3>[ap]\.?m\.?)(?![a-z]))"
    rf"|\b(?P<word>noon|midnight)\b",
    re.IGNORECASE,
)


def parse_time_of_day(text: str) -> time | None:
    """The first time of day in `text`, or None; an hour or minute that cannot be is an error."""
    m = _CLOCK.search(fold(text))
    if m is None:
        return None
    if m["word"]:
        return time(12, 0) if m["word"].lower() == "noon" else time(0, 0)
    if m["h"] is not None:
        hour, minute = _num(m["h"]), _minutes(m)
        part = PARTS[m["part"]] if m["part"] else None
        return _make(_by_part(hour, part, m.group(0)), minute, m.group(0))
    if m["h2"] is not None:
        hour, minute, ampm = int(m["h2"]), int(m["m2"]), m["ampm2"]
    else:
        hour, minute, ampm = int(m["h3"]), 0, m["ampm3"]
    if ampm:
        hour = _by_ampm(hour, ampm.lower().startswith("p"), m.group(0))
    elif m["part"]:
        hour = _by_part(hour, PARTS[m["part"]], m.group(0))
    return _make(hour, minute, m.group(0))


def _minutes(m: re.Match[str]) -> int:
    if m["half"]:
        return 30
    if m["quarter"]:
        return 15 if m["quarter"] == "一" else 45
    if m["m"]:
        return _num(m["m"].lstrip("零〇") or "0")
    return 0


def _num(token: str) -> int:
    value = parse_number(token)
    if value is None or not float(value).is_integer():
        raise UserError(f"看不懂时间里的“{token}”。", f"Cannot read {token!r} as a time.")
    return int(value)


def _by_part(hour: int, part: str | None, said: str) -> int:
    """A 12-hour reading made 24-hour by the part of the day; 24-hour hours pass through."""
    if part is None or hour > 12:
        if part in (MORNING, NIGHT) and 12 < hour < 24:
            raise UserError(f"“{said}”前后矛盾:上午/凌晨没有 {hour} 点。",
                            f"{said!r} contradicts itself: the morning has no hour {hour}.")
        return hour
    if part == NIGHT:
        return 0 if hour == 12 else hour
    if part == MORNING:
        return hour
    if part == NOON:
        return hour + 12 if hour <= 3 else hour  # "中午1点" = 13:00
    if part == AFTERNOON:
        return hour if hour == 12 else hour + 12
    if hour == 12:  # EVENING: "晚上12点" is midnight
        return 0
    return hour if hour <= 4 else hour + 12  # "晚上1点" is after midnight, "晚上8点" 20:00


def _by_ampm(hour: int, pm: bool, said: str) -> int:
    if not 1 <= hour <= 12:
        raise UserError(f"“{said}”不是有效时间:am/pm 之前的小时应在 1–12。",
                        f"{said!r} is not a time: the hour before am/pm is 1–12.")
    return (hour % 12) + (12 if pm else 0)


def _make(hour: int, minute: int, said: str) -> time:
    if hour == 24 and minute == 0:
        return time(0, 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise UserError(f"“{said}”不是有效时间(小时 0–23,分钟 0–59)。",
                        f"{said!r} is not a valid time (hours 0–23, minutes 0–59).")
    return time(hour, minute)
