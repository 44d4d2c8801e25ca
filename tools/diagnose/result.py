"""What a store diagnosis returns, and how it reads to a supervisor.

Kept apart from the computation so the JSON shape (for channels and the agent) and the
Chinese summary can be read in one place; every number in the text is a field here, and
every field was computed from member data by tools/diagnose/analysis.py.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from tools.base import Citation, ToolResult


class MetricLine(BaseModel):
    key: str
    name: str
    unit: str
    direction: str  # "higher" / "lower" is better
    value: float | int | None
    display: str
    region: float | None
    region_display: str
    chain: float | None
    chain_display: str
    previous: float | int | None
    previous_display: str
    vs_region: str
    vs_chain: str
    vs_previous: str
    benchmark: str  # what it is judged against: "region" or "previous"
    abnormal: bool = False
    note: str | None = None  # e.g. too small a denominator to judge


class Stake(BaseModel):
    amount: float
    display: str
    formula: str  # the estimate with the store's figures: "复购率差 24.5 个百分点 × …"
    method: str  # the same in words, from kpi_tree.toml


class Abnormal(BaseModel):
    key: str
    name: str
    unit: str
    value: float | int
    display: str
    benchmark_label: str  # "华东区整体" / "上期"
    benchmark_value: float | int
    benchmark_display: str
    gap: float  # how much worse, in the metric's unit (a rate gap is a fraction)
    gap_display: str
    relative_gap: float  # gap ÷ benchmark
    stake: Stake | None = None
    stake_note: str | None = None
    rank: int  # order of the list: money at stake, then relative gap
    gap_rank: int  # order by relative gap alone
    tree_path: list[str]  # root first


class Cause(BaseModel):
    metric: str
    metric_name: str
    check: str
    check_name: str
    claim: str
    supported: bool | None  # None: not enough data to check
    store_display: str
    baseline_label: str
    baseline_display: str
    evidence: str


class Action(BaseModel):
    metric: str
    text: str
    playbook: str
    title: str
    section: str
    because: str | None = None  # the supported cause it follows from


class DiagnoseResult(ToolResult):
    store: str
    store_id: str
    region: str
    period: str
    start: str
    end: str
    previous: str
    metrics: list[MetricLine]
    abnormal: list[Abnormal]
    causes: list[Cause]
    actions: list[Action]
    chart_path: str | None = None
    chart_rendered: bool = False
    notes: list[str] = Field(default_factory=list)

    def headline(self) -> str:
        if not self.abnormal:
            return f"{self.store} · {self.period}:与{self.region}区整体相比,没有明显异常的指标。"
        names = "、".join(a.name.split("(")[0] for a in self.abnormal[:3])
        return (f"{self.store} · {self.period}:{len(self.abnormal)} 项指标异常,"
                f"最该先看:{names}。")

    def text(self, lang: str = "zh") -> str:
        lines = [self.headline(), "",
                 f"【指标】本店 / {self.region}区整体 / 全连锁 / 上期({self.previous})"]
        for m in self.metrics:
            flag = "⚠ " if m.abnormal else "- "
            deltas = ";".join(x for x in (f"比区域 {m.vs_region}" if m.vs_region else "",
                                          f"比全连锁 {m.vs_chain}" if m.vs_chain else "",
                                          f"比上期 {m.vs_previous}" if m.vs_previous else "")
                              if x)
            lines.append(f"{flag}{m.name}:{m.display} / {m.region_display} / "
                         f"{m.chain_display} / {m.previous_display}"
                         + (f"({deltas})" if deltas else "") + (f" {m.note}" if m.note else ""))
        lines += ["", "【异常,按影响金额排序】" if self.abnormal else "【异常】无"]
        for a in self.abnormal:
            money = (f";影响金额估算 ≈ {a.stake.display} = {a.stake.formula}" if a.stake
                     else f";{a.stake_note}" if a.stake_note else "")
            lines.append(f"{a.rank}. {a.name} {a.display},{a.benchmark_label} "
                         f"{a.benchmark_display},差 {a.gap_display}"
                         f"(相对 {a.relative_gap * 100:.0f}%){money}")
            lines.append(f"   指标树:{' → '.join(a.tree_path)}")
        if any(a.stake for a in self.abnormal):
            lines.append("   (金额是按本店本期数据的粗略估算,用来排先后,不是预测。)")
        supported = [c for c in self.causes if c.supported]
        checked = [c for c in self.causes if c.supported is False]
        unknown = [c for c in self.causes if c.supported is None]
        if self.abnormal:
            lines += ["", "【可能原因(数据支持的)】" if supported
                      else "【可能原因】数据里没找到明显原因"]
            lines += [f"- {c.metric_name}:{c.claim}。{c.evidence}" for c in supported]
            if checked:
                lines.append("- 已核对、与基准无明显差异:" + ";".join(
                    f"{c.check_name} {c.store_display}(基准 {c.baseline_display})"
                    for c in _unique(checked)))
            if unknown:
                lines.append("- 数据不足未能核对:"
                             + "、".join(c.check_name for c in _unique(unknown)))
        if self.actions:
            lines += ["", "【建议动作】"]
            lines += [f"{i}. {a.text}(参考《{a.title}》· {a.section})"
                      for i, a in enumerate(self.actions, 1)]
        if self.chart_path:
            lines += ["", f"诊断图:{self.chart_path}"]
        return "\n".join(lines + self.notes)

    def citations(self) -> list[Citation]:
        return Citation.unique(self.actions)


def _unique(causes: list[Cause]) -> list[Cause]:
    """One line per check: a check shared by two metrics is shown once."""
    out: dict[str, Cause] = {}
    for c in causes:
        out.setdefault(c.check, c)
    return list(out.values())
