"""Periods in Chinese and English sentences, on fixed days around year ends and holidays.

WED = 2026-11-25 (a Wednesday), SAT = 2026-01-03 (three days into a year, inside 元旦),
SUN = 2026-10-04 (inside the National Day week).
"""

from __future__ import annotations

from datetime import date

import pytest

from copilot.analytics.period import Period
from copilot.errors import UserError
from copilot.lang.dates import find_periods, resolve_period

WED = date(2026, 11, 25)
SAT = date(2026, 1, 3)
SUN = date(2026, 10, 4)


def _days(text: str, today: date) -> tuple[str, str]:
    found = resolve_period(text, today)
    assert found is not None, text
    return found.period.start.isoformat(), found.period.end.isoformat()


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("今天", "2026-11-25", "2026-11-25"), ("today", "2026-11-25", "2026-11-25"),
        ("昨天", "2026-11-24", "2026-11-24"), ("yesterday", "2026-11-24", "2026-11-24"),
        ("前天", "2026-11-23", "2026-11-23"),
        ("本周", "2026-11-23", "2026-11-24"), ("这周", "2026-11-23", "2026-11-24"),
        ("this week", "2026-11-23", "2026-11-24"),
        ("上周", "2026-11-16", "2026-11-22"), ("上星期", "2026-11-16", "2026-11-22"),
        ("last week", "2026-11-16", "2026-11-22"), ("上上周", "2026-11-09", "2026-11-15"),
        ("本月", "2026-11-01", "2026-11-24"), ("这个月", "2026-11-01", "2026-11-24"),
        ("this month", "2026-11-01", "2026-11-24"), ("MTD", "2026-11-01", "2026-11-24"),
        ("上个月", "2026-10-01", "2026-10-31"), ("上月", "2026-10-01", "2026-10-31"),
        ("last month", "2026-10-01", "2026-10-31"), ("上上个月", "2026-09-01", "2026-09-30"),
        ("本季度", "2026-10-01", "2026-11-24"), ("这季度", "2026-10-01", "2026-11-24"),
        ("this quarter", "2026-10-01", "2026-11-24"),
        ("上季度", "2026-07-01", "2026-09-30"), ("上个季度", "2026-07-01", "2026-09-30"),
        ("last quarter", "2026-07-01", "2026-09-30"),
        ("今年", "2026-01-01", "2026-11-24"), ("year to date", "2026-01-01", "2026-11-24"),
        ("去年", "2025-01-01", "2025-12-31"), ("last year", "2025-01-01", "2025-12-31"),
        ("前年", "2024-01-01", "2024-12-31"),
        ("2025年", "2025-01-01", "2025-12-31"), ("2025年全年", "2025-01-01", "2025-12-31"),
    ],
)
def test_calendar_units(text: str, start: str, end: str) -> None:
    assert _days(text, WED) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("最近90天消费过两次以上", "2026-08-27", "2026-11-24"),
        ("最近九十天", "2026-08-27", "2026-11-24"), ("近三十天", "2026-10-26", "2026-11-24"),
        ("过去两周", "2026-11-11", "2026-11-24"), ("最近一周", "2026-11-18", "2026-11-24"),
        ("近3个月", "2026-08-25", "2026-11-24"), ("近半年", "2026-05-25", "2026-11-24"),
        ("最近一年", "2025-11-25", "2026-11-24"), ("近两个季度", "2026-05-25", "2026-11-24"),
        ("last 90 days", "2026-08-27", "2026-11-24"), ("past 2 weeks", "2026-11-11", "2026-11-24"),
        ("past 3 months", "2026-08-25", "2026-11-24"),
        ("in the last three months", "2026-08-25", "2026-11-24"),
        ("the past week", "2026-11-18", "2026-11-24"),
    ],
)
def test_rolling_windows_end_yesterday(text: str, start: str, end: str) -> None:
    assert _days(text, WED) == (start, end)


