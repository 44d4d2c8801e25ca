"""What `draft_group_post` returns: the drafts, their measures and problems, as text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tools.base import ToolResult
from tools.drafts.checks import CHANNEL_ZH, Channel, Problem, measure
from tools.drafts.templates import TONE_ZH, VARIANTS, Tone


class SegmentRef(BaseModel):
    segment_id: str
    name: str
    size: int
    as_of: str


class Draft(BaseModel):
    variant: int | None  # which template variation; None for the user's own text
    channel: Channel
    text: str
    chars: int
    limit: int
    bytes: int | None = None  # WeCom group posts: UTF-8 bytes against the 4000-byte limit
    segments: int | None = None  # SMS: billed parts
    passed: bool  # no problem that must be fixed
    problems: list[Problem] = Field(default_factory=list)


class DraftPostResult(ToolResult):
    mode: Literal["draft", "check"]
    scene: str | None
    scene_zh: str | None
    tone: Tone
    channel: Channel
    store: str | None
    audience: str | None
    segment: SegmentRef | None
    offer: str | None
    date: str | None  # as the post says it
    start: str | None
    end: str | None
    drafts: list[Draft]
    notes: list[str] = Field(default_factory=list)

    def text(self, lang: str = "zh") -> str:
        where = CHANNEL_ZH[self.channel]
        if self.mode == "check":
            head = [f"文案检查 · {where}"]
        else:
            head = [" · ".join(x for x in (f"{self.scene_zh}文案", where, TONE_ZH[self.tone],
                                           self.store) if x)]
        if self.segment:
            s = self.segment
            head.append(f"发送对象:分组“{s.name}”({s.segment_id}){s.size:,} 人,截至 {s.as_of}")
        elif self.audience:
            head.append(f"发送对象:{self.audience}")
        lines = head
        for d in self.drafts:
            if self.mode == "draft":  # the user's own text is not repeated back to them
                lines += [f"—— 写法 {d.variant}/{VARIANTS} ——", d.text]
            lines += [f"字数:{measure(d.text, d.channel).describe()}", _verdict(d)]
        return "\n".join(lines + self.notes)


def _verdict(d: Draft) -> str:
    if not d.problems:
        return "检查结果:通过,没有发现问题。"
    must = [p for p in d.problems if p.level == "error"]
    head = (f"检查结果:有 {len(must)} 处必须修改" if must else "检查结果:通过") + (
        f",另有 {len(d.problems) - len(must)} 条提醒" if len(d.problems) > len(must) else "")
    items = [f"{i}. {'【必须改】' if p.level == 'error' else '【提醒】'}{p.message}"
             f"建议:{p.suggestion}" for i, p in enumerate(d.problems, 1)]
    return "\n".join([head + ":", *items])
