"""The sending rules, as plain functions: quiet hours, frequency caps, who can be reached.

The preview applies them when a campaign is scheduled and the dispatcher again when it
sends, so a member who opted out or reached a cap in between is still skipped. Each rule
that keeps a member out says why, in Chinese, for the preview's counts.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from copilot.config import CampaignRules

WECOM_CHANNELS = ("wecom_customer", "wecom_group")


def in_quiet_hours(at: datetime, rules: CampaignRules) -> bool:
    start, end, now = rules.quiet_start, rules.quiet_end, at.time()
    if start == end:
        return False
    if start > end:  # overnight, e.g. 21:00–09:00
        return now >= start or now < end
    return start <= now < end


def next_send_time(at: datetime, rules: CampaignRules) -> datetime:
    """`at`, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(at, rules):
        return at
    end = datetime.combine(at.date(), rules.quiet_end)
    return end if end > at else end + timedelta(days=1)


def month_cap(day: date) -> int:
    """WeCom: a customer receives at most as many mass messages a month as it has days."""
    return calendar.monthrange(day.year, day.month)[1]


@dataclass(frozen=True)
class Received:
    """Messages of one channel a member has already been sent."""

    today: int = 0
    this_week: int = 0  # Monday to Sunday
    this_month: int = 0


def over_cap(received: Received, channel: str, at: datetime, rules: CampaignRules
             ) -> str | None:
    """Why one more message would break a cap, or None."""
    if rules.daily_cap is not None and received.today >= rules.daily_cap:
        return f"今天已收到 {received.today} 条(每天最多 {rules.daily_cap} 条)"
    if rules.weekly_cap is not None and received.this_week >= rules.weekly_cap:
        return f"本周已收到 {received.this_week} 条(每周最多 {rules.weekly_cap} 条)"
    if channel in WECOM_CHANNELS and received.this_month >= month_cap(at.date()):
        return (f"本月已收到 {received.this_month} 条群发"
                f"(企业微信每月最多 {month_cap(at.date())} 条)")
    return None


def unreachable(opt_out: bool, wecom_added: bool, channel: str, *, has_phone: bool = True,
                has_wecom_id: bool = True) -> str | None:
    """Why a member cannot be sent to on `channel` at all, or None."""
    if opt_out:
        return "已退订营销消息"
    if channel == "wecom_customer" and not wecom_added:
        return "还没加企业微信"
    if channel == "wecom_customer" and not has_wecom_id:
        return "没有企业微信外部联系人 ID"
    if channel == "sms" and not has_phone:
        return "没有手机号"
    return None
