"""Confirm, approve, cancel and look at campaigns.

Each decision goes through `copilot.campaigns.store.act`, which checks on the server who
may take it (the requester confirms; a supervisor of the region approves, never the
requester) and moves the state with one conditional UPDATE. The agent additionally asks
for "确认" before any of them runs (the tools are marked `confirm`).
"""

from __future__ import annotations

from pydantic import Field

from copilot.campaigns import recipients, store
from copilot.campaigns.lifecycle import STATE_ZH, Campaign, may_approve
from copilot.errors import UserError
from tools.base import Tool, ToolArgs, ToolContext, ToolResult
from tools.campaigns.status import CampaignLine, CampaignList, CampaignStatus, line, status


class CampaignRef(ToolArgs):
    campaign: str = Field(..., min_length=1, max_length=100,
                          description="活动编号(10 位)或名称")


class DecideArgs(CampaignRef):
    approve: bool = Field(True, description="true 审批通过,false 驳回")
    note: str | None = Field(None, max_length=200, description="审批意见或驳回理由")


class CancelArgs(CampaignRef):
    reason: str | None = Field(None, max_length=200, description="取消原因")


class Decided(ToolResult):
    campaign_id: str
    name: str
    action: str
    state: str
    send_at: str
    audience: int
    requester: str

    def text(self, lang: str = "zh") -> str:
        name, state = f"“{self.name}”({self.campaign_id})", STATE_ZH[self.state]
        if self.state == "scheduled":
            return (f"活动{name}已排期:{self.send_at} 发送给 {self.audience:,} 人。"
                    "发送前仍可取消。")
        if self.state == "pending_approval":
            return (f"已确认。活动{name}触达 {self.audience:,} 人,已提交区域督导审批;"
                    "审批通过后按时发送。")
        if self.action == "reject":
            return f"已驳回活动{name}(发起人 {self.requester}),不会发送。"
        return f"活动{name}现在是{state}。"


def _decided(c: Campaign, action: str) -> Decided:
    return Decided(campaign_id=c.campaign_id, name=c.name, action=action, state=c.state,
                   send_at=f"{c.send_at:%Y-%m-%d %H:%M}" if c.send_at else "",
                   audience=c.audience, requester=c.created_by)


def confirm_campaign(ctx: ToolContext, args: CampaignRef) -> Decided:
    """发起人确认自己刚预览的活动(schedule_campaign 之后调用)。确认后按预览的时间发送;
    触达人数超过审批线的,先交区域督导审批。只有发起人本人可以确认。
    例:预览后用户说“确认” → campaign=<预览里的活动编号>。"""
    if not store.is_id(args.campaign):  # the id comes only from a preview already shown
        raise UserError("确认活动要用预览里的活动编号(10 位),请先看预览再确认。",
                        "Confirm a campaign by the id its preview showed.")
    c = store.find(ctx.state, args.campaign, ctx.caller.user)
    return _decided(store.act(ctx.state, c.campaign_id, "confirm", ctx.caller.user,
                              now=ctx.now()), "confirm")


def unconfirmed(ctx: ToolContext, args: CampaignRef) -> None:
    """The requester said no to the preview (or let it expire): the campaign is cancelled,
    so it does not sit "待确认" for ever."""
    c = store.find(ctx.state, args.campaign, ctx.caller.user)
    if c.state == "pending_confirmation":
        store.act(ctx.state, c.campaign_id, "cancel", ctx.caller.user,
                  note="发起人没有确认", now=ctx.now())


def approve_campaign(ctx: ToolContext, args: DecideArgs) -> Decided:
    """督导审批活动:approve=true 通过(按时发送),false 驳回(不发送)。只有活动所在区域的
    督导或管理员可以审批,发起人不能审批自己的活动。
    例:“通过 3f9a0c12de” → campaign="3f9a0c12de";“驳回 3f9a0c12de 人太多” →
    approve=false, note="人太多"。"""
    c = store.find(ctx.state, args.campaign, ctx.caller.user)
    action = "approve" if args.approve else "reject"
    return _decided(store.act(ctx.state, c.campaign_id, action, ctx.caller.user,
                              note=args.note, now=ctx.now()), action)


class Cancelled(ToolResult):
    campaign_id: str
    name: str
    was: str

    def text(self, lang: str = "zh") -> str:
        return f"已取消活动“{self.name}”({self.campaign_id},原来是{STATE_ZH[self.was]}),不会发送。"


def cancel_campaign(ctx: ToolContext, args: CancelArgs) -> Cancelled:
    """取消一个还没开始发送的活动(待确认、待审批、已排期都可以)。发起人或所在区域的督导
    可以取消;已经在发送或发完的不能取消。例:“把周六那个会员日活动取消” → campaign=<名称>。"""
    c = store.find(ctx.state, args.campaign, ctx.caller.user)
    store.act(ctx.state, c.campaign_id, "cancel", ctx.caller.user, note=args.reason,
              now=ctx.now())
    return Cancelled(campaign_id=c.campaign_id, name=c.name, was=c.state)


class StatusArgs(ToolArgs):
    campaign: str | None = Field(None, max_length=100,
                                 description="活动编号或名称:看这一个的进度;留空列出我能看到的活动")
    awaiting_me: bool = Field(False, description="只列出等我审批的活动(督导、管理员)")


def campaign_status(ctx: ToolContext, args: StatusArgs) -> CampaignStatus | CampaignList:
    """查看活动:给 campaign 时显示这个活动的状态、发送进度(已发、跳过及原因、失败、对照组)
    和操作记录;不给时列出我能看到的最近活动;awaiting_me=true 只列等我审批的。
    例:“我的活动怎么样了” → {};“有哪些活动等我审批” → awaiting_me=true。"""
    user = ctx.caller.user
    if args.campaign:
        c = store.find(ctx.state, args.campaign, user)
        with ctx.state.begin() as conn:
            counts = recipients.counts(conn, c.campaign_id)
            why = recipients.reasons(conn, c.campaign_id)
        notes = _wecom_tasks(ctx, c) if set(c.channels) & {"wecom_customer",
                                                            "wecom_group"} else []
        return status(c, counts, why, store.history(ctx.state, c.campaign_id), notes)
    states = ["pending_approval"] if args.awaiting_me else []
    found = store.list_for(ctx.state, user, states)
    if args.awaiting_me:  # only those this person may approve (never their own)
        found = [c for c in found if c.created_by != user.staff_id and may_approve(user, c)]
    lines: list[CampaignLine] = [line(c) for c in found]
    return CampaignList(campaigns=lines, awaiting_me=args.awaiting_me)


def _wecom_tasks(ctx: ToolContext, c: Campaign) -> list[str]:
    """WeCom sends wait for each staff member to confirm their task in WeCom."""
    from copilot.campaigns.dispatch.channels.wecom_status import summary

    line = summary(ctx.state, c.campaign_id).line()
    return [line] if line else []


TOOLS = [
    Tool("confirm_campaign", CampaignRef, confirm_campaign, confirm=True, undo=unconfirmed),
    Tool("approve_campaign", DecideArgs, approve_campaign, confirm=True),
    Tool("cancel_campaign", CancelArgs, cancel_campaign, confirm=True),
    Tool("campaign_status", StatusArgs, campaign_status),
]
