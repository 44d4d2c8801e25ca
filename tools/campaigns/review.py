"""`campaign_review`: did the campaign make members buy, compared with those held out?

The holdout (members chosen at random at the preview and not sent to) is what makes the
effect measurable: both groups live through the same season and the same other promotions,
so the difference between them is the campaign's. The seeds' 自然转化率 (the same members
in an equal window before the campaign) is shown beside it, but on its own it cannot tell
the campaign from the calendar, so without a large enough holdout the review says so and
claims no lift, incremental sales or ROI.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import pandas as pd
from pydantic import Field

from copilot.campaigns import store
from copilot.campaigns.lifecycle import BEFORE_SENDING, STATE_ZH, Campaign, visible
from copilot.data.access import ROLE_ZH
from copilot.errors import UserError
from tools.base import Tool, ToolArgs, ToolContext
from tools.campaigns.review_result import Cost, GroupFigures, ReviewResult, Verdict
from tools.campaigns.review_sql import HOLDOUT, SENT, Figures, group_figures, read_recipients
from tools.drafts.checks import measure

MIN_HOLDOUT = 30  # below this a difference in conversion is mostly noise


class ReviewArgs(ToolArgs):
    campaign: str = Field(..., min_length=1, max_length=100, description="活动编号或名称")
    window_days: int = Field(14, ge=1, le=90,
                             description="观察窗口天数,从开始发送算起,默认 14 天")
    cost: float | None = Field(None, ge=0, le=1e9,
                               description="短信费以外的成本(元),如优惠券让利、赠品,用于算 ROI")


def campaign_review(ctx: ToolContext, args: ReviewArgs) -> ReviewResult:
    """活动复盘/活动效果:已发送活动在观察窗口(默认发送后 14 天)内,发送组与对照组(留出未发送)
    的购买转化率、提升(百分点和相对)、增量销售、成本和 ROI,以及同一批会员活动前的自然转化率。
    没有对照组或对照组太小时只对比活动转化率与自然转化率;窗口没结束时给出阶段数据。
    例:“复盘一下‘双11金卡召回’活动” → campaign="双11金卡召回";“3f9a0c12de 发了 7 天效果怎样,
    券成本 2000 元” → campaign="3f9a0c12de", window_days=7, cost=2000。"""
    with ctx.read() as (conn, _access):
        campaign = _find(ctx, args.campaign)
        _check_sent(campaign)
        recipients = read_recipients(ctx.state, campaign.campaign_id, campaign.send_at)
        sent_times = recipients.sent_times()
        if sent_times.empty:
            raise UserError(f"活动“{campaign.name}”还没有会员收到消息,发送后才能复盘。",
                            f"No member has been sent campaign {campaign.name!r} yet.")
        plan = _Plan.make(recipients.frame, sent_times, args.window_days, ctx.today)
        figures = group_figures(conn, plan.windows, plan.base_start, plan.start)
    return _result(ctx, args, campaign, recipients.states, recipients.sms_sent, plan, figures)


def _find(ctx: ToolContext, key: str) -> Campaign:
    """By id (refused in words when the caller may not see it, without its name), else by
    name among the campaigns the caller may see."""
    user = ctx.caller.user
    for candidate in dict.fromkeys((key.strip(), key.strip().lower())):
        try:
            campaign = store.get(ctx.state, candidate)
        except UserError:
            continue
        if not visible(user, campaign):
            raise UserError(
                f"你({ROLE_ZH[user.role]})不能查看活动 {campaign.campaign_id} 的复盘:只有发起人、"
                "活动所在区域的督导、活动门店的店长和管理员可以查看。",
                f"As {user.role} you cannot see the review of campaign {campaign.campaign_id}: "
                "only its requester, its region's supervisors, its stores' managers and "
                "admins can.")
        return campaign
    return store.find(ctx.state, key, user)


def _check_sent(campaign: Campaign) -> None:
    if campaign.state in BEFORE_SENDING or campaign.state == "cancelled":
        raise UserError(
            f"活动“{campaign.name}”还没有发送(现在是"
            f"{STATE_ZH.get(campaign.state, campaign.state)}),"
            "发送后才能复盘。",
            f"Campaign {campaign.name!r} has not been sent ({campaign.state}); "
            "it can be reviewed after sending.")


class _Plan:
    """The windows: each sent member from their own send, the holdout from the first send,
    all cut at the start of today (today's sales are not complete yet); the baseline is
    the same length right before the first send."""

    def __init__(self, windows: pd.DataFrame, start: datetime, end: datetime,
                 cutoff: datetime, base_start: datetime) -> None:
        self.windows, self.start, self.end = windows, start, end
        self.cutoff, self.base_start = cutoff, base_start

    @classmethod
    def make(cls, frame: pd.DataFrame, sent_times: pd.Series, days: int, today: date
             ) -> _Plan:
        span = timedelta(days=days)
        start = sent_times.min().to_pydatetime()
        end = sent_times.max().to_pydatetime() + span
        cutoff = datetime.combine(today, time.min)
        starts = frame["sent_at"].where(frame["grp"] == SENT, pd.Timestamp(start))
        ends = (starts + span).clip(upper=pd.Timestamp(cutoff))
        windows = pd.DataFrame({"member_id": frame["member_id"], "grp": frame["grp"],
                                "start_ts": starts, "end_ts": ends.where(ends > starts, starts)})
        elapsed = max(min(start + span, cutoff) - start, timedelta(0))
        return cls(windows, start, end, cutoff, start - elapsed)

    @property
    def complete(self) -> bool:
        return self.end <= self.cutoff


def _group(f: Figures | None) -> GroupFigures:
    f = f or Figures()
    revenue = float(round(f.revenue, 2))
    n = f.members
    return GroupFigures(members=n, buyers=f.buyers, orders=f.orders,
                        conversion=f.buyers / n if n else None, revenue=revenue,
                        revenue_per_member=revenue / n if n else None,
                        natural_buyers=f.base_buyers,
                        natural_conversion=f.base_buyers / n if n else None)


def _result(ctx: ToolContext, args: ReviewArgs, campaign: Campaign, states: dict[str, int],
            sms_sent: int, plan: _Plan, figures: dict[str, Figures]) -> ReviewResult:
    sent, held = _group(figures.get(SENT)), _group(figures.get(HOLDOUT))
    verdict: Verdict = ("no_holdout" if not held.members else
                        "small_holdout" if held.members < MIN_HOLDOUT else "measured")
    both = sent.members + held.members
    natural = (sent.natural_buyers + held.natural_buyers) / both if both else None
    started = plan.base_start < plan.start  # some of the window has passed
    if not started:
        natural = sent.natural_conversion = held.natural_conversion = None
    lift_pp = lift_rel = p_value = incremental = roi = None
    cost = _cost(ctx, campaign, sms_sent, args.cost or 0.0)
    if (started and verdict == "measured" and sent.conversion is not None
            and held.conversion is not None):
        lift_pp = round((sent.conversion - held.conversion) * 100, 2)
        if held.conversion:
            lift_rel = round(sent.conversion / held.conversion - 1, 4)
        p_value = _p_value(sent.buyers, sent.members, held.buyers, held.members)
        assert sent.revenue_per_member is not None and held.revenue_per_member is not None
        incremental = round((sent.revenue_per_member - held.revenue_per_member)
                            * sent.members, 2)
        roi = round(incremental / cost.total, 2) if cost.total > 0 else None
    notes = []
    if campaign.state == "sending":
        notes.append("注意:活动还在发送中,名单里还有没发出的会员,数字会随发送继续变化。")
    through = min(plan.cutoff - timedelta(days=1), plan.end)
    return ReviewResult(
        campaign_id=campaign.campaign_id, name=campaign.name, state=campaign.state,
        channels=campaign.channels, stores=campaign.stores,
        send_start=f"{plan.start:%Y-%m-%d %H:%M}", window_days=args.window_days,
        window_end=f"{plan.end:%Y-%m-%d %H:%M}", complete=plan.complete,
        elapsed_days=math.ceil((plan.start - plan.base_start).total_seconds() / 864) / 100,
        data_through=f"{through:%Y-%m-%d}", baseline_start=f"{plan.base_start:%Y-%m-%d %H:%M}",
        baseline_end=f"{plan.start:%Y-%m-%d %H:%M}", recipient_states=states, sent=sent,
        holdout=held if held.members else None, natural_conversion=natural, verdict=verdict,
        min_holdout=MIN_HOLDOUT, lift_pp=lift_pp, lift_relative=lift_rel, p_value=p_value,
        incremental_sales=incremental, cost=cost, roi=roi, notes=notes)


def _cost(ctx: ToolContext, campaign: Campaign, sms_sent: int, other: float) -> Cost:
    """SMS are billed per part of the campaign's text; WeCom and Slack messages cost nothing
    per message. `other` is what the user says the offer itself cost."""
    segments = measure(campaign.content, "sms").segments if sms_sent else None
    price = ctx.settings.campaign.sms_price
    sms_cost = round(sms_sent * (segments or 0) * price, 2)
    return Cost(sms_messages=sms_sent, sms_segments=segments, sms_price=price,
                sms_cost=sms_cost, other_cost=round(other, 2),
                total=round(sms_cost + other, 2))


def _p_value(b1: int, n1: int, b2: int, n2: int) -> float | None:
    """Two-sided p-value of the difference of two shares (pooled two-proportion z-test)."""
    pooled = (b1 + b2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return None
    z = (b1 / n1 - b2 / n2) / se
    return round(math.erfc(abs(z) / math.sqrt(2)), 4)


TOOL = Tool("campaign_review", ReviewArgs, campaign_review)
