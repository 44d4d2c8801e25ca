"""Times of day with a part of the day (12-hour) or without one (24-hour)."""

from __future__ import annotations

from datetime import time

import pytest

from copilot.errors import UserError
from copilot.lang.clock import parse_time_of_day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上午10点", time(10)), ("晚上8点半", time(20, 30)), ("10:30", time(10, 30)),
        ("下午三点", time(15)), ("10am", time(10)), ("8:30pm", time(20, 30)),
        ("8:30 P.M.", time(20, 30)), ("下午3:30", time(15, 30)), ("十点一刻", time(10, 15)),
        ("九点三刻", time(9, 45)), ("8点05", time(8, 5)), ("八点零五分", time(8, 5)),
        ("10点15分", time(10, 15)), ("10点整", time(10)), ("晚上十一点", time(23)),
        ("中午12点", time(12)), ("中午1点", time(13)), ("凌晨2点", time(2)),
        ("晚上12点", time(0)), ("12am", time(0)), ("12pm", time(12)), ("noon", time(12)),
        ("midnight", time(0)), ("晚8点", time(20)), ("下午15点", time(15)),
        ("三点", time(3)), ("下周一上午10点开会", time(10)), ("早上7点", time(7)),
        ("24:00", time(0)),
    ],
)
def test_times(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["快一点", "好一点", "2026-12-01", "没有时间", "", "S10am"])
def test_no_time(text: str) -> None:
    assert parse_time_of_day(text) is None


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("25点", "“25点”不是有效时间(小时 0–23,分钟 0–59)。"),
        ("10:75", "“10:75”不是有效时间(小时 0–23,分钟 0–59)。"),
        ("上午15点", "“上午15点”前后矛盾:上午/凌晨没有 15 点。"),
        ("13pm", "“13pm”不是有效时间:am/pm 之前的小时应在 1–12。"),
    ],
)
def test_impossible_times(text: str, zh: str) -> None:
    with pytest.raises(UserError) as err:
        parse_time_of_day(text)
    assert err.value.zh == zh
    assert err.value.en
