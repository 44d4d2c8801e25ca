"""The segment spec: every filter a staff member can ask for, typed and validated."""

from __future__ import annotations

from pydantic import Field, model_validator

from copilot.analytics.rfm import INTERVAL_GROUPS, RFM_CLASSES
from tools.base import ToolArgs
from tools.common import Day

RFM_NAMES = tuple(RFM_CLASSES.values())


class SegmentSpec(ToolArgs):
    tiers: list[str] = Field(default_factory=list, description="会员等级:普卡、银卡、金卡、钻石卡")
    rfm_classes: list[str] = Field(
        default_factory=list, description="RFM 分类:" + "、".join(RFM_NAMES))
    interval_groups: list[str] = Field(
        default_factory=list, description="消费间隔分组:" + "、".join(INTERVAL_GROUPS))
    days_since_min: int | None = Field(
        None, ge=0, le=3650, description="距最近一次消费至少多少天(只算消费过的会员)")
    days_since_max: int | None = Field(None, ge=0, le=3650, description="距最近一次消费至多多少天")
    purchases_min: int | None = Field(None, ge=0, description="累计消费笔数下限")
    purchases_max: int | None = Field(None, ge=0, description="累计消费笔数上限")
    spend_min: float | None = Field(None, ge=0, le=1e9, description="累计消费金额下限(元)")
    spend_max: float | None = Field(None, ge=0, le=1e9, description="累计消费金额上限(元)")
    categories: list[str] = Field(default_factory=list,
                                  description="买过的品类(任一),如 外套、连衣裙")
    stores: list[str] = Field(default_factory=list,
                              description="门店(名称/编号),留空=你可查看的全部门店")
    regions: list[str] = Field(default_factory=list, description="区域")
    tags_any: list[str] = Field(default_factory=list, description="有其中任一标签")
    tags_all: list[str] = Field(default_factory=list, description="同时有这些标签")
    tags_none: list[str] = Field(default_factory=list, description="没有这些标签")
    birthday_month: int | None = Field(None, ge=1, le=12, description="生日月份 1-12")
    birthday_within_days: int | None = Field(None, ge=0, le=366, description="未来 N 天内过生日")
    joined_after: Day | None = Field(None, description="入会日期不早于 YYYY-MM-DD")
    joined_before: Day | None = Field(None, description="入会日期不晚于 YYYY-MM-DD")
    wecom_added: bool | None = Field(None, description="是否已加企微;留空=不限")
    include_opted_out: bool = Field(False, description="包含已退订营销的会员(默认排除)")

    @model_validator(mode="after")
    def _check(self) -> SegmentSpec:
        for low, high, zh in (("days_since_min", "days_since_max", "距上次消费天数"),
                              ("purchases_min", "purchases_max", "消费笔数"),
                              ("spend_min", "spend_max", "消费金额"),
                              ("joined_after", "joined_before", "入会日期")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                raise ValueError(f"{zh}的下限 {a} 大于上限 {b}")
        bad = [c for c in self.rfm_classes if _rfm_name(c) is None]
        if bad:
            raise ValueError(f"不认识的 RFM 分类 {bad},可选:{'、'.join(RFM_NAMES)}")
        self.rfm_classes = [_rfm_name(c) or c for c in self.rfm_classes]
        bad = [g for g in self.interval_groups if _group_name(g) is None]
        if bad:
            raise ValueError(f"不认识的消费间隔分组 {bad},可选:{'、'.join(INTERVAL_GROUPS)}")
        self.interval_groups = [_group_name(g) or g for g in self.interval_groups]
        return self

    def describe(self) -> str:
        """The spec in words, for previews and the saved-segment list."""
        parts: list[str] = []
        for field, zh in (("stores", "门店"), ("regions", "区域"), ("tiers", "等级"),
                          ("rfm_classes", "RFM"), ("interval_groups", "分组"),
                          ("categories", "买过"), ("tags_any", "标签含任一"),
                          ("tags_all", "标签全含"), ("tags_none", "标签不含")):
            if getattr(self, field):
                parts.append(f"{zh} {'/'.join(getattr(self, field))}")
        for low, high, zh, unit in (("days_since_min", "days_since_max", "距上次消费", "天"),
                                    ("purchases_min", "purchases_max", "消费", "笔"),
                                    ("spend_min", "spend_max", "累计消费", "元")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None:
                parts.append(f"{zh} {a:g}~{b:g}{unit}")
            elif a is not None:
                parts.append(f"{zh} ≥{a:g}{unit}")
            elif b is not None:
                parts.append(f"{zh} ≤{b:g}{unit}")
        if self.birthday_month:
            parts.append(f"{self.birthday_month}月生日")
        if self.birthday_within_days is not None:
            parts.append(f"{self.birthday_within_days}天内生日")
        if self.joined_after or self.joined_before:
            parts.append(f"入会 {self.joined_after or ''}~{self.joined_before or ''}")
        if self.wecom_added is not None:
            parts.append("已加企微" if self.wecom_added else "未加企微")
        parts.append("含已退订" if self.include_opted_out else "已排除退订")
        return ";".join(parts)


def _rfm_name(name: str) -> str | None:
    key = name.strip().removesuffix("客户").removesuffix("会员").removesuffix("用户")
    return next((n for n in RFM_NAMES if n == key), None)


def _group_name(name: str) -> str | None:
    key = name.strip()
    for g in INTERVAL_GROUPS:
        if key in (g, g.removesuffix("会员"), g.replace("会员", "客户")):
            return g
    return None
