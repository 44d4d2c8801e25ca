"""The preview a requester confirms: who is reached, who is not and why, what they get,
when, and what it costs. Every figure here was counted by `audience.plan`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from copilot.campaigns.lifecycle import STATE_ZH
from tools.base import ToolResult
from tools.drafts.problem import Problem

CHANNEL_ZH = {"wecom_customer": "企业微信客户群发", "wecom_group": "企业微信客户群",
              "sms": "短信", "slack_dm": "Slack 私信(内部测试)"}


class Reach(BaseModel):
    channel: str
    members: int  # to send
    excluded: dict[str, int]  # reason → members


class SampleMember(BaseModel):
    member_id: str
    name: str | None
    phone: str | None
    store_id: str


class CampaignPreview(ToolResult):
    campaign_id: str
    name: str
    state: str
    segment: str
    segment_size: int  # opted-out members included, so the preview can count them
    opted_out: int
    members_reached: int
    reach: list[Reach]
    holdout_share: float
    holdout: int
    sample: list[SampleMember]
    content: str
    warnings: list[Problem]
    send_at: str
    asked_at: str
    sms_segments: int | None
    cost: float
    needs_approval: bool
    approval_audience: int
    notes: list[str] = Field(default_factory=list)

    def text(self, lang: str = "zh") -> str:
        lines = [f"活动预览“{self.name}”(编号 {self.campaign_id},{STATE_ZH[self.state]})",
                 f"分组“{self.segment}”按今天的数据 {self.segment_size:,} 人"
                 + (f"(含已退订 {self.opted_out:,} 人)" if self.opted_out else "")
                 + f",实际触达 {self.members_reached:,} 人"]
        for r in self.reach:
            out = "、".join(f"{k} {v:,}" for k, v in r.excluded.items())
            lines.append(f"- {CHANNEL_ZH.get(r.channel, r.channel)}:发送 {r.members:,} 人"
                         + (f";未发送:{out}" if out else ""))
        if self.holdout:
            lines.append(f"- 对照组(不发送,用于复盘):{self.holdout:,} 人"
                         f"(约 {self.holdout_share:.0%})")
        moved = (f"(原定 {self.asked_at} 在免打扰时段内,已顺延)"
                 if self.asked_at != self.send_at else "")
        lines.append(f"发送时间:{self.send_at}{moved}")
        if self.sms_segments:
            lines.append(f"预计短信费用:{self.cost:,.2f} 元(每条按 {self.sms_segments} 段计费)")
        else:
            lines.append("预计费用:不产生按条计费的费用(企业微信、Slack 不按条收费)")
        if self.sample:
            lines.append("样本(已脱敏):" + ";".join(
                f"{m.member_id} {m.name or ''} {m.phone or ''} {m.store_id}".replace("  ", " ")
                for m in self.sample))
        lines.append("内容:\n" + "\n".join(f"  {line}" for line in self.content.splitlines()))
        lines += [f"提示:{w.message}" + (f" 建议:{w.suggestion}" if w.suggestion else "")
                  for w in self.warnings]
        lines += self.notes
        if self.needs_approval and not self.notes:
            lines.append(f"触达超过 {self.approval_audience:,} 人:你确认后还需要区域督导审批。")
        return "\n".join(lines)
