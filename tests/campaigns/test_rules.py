"""The sending rules: quiet hours (overnight and same-day), caps, reachability, settings."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from pydantic import ValidationError

from copilot.campaigns.rules import (
    Received,
    in_quiet_hours,
    month_cap,
    next_send_time,
    over_cap,
    unreachable,
)
from copilot.config import CampaignRules, get_settings

RULES = CampaignRules()


@pytest.mark.parametrize(("at", "quiet", "sends"), [
    (datetime(2026, 11, 25, 8, 59), True, datetime(2026, 11, 25, 9, 0)),
    (datetime(2026, 11, 25, 9, 0), False, datetime(2026, 11, 25, 9, 0)),
    (datetime(2026, 11, 25, 20, 59), False, datetime(2026, 11, 25, 20, 59)),
    (datetime(2026, 11, 25, 21, 0), True, datetime(2026, 11, 26, 9, 0)),
    (datetime(2026, 12, 31, 23, 30), True, datetime(2027, 1, 1, 9, 0)),
])
def test_overnight_quiet_hours(at: datetime, quiet: bool, sends: datetime) -> None:
    assert in_quiet_hours(at, RULES) is quiet
    assert next_send_time(at, RULES) == sends


def test_a_same_day_window_and_none_at_all() -> None:
    lunch = CampaignRules(quiet_start=time(12, 0), quiet_end=time(13, 30))
    assert in_quiet_hours(datetime(2026, 11, 25, 12, 10), lunch)
    assert next_send_time(datetime(2026, 11, 25, 12, 10), lunch) == datetime(2026, 11, 25, 13, 30)
    assert not in_quiet_hours(datetime(2026, 11, 25, 13, 30), lunch)
    never = CampaignRules(quiet_start=time(0, 0), quiet_end=time(0, 0))
    assert not in_quiet_hours(datetime(2026, 11, 25, 3, 0), never)


def test_wecom_allows_as_many_mass_messages_a_month_as_it_has_days() -> None:
    assert [month_cap(date(2026, m, 1)) for m in (2, 4, 12)] == [28, 30, 31]
    assert month_cap(date(2028, 2, 1)) == 29
    feb = datetime(2026, 2, 10, 10)
    assert over_cap(Received(this_month=27), "wecom_customer", feb, RULES) is None
    assert "每月最多 28 条" in over_cap(Received(this_month=28), "wecom_customer", feb, RULES)
    assert over_cap(Received(this_month=28), "sms", feb, RULES) is None  # WeCom's rule only


def test_configured_daily_and_weekly_caps() -> None:
    rules = CampaignRules(daily_cap=1, weekly_cap=7)
    at = datetime(2026, 11, 25, 10)
    assert over_cap(Received(), "sms", at, rules) is None
    assert "每天最多 1 条" in over_cap(Received(today=1, this_week=1), "sms", at, rules)
    assert "每周最多 7 条" in over_cap(Received(this_week=7), "sms", at, rules)


def test_who_can_be_reached() -> None:
    assert unreachable(True, True, "sms") == "已退订营销消息"
    assert unreachable(False, False, "wecom_customer") == "还没加企业微信"
    assert unreachable(False, False, "sms") is None
    assert unreachable(False, True, "wecom_customer") is None


def test_rules_come_from_the_environment_and_bad_ones_are_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPILOT_CAMPAIGN_QUIET_START", "22:00")
    monkeypatch.setenv("COPILOT_CAMPAIGN_DAILY_CAP", "1")
    monkeypatch.setenv("COPILOT_CAMPAIGN_SEND_RATE", '{"sms": 50}')
    cfg = get_settings().campaign
    assert cfg.quiet_start == time(22, 0) and cfg.daily_cap == 1 and cfg.send_rate == {"sms": 50}
    monkeypatch.setenv("COPILOT_CAMPAIGN_SEND_RATE", '{"sms": 0}')
    with pytest.raises(ValidationError):
        get_settings()


def test_unreachable_needs_what_the_channel_sends_to() -> None:
    assert unreachable(False, True, "wecom_customer", has_wecom_id=False) == (
        "没有企业微信外部联系人 ID")
    assert unreachable(False, True, "sms", has_phone=False) == "没有手机号"
    assert unreachable(False, False, "sms", has_wecom_id=False) is None  # SMS needs neither
    assert unreachable(True, True, "sms", has_phone=False) == "已退订营销消息"  # first reason
