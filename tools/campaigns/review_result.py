"""What `campaign_review` returns, and how it reads in Chinese.

Every figure in the text is a field of the result, computed in `review.py`; the text only
formats them and says, in words, what they do and do not allow one to conclude (no
holdout, a holdout too small, a window not over yet).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tools.base import ToolResult
from tools.campaigns.preview import CHANNEL_ZH
from tools.common import fmt

Verdict = Literal["measured", "no_holdout", "small_holdout"]
_STATE_ZH = {"sent": "已发送", "holdout": "对照组", "skipped": "规则跳过", "failed": "发送失败",
             "pending": "待发送", "claimed": "发送中"}


class GroupFigures(BaseModel):
    """One group (sent or held out): its window, and the same members before the campaign."""

    members: int
    buyers: int
    orders: int
    conversion: float | None  # buyers ÷ members
    revenue: float  # net sales in the window, yuan
    revenue_per_member: float | None
    natural_buyers: int  # bought in the equal window before the campaign
    natural_conversion: float | None


class Cost(BaseModel):
    sms_messages: int  # SMS that went out
    sms_segments: int | None  # billed parts per message
    sms_price: float  # yuan per part
    sms_cost: float
    other_cost: float  # the `cost` argument: the offer, gifts, …
    total: float


class ReviewResult(ToolResult):
    campaign_id: str
    name: str
    state: str
    channels: list[str]
    stores: list[str]
    send_start: str  # first message out (or the planned send time)
    window_days: int
    window_end: str  # when the last member's window closes
    complete: bool  # False: partial figures, the window is still open
    elapsed_days: float  # of the window, counted so far (the baseline is as long)
    data_through: str  # last day of purchases counted
    baseline_start: str
    baseline_end: str
    recipient_states: dict[str, int]
    sent: GroupFigures
    holdout: GroupFigures | None
    natural_conversion: float | None  # sent and held-out members, before the campaign
    verdict: Verdict
    min_holdout: int
    lift_pp: float | None  # percentage points
    lift_relative: float | None
    p_value: float | None
    incremental_sales: float | None
    cost: Cost
    roi: float | None  # incremental sales ÷ cost
    notes: list[str] = Field(default_factory=list)

    def text(self, lang: str = "zh") -> str:
        channels = "、".join(CHANNEL_ZH.get(c, c) for c in self.channels)
        lines = [f"活动复盘:“{self.name}”(编号 {self.campaign_id},{channels})",
                 f"开始发送:{self.send_start};观察窗口 {self.window_days} 天,"
                 f"到 {self.window_end} 结束"]
        if not self.complete:
            lines.append(f"【阶段数据】观察窗口还没结束(到 {self.window_end} 结束),以下是截至 "
                         f"{self.data_through} 的部分数据,窗口结束后再看最终结果。")
        lines.append(self._counts())
        if not self.elapsed_days:
            return "\n".join([*lines, "活动刚开始发送,还没有一整天的销售数据,明天再来看。",
                              *self.notes])
        s = self.sent
        lines.append(f"发送组 {s.members:,} 人:活动转化率 {fmt(s.conversion, 'rate')}"
                     f"({s.buyers:,} 人购买,{s.orders:,} 笔),销售 {fmt(s.revenue, 'money')},"
                     f"人均 {fmt(s.revenue_per_member, 'money')}")
        if self.holdout is not None:
            h = self.holdout
            lines.append(f"对照组 {h.members:,} 人(留出未发送):转化率 "
                         f"{fmt(h.conversion, 'rate')}({h.buyers:,} 人购买),销售 "
                         f"{fmt(h.revenue, 'money')},人均 {fmt(h.revenue_per_member, 'money')}")
        lines.append(f"自然转化率(同一批会员活动前同样时长 {self.baseline_start} ~ "
                     f"{self.baseline_end}):{fmt(self.natural_conversion, 'rate')};"
                     f"其中发送组 {fmt(s.natural_conversion, 'rate')}")
        lines += self._effect()
        lines += self._money()
        return "\n".join(lines + self.notes)

    @property
    def _stage(self) -> str:
        return "" if self.complete else "(阶段)"

    def _counts(self) -> str:
        order = [*_STATE_ZH, *sorted(set(self.recipient_states) - set(_STATE_ZH))]
        parts = [f"{_STATE_ZH.get(k, k)} {self.recipient_states[k]:,}" for k in order
                 if self.recipient_states.get(k)]
        return "名单(人):" + "、".join(parts)

    def _effect(self) -> list[str]:
        s = self.sent
        # Against the sent members' own earlier rate: the same people, before and after.
        gap = _pp(s.conversion, s.natural_conversion)
        natural = fmt(s.natural_conversion, "rate")
        if self.verdict == "no_holdout":
            return ["没有对照组(发送时没有留出不发送的会员),无法测算活动带来的提升和增量销售。",
                    f"只能对比:活动转化率 {fmt(s.conversion, 'rate')} vs 发送组自然转化率 "
                    f"{natural}({gap});这个差距里还混着季节、"
                    "其他活动的影响,不能全算作活动效果。下次建议留出 5%~10% 的对照组。"]
        if self.verdict == "small_holdout":
            n = self.holdout.members if self.holdout else 0
            return [f"对照组只有 {n:,} 人(少于 {self.min_holdout} 人),样本太小,提升和增量销售"
                    "不能下结论;上面的对照组数字仅供参考。",
                    f"可参考:活动转化率 {fmt(s.conversion, 'rate')} vs 发送组自然转化率 "
                    f"{natural}({gap})。下次建议留出更大的对照组。"]
        rel = "" if self.lift_relative is None else f",相对提升 {self.lift_relative * 100:+.1f}%"
        lines = [f"{self._stage}提升:发送组比对照组 {self.lift_pp:+.1f} 个百分点{rel}"]
        if self.p_value is not None:
            if self.p_value < 0.05:
                lines.append(f"差异在统计上显著(双侧检验 p={self.p_value:.3f})。")
            else:
                lines.append(f"差异在统计上不显著(双侧检验 p={self.p_value:.3f}),可能只是随机"
                             "波动;可延长观察窗口或下次留出更大的对照组。")
        return lines

    def _money(self) -> list[str]:
        c = self.cost
        lines = []
        if self.incremental_sales is not None and self.holdout is not None:
            sent_avg = fmt(self.sent.revenue_per_member, "money")
            lines.append(f"{self._stage}增量销售:(发送组人均 {sent_avg} − "
                         f"对照组人均 {fmt(self.holdout.revenue_per_member, 'money')})× "
                         f"{self.sent.members:,} 人 = {_signed(self.incremental_sales)}")
            if self.incremental_sales <= 0:
                lines.append("发送组人均消费没有高于对照组:这次活动没有带来增量销售。")
        parts = []
        if c.sms_messages:
            parts.append(f"短信 {c.sms_messages:,} 条 × {c.sms_segments} 段 × "
                         f"¥{c.sms_price:g} = {fmt(c.sms_cost, 'money')}")
        if c.other_cost:
            parts.append(f"其他成本 {fmt(c.other_cost, 'money')}")
        if parts:
            lines.append("成本:" + ";".join(parts) + f";合计 {fmt(c.total, 'money')}")
        else:
            lines.append("成本:¥0.00(企业微信发送不按条计费;优惠券让利等成本可用 cost 参数给出)")
        if self.roi is not None:
            lines.append(f"{self._stage}ROI(增量销售 ÷ 成本):{self.roi:,.2f}"
                         + (f"(每投入 1 元带来 {_signed(self.roi)} 增量销售)"
                            if self.roi > 0 else ""))
        elif self.incremental_sales is None:
            lines.append("ROI:没有可靠的增量销售,无法计算。")
        else:
            lines.append("ROI:成本为 0,无法计算;可用 cost 参数给出优惠券让利、赠品等成本。")
        return lines


def _pp(value: float | None, other: float | None) -> str:
    if value is None or other is None:
        return "无法比较"
    return f"{(value - other) * 100:+.1f} 个百分点"


def _signed(value: float) -> str:
    """Money with the sign before the currency: -¥1,234.50, not ¥-1,234.50."""
    return ("-" if value < 0 else "") + fmt(abs(value), "money")
