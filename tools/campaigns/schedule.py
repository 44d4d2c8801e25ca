"""`schedule_campaign`: a saved segment, a text, channels and a time → a campaign waiting
for its requester's confirmation, with the preview they confirm.

The campaign and its recipients are written here, so the preview is not an estimate of
what might go out later: it is the list the dispatcher will work through. Nothing is
sent until the requester confirms (and, above the approval size, a supervisor approves).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import text

from copilot.campaigns import store
from copilot.campaigns.store import NewCampaign
from copilot.errors import UserError
from tools.base import Tool, ToolArgs, ToolContext
from tools.campaigns import audience
from tools.campaigns.preview import CampaignPreview, Reach, SampleMember
from tools.campaigns.sendtime import parse_send_time
from tools.drafts import lookups
from tools.drafts.checks import check_draft, measure
from tools.segments import saved

CampaignChannel = Literal["wecom_customer", "wecom_group", "sms", "slack_dm"]
_CHANNEL_NAMES = {"企业微信": "wecom_customer", "企微": "wecom_customer",
                  "企业微信客户群发": "wecom_customer", "客户群发": "wecom_customer",
                  "企微私聊": "wecom_customer", "企业微信群": "wecom_group",
                  "企微群": "wecom_group",
                  "社群": "wecom_group", "客户群": "wecom_group", "群": "wecom_group",
                  "短信": "sms", "slack": "slack_dm"}
# The draft checks know these channels' limits; a Slack DM is an internal test message.
_CHECK_AS = {"wecom_customer": "wecom_group", "wecom_group": "wecom_group", "sms": "sms",
             "slack_dm": "wecom_group"}
MAX_TEXT = 2000
GROUP_NOTE = ("企业微信客户群:每位导购的消息发到他的全部客户群,群里不只是这个分组的会员,"
              "退订对群消息不生效;实际触达人数事先数不出来,所以要督导审批。")


class ScheduleArgs(ToolArgs):
    segment: str = Field(..., min_length=1, max_length=100,
                         description="已保存的会员分组名称或编号(先用 build_segment 圈人并保存)")
    text: str = Field(..., min_length=1, max_length=MAX_TEXT,
                      description="要发送的内容,原样发出;可以是 draft_group_post 写好的文案")
    channels: list[CampaignChannel] = Field(
        default_factory=lambda: ["wecom_customer"],
        description="渠道:wecom_customer 企业微信客户群发(默认)、wecom_group 企业微信客户群、"
                    "sms 短信、slack_dm Slack 私信(内部测试)")
    send_at: str | None = Field(
        None, max_length=40,
        description="发送时间:周六上午10点、12月5日、2026-12-05 10:00、现在;留空为现在。"
                    "免打扰时段内的时间会顺延")
    holdout_share: float = Field(
        0.0, ge=0, le=0.5, description="对照组比例 0~0.5,如 0.1 = 随机留 10% 不发,用于复盘效果")
    name: str | None = Field(None, max_length=100, description="活动名称;留空用分组名和日期")

    @field_validator("channels", mode="before")
    @classmethod
    def _channels(cls, v: Any) -> Any:
        items = [v] if isinstance(v, str) else v
        if isinstance(items, list):
            items = [_CHANNEL_NAMES.get(i.strip(), i.strip().lower()) if isinstance(i, str)
                     else i for i in items]
            if not items:
                raise ValueError("至少选一个渠道")
            return list(dict.fromkeys(items))
        return v


def schedule_campaign(ctx: ToolContext, args: ScheduleArgs) -> CampaignPreview:
    """把一段文案排期发给一个已保存的会员分组(第一步:生成预览,等发起人确认)。返回:实际
    触达人数(已去掉退订、没加企微、没有手机号、超过发送频次的会员)、对照组、脱敏样本、
    发送时间(免打扰时段 21:00–09:00 内自动顺延)、预计费用;超过审批人数的还要督导审批。
    生成预览后请调用 confirm_campaign 让发起人确认,确认前不会发送。
    例:“把这条发给‘金卡召回’分组,周六上午10点,留10%对照组” → segment="金卡召回",
    text=<文案>, send_at="周六上午10点", holdout_share=0.1。"""
    user = ctx.caller.user
    now = ctx.now()
    if "wecom_group" in args.channels and args.holdout_share:
        raise UserError("企业微信客户群的消息发到导购的整个群,没法把对照组的人留在外面:"
                        "请去掉对照组,或换成企业微信客户群发/短信。",
                        "A WeCom group message reaches whole groups; it cannot keep a "
                        "holdout out.")
    when = parse_send_time(args.send_at, now, ctx.settings.campaign)
    seg = lookups.segment(ctx, args.segment)  # trainees are refused here
    spec = saved.find(ctx.state, None, seg.segment_id).spec
    with ctx.read() as (conn, access):
        found = audience.members(conn, access, spec, ctx.settings.metrics, now)
        names = lookups.member_names(conn, access, [args.text])
        region = _region(conn, user.region, user.store_id)
    warnings = _checked(args, names)
    if found.empty:
        raise UserError(f"分组“{seg.name}”现在没有会员,无法排期。可以刷新或换一个分组。",
                        f"Segment {seg.name!r} has no members now.")
    campaign_id = store.new_id()
    plan = audience.plan(ctx.state, campaign_id, found, list(args.channels), when.at,
                         ctx.settings.campaign, args.holdout_share)
    if not plan.members_reached and plan.holdout:
        raise UserError(f"可触达的 {plan.holdout:,} 人都被随机分进了对照组,没有人会收到。"
                        "人数太少时请减小对照组比例,或换一个更大的分组。",
                        "Everyone reachable fell into the holdout; lower holdout_share.")
    if not plan.members_reached:
        why = "、".join(f"{r} {n:,}" for (_, r), n in plan.excluded.most_common(4))
        raise UserError(f"分组“{seg.name}”的 {len(found):,} 位会员这次都发不到({why}),"
                        "没有创建活动。", f"No member of {seg.name!r} can be reached.")
    rules = ctx.settings.campaign
    # A group message reaches everyone in the staff's customer groups, a number nobody
    # can count beforehand: it always goes to a supervisor.
    groups = "wecom_group" in args.channels
    needs_approval = groups or plan.members_reached > rules.approval_audience
    name = args.name or f"{seg.name} {when.at:%m-%d}"
    store.create(ctx.state, NewCampaign(
        name=name, created_by=user.staff_id, region=region, stores=plan.stores,
        segment={"id": seg.segment_id, "name": seg.name, "spec": spec.model_dump(mode="json")},
        content=args.text, channels=list(args.channels), send_at=when.at,
        holdout_share=args.holdout_share, audience=plan.members_reached,
        needs_approval=needs_approval), plan.rows, now=now, campaign_id=campaign_id,
        previewed=True)
    campaign = store.get(ctx.state, campaign_id)
    segments = measure(args.text, "sms").segments if "sms" in args.channels else None
    return CampaignPreview(
        campaign_id=campaign_id, name=name, state=campaign.state, segment=seg.name,
        segment_size=plan.segment_size, opted_out=plan.opted_out,
        members_reached=plan.members_reached,
        reach=[Reach(channel=ch, members=plan.reach[ch],
                     excluded={r: n for (c, r), n in plan.excluded.most_common() if c == ch})
               for ch in args.channels],
        holdout_share=args.holdout_share, holdout=plan.holdout,
        sample=[SampleMember(member_id=m, name=n, phone=p, store_id=s)
                for m, n, p, s in plan.sample],
        content=args.text, warnings=warnings, send_at=f"{when.at:%Y-%m-%d %H:%M}",
        asked_at=f"{when.asked:%Y-%m-%d %H:%M}", sms_segments=segments,
        cost=round((segments or 0) * plan.reach["sms"] * rules.sms_price, 2),
        needs_approval=needs_approval, approval_audience=rules.approval_audience,
        notes=[GROUP_NOTE] if groups else [])


def _checked(args: ScheduleArgs, names: list[str]) -> list[Any]:
    """The draft checks for every channel: errors stop the campaign, warnings are shown."""
    warnings, errors = [], []
    for channel in args.channels:
        for p in check_draft(args.text, _CHECK_AS[channel], None, None, names=names):
            (errors if p.level == "error" else warnings).append(p)
    if errors:
        listed = ";".join(f"{p.message}(建议:{p.suggestion})" for p in errors)
        raise UserError(f"这段内容还不能发:{listed}。改好后再排期。",
                        "The text cannot be sent as it is: "
                        + "; ".join(p.code for p in errors))
    return list({p.code: p for p in warnings}.values())


def _region(conn: Any, region: str | None, store_id: str | None) -> str | None:
    """The requester's region, or their store's: whose supervisors approve."""
    if region or not store_id:
        return region
    return conn.execute(text("SELECT region FROM stores WHERE store_id = :s"),
                        {"s": store_id}).scalar()


TOOL = Tool("schedule_campaign", ScheduleArgs, schedule_campaign)