def test_last_90_days_is_90_whole_days_without_today() -> None:
    found = resolve_period("最近90天", WED)
    assert found is not None
    assert found.period.days == 90 and found.period.end == date(2026, 11, 24)
    assert found.label_zh == "最近90天(2026-08-27 ~ 2026-11-24,不含今天)"
    assert found.label_en == "the last 90 days (2026-08-27 ~ 2026-11-24, excluding today)"
    assert isinstance(found.period, Period)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("3月", "2026-03-01", "2026-03-31"), ("三月份", "2026-03-01", "2026-03-31"),
        ("12月", "2025-12-01", "2025-12-31"), ("十二月", "2025-12-01", "2025-12-31"),
        ("2025年3月", "2025-03-01", "2025-03-31"), ("二〇二五年三月", "2025-03-01", "2025-03-31"),
        ("去年3月", "2025-03-01", "2025-03-31"),
        ("2025-03", "2025-03-01", "2025-03-31"), ("2025/3", "2025-03-01", "2025-03-31"),
        ("March", "2026-03-01", "2026-03-31"), ("Mar 2025", "2025-03-01", "2025-03-31"),
        ("December", "2025-12-01", "2025-12-31"),
        ("Q1", "2026-01-01", "2026-03-31"), ("Q4", "2026-10-01", "2026-11-24"),
        ("2025Q3", "2025-07-01", "2025-09-30"), ("Q3 2025", "2025-07-01", "2025-09-30"),
        ("第三季度", "2026-07-01", "2026-09-30"), ("一季度", "2026-01-01", "2026-03-31"),
        ("去年第四季度", "2025-10-01", "2025-12-31"),
    ],
)
def test_months_and_quarters(text: str, start: str, end: str) -> None:
    assert _days(text, WED) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("12月", "2025-12-01", "2025-12-31"),  # the latest December that has started
        ("1月", "2026-01-01", "2026-01-02"), ("3月", "2025-03-01", "2025-03-31"),
        ("Q4", "2025-10-01", "2025-12-31"), ("第一季度", "2026-01-01", "2026-01-02"),
        ("本周", "2025-12-29", "2026-01-02"), ("上周", "2025-12-22", "2025-12-28"),
        ("上个月", "2025-12-01", "2025-12-31"), ("上季度", "2025-10-01", "2025-12-31"),
        ("今年", "2026-01-01", "2026-01-02"), ("去年", "2025-01-01", "2025-12-31"),
        ("12月20日到1月5日", "2025-12-20", "2026-01-02"),
        ("近一个月", "2025-12-03", "2026-01-02"),
    ],
)
def test_across_the_year_boundary(text: str, start: str, end: str) -> None:
    assert _days(text, SAT) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025-03-01 到 2025-03-31", "2025-03-01", "2025-03-31"),
        ("2025/3/1-2025/3/31", "2025-03-01", "2025-03-31"),
        ("2025年3月1日至2025年3月31日", "2025-03-01", "2025-03-31"),
        ("3月1日到3月15日", "2026-03-01", "2026-03-15"),
        ("3月1日-15日", "2026-03-01", "2026-03-15"),
        ("from 2025-03-01 to 2025-03-31", "2025-03-01", "2025-03-31"),
        ("between March 1 and March 15", "2026-03-01", "2026-03-15"),
        ("2025-03-08", "2025-03-08", "2025-03-08"), ("3月8日", "2026-03-08", "2026-03-08"),
        ("2025年3月8号", "2025-03-08", "2025-03-08"), ("Mar 8, 2025", "2025-03-08", "2025-03-08"),
        ("11月1日到11月30日", "2026-11-01", "2026-11-24"),  # cut at yesterday
        ("2月29日", "2024-02-29", "2024-02-29"),  # the latest Feb 29 there was
    ],
)
def test_explicit_dates_and_ranges(text: str, start: str, end: str) -> None:
    assert _days(text, WED) == (start, end)


@pytest.mark.parametrize(
    ("text", "today", "start", "end"),
    [
        ("国庆", WED, "2026-10-01", "2026-10-07"), ("国庆期间", WED, "2026-10-01", "2026-10-07"),
        ("十一黄金周", WED, "2026-10-01", "2026-10-07"), ("国庆", SAT, "2025-10-01", "2025-10-07"),
        ("国庆期间", SUN, "2026-10-01", "2026-10-03"),  # inside it: up to yesterday
        ("元旦", SAT, "2026-01-01", "2026-01-02"), ("元旦", WED, "2026-01-01", "2026-01-03"),
        ("五一", WED, "2026-05-01", "2026-05-05"), ("劳动节", WED, "2026-05-01", "2026-05-05"),
        ("双十一", WED, "2026-11-01", "2026-11-11"), ("双11", SAT, "2025-11-01", "2025-11-11"),
        ("618大促", WED, "2026-06-01", "2026-06-18"),
        ("春节", WED, "2026-02-16", "2026-02-22"), ("春节", SAT, "2025-01-28", "2025-02-03"),
        ("中秋", WED, "2026-09-24", "2026-09-26"), ("中秋节", SUN, "2026-09-24", "2026-09-26"),
        ("圣诞", WED, "2025-12-24", "2025-12-26"), ("Christmas", SAT, "2025-12-24", "2025-12-26"),
        ("情人节", WED, "2026-02-14", "2026-02-14"), ("七夕", WED, "2026-08-19", "2026-08-19"),
        ("妇女节", WED, "2026-03-08", "2026-03-08"), ("女神节", WED, "2026-03-08", "2026-03-08"),
        ("三八节", WED, "2026-03-08", "2026-03-08"), ("母亲节", WED, "2026-05-10", "2026-05-10"),
        ("双十二", WED, "2025-12-12", "2025-12-12"), ("双十二", SAT, "2025-12-12", "2025-12-12"),
        ("去年国庆", WED, "2025-10-01", "2025-10-07"),
        ("2025年国庆", WED, "2025-10-01", "2025-10-07"),
        ("前年春节", WED, "2024-02-09", "2024-02-15"),
        ("last year's Christmas", WED, "2025-12-24", "2025-12-26"),
    ],
)
def test_holidays(text: str, today: date, start: str, end: str) -> None:
    assert _days(text, today) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("周五", "2026-11-20", "2026-11-20"), ("上周五", "2026-11-20", "2026-11-20"),
        ("这周一", "2026-11-23", "2026-11-23"), ("上周末", "2026-11-21", "2026-11-22"),
        ("last Friday", "2026-11-20", "2026-11-20"), ("周三", "2026-11-25", "2026-11-25"),
    ],
)
def test_weekdays_look_back(text: str, start: str, end: str) -> None:
    assert _days(text, WED) == (start, end)


