"""When a campaign goes out: "周六上午10点", "12月5日", "2026-12-05 10:00", "现在".

A day without a time goes out at 10:00, inside every store's sending window. A time in
the past is an error, not a send that fires at once; a time inside the quiet hours is
moved to their end, and the preview says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from copilot.campaigns.rules import in_quiet_hours, next_send_time
from copilot.config import CampaignRules
from copilot.errors import UserError
from copilot.lang.clock import parse_time_of_day
from tools.drafts.when import parse_event_date

DEFAULT_TIME = time(10, 0)
_NOW = re.compile(r"^(?:现在|立即|立刻|马上|尽快|now|asap)(?:发|发送|就发)?$", re.IGNORECASE)
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}))?$")


@dataclass(frozen=True)
class SendTime:
    at: datetime
    asked: datetime  # before moving out of the quiet hours

    @property
    def moved(self) -> bool:
        return self.at != self.asked


def parse_send_time(phrase: str | None, now: datetime, rules: CampaignRules) -> SendTime:
    asked = _read(phrase.strip() if phrase else "", now)
    if asked < now.replace(second=0, microsecond=0):
        raise UserError(f"发送时间 {asked:%Y-%m-%d %H:%M} 已经过去了(现在是 {now:%Y-%m-%d %H:%M}),"
                        "请换一个以后的时间。",
                        f"The send time {asked:%Y-%m-%d %H:%M} is in the past.")
    at = next_send_time(asked, rules) if in_quiet_hours(asked, rules) else asked
    return SendTime(at=at, asked=asked)


def _read(phrase: str, now: datetime) -> datetime:
    if not phrase or _NOW.match(phrase):
        return now.replace(second=0, microsecond=0)
    if m := _ISO.match(phrase):
        try:
            day = datetime.fromisoformat(m.group(1))
            clock = time.fromisoformat(m.group(2).zfill(5)) if m.group(2) else DEFAULT_TIME
        except ValueError:
            raise _unclear(phrase) from None
        return datetime.combine(day.date(), clock)
    try:
        event = parse_event_date(phrase, now.date())
    except UserError as exc:
        if "已经过去" in exc.zh:  # the drafting wording speaks of a post's event date
            raise UserError(f"发送时间“{phrase}”已经过去了(今天是 {now:%Y-%m-%d}),"
                            "请换一个以后的时间。", exc.en) from None
        raise
    if event.start != event.end:
        raise UserError(f"发送时间要是一个时刻,“{phrase}”是一段时间。例如:周六上午10点。",
                        f"A send time is one moment; {phrase!r} is a range.")
    clock = parse_time_of_day(event.time) if event.time else None
    return datetime.combine(event.start, clock or DEFAULT_TIME)


def _unclear(phrase: str) -> UserError:
    return UserError(f"看不懂发送时间“{phrase}”。可以写:周六上午10点、12月5日、"
                     "2026-12-05 10:00、现在。",
                     f"Cannot read the send time {phrase!r}; try 2026-12-05 10:00.")
