"""Periods of whole days, both ends included, as half-open timestamp ranges for SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from copilot.errors import UserError

MAX_PERIOD_DAYS = 3 * 366  # longer windows are almost always a typo (2015 for 2025 …)


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def parse(cls, start: str | date, end: str | date) -> Period:
        period = cls(parse_day(start, "开始日期", "start date"),
                     parse_day(end, "结束日期", "end date"))
        period.validate()
        return period

    def validate(self) -> None:
        if self.end < self.start:
            raise UserError(
                f"结束日期 {self.end} 早于开始日期 {self.start}。",
                f"End date {self.end} is before start date {self.start}.",
            )
        if self.days > MAX_PERIOD_DAYS:
            raise UserError(
                f"时间范围 {self.days} 天太长(最多 {MAX_PERIOD_DAYS} 天),请缩短后再试。",
                f"A period of {self.days} days is too long (at most {MAX_PERIOD_DAYS}).",
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_ts(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def end_next(self) -> datetime:
        """First instant after the period: `ts < end_next` keeps all of the end day."""
        return datetime.combine(self.end + timedelta(days=1), time.min)

    def params(self) -> dict[str, object]:
        return {"start_ts": self.start_ts, "end_next": self.end_next, "end_day": self.end}

    def label(self) -> str:
        return f"{self.start.isoformat()} ~ {self.end.isoformat()}"


def parse_day(value: str | date, zh: str = "日期", en: str = "date") -> date:
    """One day from YYYY-MM-DD; says whether the format is wrong or the day does not exist."""
    if isinstance(value, date):
        return value
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise UserError(f"{zh} {text} 不存在(检查月份和日期)。",
                            f"The {en} {text} does not exist.") from None
        raise UserError(
            f"{zh}格式不对:{value!r},请用 YYYY-MM-DD,例如 2025-03-31。",
            f"Bad {en} {value!r}; use YYYY-MM-DD, e.g. 2025-03-31.",
        ) from None