def test_running_period_is_cut_at_yesterday_and_says_so() -> None:
    found = resolve_period("本月的复购率", WED)
    assert found is not None
    assert found.matched == "本月" and found.span == (0, 2)
    assert found.label_zh == "本月(2026-11-01 ~ 2026-11-24,截至昨天)"
    assert found.label_en == "this month (2026-11-01 ~ 2026-11-24, through yesterday)"


def test_period_starting_today_is_just_today() -> None:
    first = date(2026, 11, 1)
    found = resolve_period("本月", first)
    assert found is not None
    assert (found.period.start, found.period.end) == (first, first)
    assert "今天的数据还不完整" in found.label_zh
    monday = resolve_period("本周", date(2026, 11, 23))
    assert monday is not None and monday.period.days == 1


def test_holiday_label_says_how_its_days_were_chosen() -> None:
    found = resolve_period("双11期间", WED)
    assert found is not None
    assert found.matched == "双11期间"
    assert found.label_zh == "2026年双十一(11月1日至11日大促期,2026-11-01 ~ 2026-11-11)"
    inside = resolve_period("国庆", SUN)
    assert inside is not None and inside.label_zh.endswith(",截至昨天)")


def test_matched_and_span_refer_to_the_original_text() -> None:
    text = "看一下最近９０天的数据"
    found = resolve_period(text, WED)
    assert found is not None
    assert found.matched == "最近９０天"
    assert text[found.span[0]:found.span[1]] == found.matched


@pytest.mark.parametrize(
    "text",
    ["天河店怎么样", "复购率是多少", "去年同期", "和去年同期比", "3.8", "最近", "S003", "3号店",
     "五一广场IFS店", "给我三点建议", "本周期内", "这个季节推什么", ""],
)
def test_nothing_date_like(text: str) -> None:
    assert resolve_period(text, WED) is None


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("下个月", "这个时间还没到:下个月(2026-12-01 ~ 2026-12-31)还没开始,今天是 2026-11-25。"),
        ("明天", "这个时间还没到:明天(2026-11-26)还没开始"),
        ("下周", "这个时间还没到:下周"), ("明年", "这个时间还没到:明年"),
        ("next month", "这个时间还没到"),
        ("未来7天", "这个时间还没到:未来7天(2026-11-26 ~ 2026-12-02)"),
        ("下周一", "这个时间还没到:下周一(2026-11-30)"),
        ("今年圣诞", "这个时间还没到:2026年圣诞"), ("2027年3月", "这个时间还没到:2027年3月"),
    ],
)
def test_future_periods_are_refused(text: str, zh: str) -> None:
    with pytest.raises(UserError) as err:
        resolve_period(text, WED)
    assert err.value.zh.startswith(zh)
    assert "has not come yet" in err.value.en


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("2月30日", "“2月30日”这一天不存在:2 月没有 30 日。"),
        ("4月31日的销售", "“4月31日”这一天不存在:4 月没有 31 日。"),
        ("2025-13-01", "“2025-13-01”不是有效日期:没有 13 月。"),
        ("2025-02-29", "“2025-02-29”这一天不存在:2025 年 2 月没有 29 日。"),
        ("2025年13月", "“2025年13月”不是有效月份:没有 13 月。"),
        ("13月", "“13月”不是有效月份:没有 13 月。"),
        ("3月1日到3月32日", "“3月32日”这一天不存在:3 月没有 32 日。"),
    ],
)
def test_impossible_dates(text: str, zh: str) -> None:
    with pytest.raises(UserError) as err:
        resolve_period(text, WED)
    assert err.value.zh == zh
    assert err.value.en  # every message has its English twin


def test_reversed_range_and_too_long_period_use_period_checks() -> None:
    with pytest.raises(UserError, match="结束日期 2025-03-01 早于开始日期 2025-03-31"):
        resolve_period("2025-03-31 到 2025-03-01", WED)
    with pytest.raises(UserError, match="时间范围 1826 天太长"):
        resolve_period("最近5年", WED)


def test_lengths_must_be_positive_whole_days() -> None:
    with pytest.raises(UserError, match="时间长度要是正整数"):
        resolve_period("最近0天", WED)
    with pytest.raises(UserError, match="时间长度要是正整数"):
        resolve_period("最近1.5天", WED)


def test_lunar_holiday_outside_the_table() -> None:
    with pytest.raises(UserError, match="春节的日期表只覆盖 2020–2032 年"):
        resolve_period("2019年春节", WED)


def test_find_periods_for_comparisons() -> None:
    found = find_periods("上月和本月对比,再看看去年国庆", WED)
    assert [f.matched for f in found] == ["上月", "本月", "去年国庆"]
    assert found[0].period == Period(date(2026, 10, 1), date(2026, 10, 31))
    assert find_periods("没有日期", WED) == []
