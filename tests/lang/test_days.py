"""Single days for scheduling: the next one on or after today unless a week says otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.errors import UserError
from copilot.lang.days import parse_day_phrase

WED = date(2026, 11, 25)  # a Wednesday
SUN = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("明天", "2026-11-26"), ("tomorrow", "2026-11-26"), ("后天", "2026-11-27"),
        ("大后天", "2026-11-28"), ("今天", "2026-11-25"), ("昨天", "2026-11-24"),
        ("下周一上午10点", "2026-11-30"), ("next Monday", "2026-11-30"),
        ("下星期三", "2026-12-02"), ("下下周二", "2026-12-08"),
        ("周六", "2026-11-28"), ("this Saturday", "2026-11-28"), ("星期三", "2026-11-25"),
        ("这周一", "2026-11-23"), ("上周五", "2026-11-20"), ("周末", "2026-11-28"),
        ("12月1日", "2026-12-01"), ("12月1号", "2026-12-01"), ("十二月一日", "2026-12-01"),
        ("2026-12-01", "2026-12-01"), ("2026年12月1日", "2026-12-01"),
        ("3月1日", "2027-03-01"),  # without a year: the next one
        ("Dec 1", "2026-12-01"), ("December 1st, 2027", "2027-12-01"), ("1 March", "2027-03-01"),
        ("15号", "2026-12-15"), ("25号", "2026-11-25"), ("31号", "2026-12-31"),
        ("2月29日", "2028-02-29"),
    ],
)
def test_day_phrases(text: str, day: str) -> None:
    assert parse_day_phrase(text, WED) == date.fromisoformat(day)


def test_next_week_is_the_calendar_week_even_on_sunday() -> None:
    assert parse_day_phrase("下周一", SUN) == date(2026, 11, 30)  # tomorrow
    assert parse_day_phrase("周日", SUN) == SUN  # the coming one includes today


@pytest.mark.parametrize("text", ["没有日期", "3号店", "S003", "上午10点", "", "3.8"])
def test_no_day(text: str) -> None:
    assert parse_day_phrase(text, WED) is None


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("2月30日", "“2月30日”这一天不存在:2 月没有 30 日。"),
        ("2026-02-29", "“2026-02-29”这一天不存在:2026 年 2 月没有 29 日。"),
        ("2026-13-01", "“2026-13-01”不是有效日期:没有 13 月。"),
        ("32号", "“32号”不是有效日期。"),
    ],
)
def test_impossible_days(text: str, zh: str) -> None:
    with pytest.raises(UserError) as err:
        parse_day_phrase(text, WED)
    assert err.value.zh == zh
