"""A campaign's states, the actions between them, and who may take each action.

    draft → pending_confirmation → (pending_approval →) scheduled → sending → done / failed
    cancel: from any state before sending

The requester confirms their own campaign; above the approval threshold a supervisor of
its region (or an admin), never the requester, approves it; the requester or an approver
may cancel. Every decision is checked here, on the server, whatever a button or a model
says, and every change of state is one conditional UPDATE, so two presses at once cannot
both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from copilot.data.access import User
from copilot.errors import UserError

State = Literal["draft", "pending_confirmation", "pending_approval", "scheduled", "sending",
                "done", "cancelled", "failed"]
Action = Literal["preview", "confirm", "approve", "reject", "cancel", "start", "finish",
                 "fail"]
STATE_ZH: dict[str, str] = {
    "draft": "草稿", "pending_confirmation": "待发起人确认", "pending_approval": "待督导审批",
    "scheduled": "已排期", "sending": "发送中", "done": "已完成", "cancelled": "已取消",
    "failed": "发送失败"}
CHANNEL_ZH = {"wecom_customer": "企业微信客户", "wecom_group": "企业微信客户群", "sms": "短信",
              "slack_dm": "Slack 私信"}
BEFORE_SENDING = ("draft", "pending_confirmation", "pending_approval", "scheduled")
SYSTEM = "system"  # the dispatcher: start, finish, fail


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    state: State
    created_by: str
    region: str | None
    needs_approval: bool
    stores: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    content: str = ""
    send_at: datetime | None = None
    audience: int = 0
    holdout_share: float = 0.0
    segment_name: str = ""
    created_at: datetime | None = None


LATE = timedelta(minutes=15)  # a send time this far past still goes out at once


def still_ahead(campaign: Campaign, now: datetime) -> None:
    """Confirming or approving a campaign whose send time has long passed would send it
    at once, not when the requester meant: refuse, so it is scheduled again."""
    if campaign.send_at is not None and campaign.send_at < now - LATE:
        raise UserError(f"活动“{campaign.name}”的发送时间 "
                        f"{campaign.send_at:%Y-%m-%d %H:%M} 已经过了,不能再确认或审批。"
                        "请取消后重新排期。",
                        f"The send time {campaign.send_at:%Y-%m-%d %H:%M} has passed; cancel "
                        "and schedule it again.")


def may_approve(user: User, campaign: Campaign) -> bool:
    """A supervisor of the campaign's region, or an admin (the requester excepted by
    `may`)."""
    return user.role == "admin" or (user.role == "supervisor"
                                    and user.region == campaign.region)


def visible(user: User, campaign: Campaign) -> bool:
    """Who may look at a campaign: its requester, whoever may approve it, and the managers
    of the stores it reaches."""
    return (user.staff_id == campaign.created_by or user.role == "admin"
            or (user.role == "supervisor" and user.region == campaign.region)
            or (user.role == "store_manager" and user.store_id in campaign.stores))


def next_state(campaign: Campaign, action: Action) -> State:
    """Where `action` takes the campaign, or a Chinese-first error saying why it cannot."""
    state = campaign.state
    moves: dict[tuple[str, str], State] = {
        ("draft", "preview"): "pending_confirmation",
        ("pending_confirmation", "confirm"): ("pending_approval" if campaign.needs_approval
                                             else "scheduled"),
        ("pending_approval", "approve"): "scheduled",
        ("pending_approval", "reject"): "cancelled",
        ("scheduled", "start"): "sending",
        ("sending", "finish"): "done",
        ("sending", "fail"): "failed",
    }
    if action == "cancel" and state in BEFORE_SENDING:
        return "cancelled"
    target = moves.get((state, action))
    if target is None:
        raise UserError(f"活动“{campaign.name}”现在是{STATE_ZH[state]},不能{_ACTION_ZH[action]}。",
                        f"Campaign {campaign.name!r} is {state}; it cannot be {action}ed now.")
    return target


_ACTION_ZH = {"preview": "生成预览", "confirm": "确认", "approve": "审批通过",
              "reject": "驳回", "cancel": "取消", "start": "开始发送", "finish": "完成",
              "fail": "标记失败"}


def may(user: User | None, campaign: Campaign, action: Action) -> None:
    """Raise unless `user` (None: the dispatcher) may take `action` on `campaign`."""
    if action in ("start", "finish", "fail"):
        if user is not None:
            raise UserError("开始、完成发送由发送程序完成,不能手动操作。",
                            "Only the dispatcher starts or finishes sending.")
        return
    if user is None:
        raise UserError("发送程序不能确认、审批或取消活动。",
                        "The dispatcher cannot confirm, approve or cancel.")
    mine = user.staff_id == campaign.created_by
    approver = may_approve(user, campaign)
    if action in ("preview", "confirm") and not mine:
        raise UserError(f"只有发起人 {campaign.created_by} 本人可以确认这个活动。",
                        f"Only {campaign.created_by}, who created it, can confirm it.")
    if action in ("approve", "reject"):
        if mine:
            raise UserError("不能审批自己发起的活动,请由所在区域的督导审批。",
                            "You cannot approve your own campaign.")
        if not approver:
            raise UserError("只有活动所在区域的督导或管理员可以审批。",
                            "Only a supervisor of the campaign's region or an admin can "
                            "approve it.")
    if action == "cancel" and not (mine or approver):
        raise UserError(f"只有发起人 {campaign.created_by} 或所在区域的督导可以取消这个活动。",
                        f"Only {campaign.created_by} or a supervisor of the region can "
                        "cancel it.")
