"""How a campaign reads when someone asks after it: state, progress, history."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from copilot.campaigns.lifecycle import STATE_ZH, Campaign
from copilot.state.db import as_datetime
from tools.base import ToolResult
from tools.campaigns.preview import CHANNEL_ZH

_RECIPIENT_ZH = {"pending": "待发送", "claimed": "发送中", "sent": "已发送", "skipped": "跳过",
                 "failed": "失败", "holdout": "对照组"}
_ACTION_ZH = {"create": "创建", "preview": "生成预览", "confirm": "确认", "approve": "审批通过",
              "reject": "驳回", "cancel": "取消", "start": "开始发送", "finish": "发送完成",
              "fail": "发送失败"}


class CampaignLine(BaseModel):
    campaign_id: str
    name: str
    state: str
    created_by: str
    send_at: str
    audience: int
    channels: list[str]


def line(c: Campaign) -> CampaignLine:
    return CampaignLine(campaign_id=c.campaign_id, name=c.name, state=c.state,
                        created_by=c.created_by, audience=c.audience, channels=c.channels,
                        send_at=f"{c.send_at:%Y-%m-%d %H:%M}" if c.send_at else "")


class CampaignList(ToolResult):
    campaigns: list[CampaignLine]
    awaiting_me: bool = False

    def text(self, lang: str = "zh") -> str:
        if not self.campaigns:
            return "没有等你审批的活动。" if self.awaiting_me else "还没有你能查看的活动。"
        head = "等你审批的活动:" if self.awaiting_me else "最近的活动:"
        return head + "\n" + "\n".join(
            f"- {c.name}({c.campaign_id}):{STATE_ZH[c.state]},{c.send_at} 发送,"
            f"触达 {c.audience:,} 人,发起人 {c.created_by}" for c in self.campaigns)


class Progress(BaseModel):
    channel: str
    counts: dict[str, int]  # recipient state → rows


class Event(BaseModel):
    at: str
    actor: str
    action: str
    note: str | None


class CampaignStatus(ToolResult):
    campaign: CampaignLine
    holdout_share: float
    progress: list[Progress]
    reasons: list[tuple[str, int]]
    history: list[Event]
    notes: list[str] = Field(default_factory=list)  # e.g. staff yet to confirm in WeCom

    def text(self, lang: str = "zh") -> str:
        c = self.campaign
        lines = [f"活动“{c.name}”({c.campaign_id}):{STATE_ZH[c.state]},发起人 {c.created_by},"
                 f"计划 {c.send_at} 发送,触达 {c.audience:,} 人"]
        for p in self.progress:
            shown = "、".join(f"{_RECIPIENT_ZH.get(k, k)} {v:,}" for k, v in p.counts.items())
            lines.append(f"- {CHANNEL_ZH.get(p.channel, p.channel)}:{shown}")
        lines += self.notes
        if self.reasons:
            lines.append("未发送原因:" + "、".join(f"{r} {n:,}" for r, n in self.reasons))
        lines.append("记录:" + ";".join(
            f"{e.at} {e.actor} {_ACTION_ZH.get(e.action, e.action)}"
            + (f"({e.note})" if e.note else "") for e in self.history))
        return "\n".join(lines)


def status(c: Campaign, counts: dict[tuple[str, str], int], reasons: list[tuple[str, int]],
           history: list[dict[str, Any]], notes: list[str]) -> CampaignStatus:
    order = list(_RECIPIENT_ZH)
    progress = [Progress(channel=ch, counts={
        st: counts[(ch, st)] for st in order if (ch, st) in counts}) for ch in c.channels]
    return CampaignStatus(
        campaign=line(c), holdout_share=c.holdout_share, progress=progress, reasons=reasons,
        notes=notes,
        history=[Event(at=_minute(e["at"]), actor=e["actor"], action=e["action"],
                       note=e["note"]) for e in history])


def _minute(value: Any) -> str:
    at = as_datetime(value)
    return f"{at:%m-%d %H:%M}"
