"""Judging a store against its benchmarks: abnormal metrics, money at stake, causes, actions.

Pure functions over figures already computed (signals.py), so the rules can be tested and
reasoned about without a database: a metric is abnormal only beyond the thresholds of
kpi_tree.toml, a cause is claimed only when its own check is off in the data, and every
estimate is a product of the store's own figures, shown with its formula.
"""

from __future__ import annotations

import logging
from functools import cache

from copilot.analytics.metrics import MetricValue
from knowledge.playbook import load_playbooks, shipped_playbooks
from tools.common import fmt, fmt_delta
from tools.diagnose.kpi_tree import KpiTree, MetricRule, worse_by
from tools.diagnose.result import Abnormal, Action, Cause, MetricLine, Stake
from tools.diagnose.signals import Figure

log = logging.getLogger(__name__)
Levels = dict[str, dict[str, Figure]]  # "store" / "region" / "chain" / "previous" → figures


@cache
def playbook_index() -> dict[str, tuple[str, frozenset[str]]]:
    """id → (title, every citable section: "步骤" and "步骤 > 二、…")."""
    out = {}
    for book in load_playbooks(shipped_playbooks()):
        names = {" > ".join(s.path[:i]) for s in book.sections for i in range(1, len(s.path) + 1)}
        out[book.id] = (book.title, frozenset(names))
    return out


def gap_text(gap: float, unit: str) -> str:
    if unit == "rate":
        return f"{gap * 100:.1f} 个百分点"
    if unit == "money":
        return f"¥{gap:,.2f}"
    return f"{gap:.2f}" if unit == "ratio" else f"{gap:,.0f}"


def metric_line(tree: KpiTree, store: MetricValue, levels: Levels) -> MetricLine:
    """One metric of the store beside region, chain and previous, judged on its benchmark."""
    rule = tree.metrics[store.key]
    key, unit = store.key, store.unit
    value = store.value
    region, chain, prev = (levels[x][key].value for x in ("region", "chain", "previous"))
    per_store = "店均 " if unit == "count" else ""
    line = MetricLine(
        key=key, name=store.name, unit=unit, direction=rule.direction, value=value,
        display=fmt(value, unit), region=region, region_display=per_store + fmt(region, unit),
        chain=chain, chain_display=per_store + fmt(chain, unit), previous=prev,
        previous_display=fmt(prev, unit), vs_region=fmt_delta(value, region, unit),
        vs_chain=fmt_delta(value, chain, unit), vs_previous=fmt_delta(value, prev, unit),
        benchmark=rule.benchmark)
    den = levels["store"][rule.denominator].value
    if value is None or (region if rule.benchmark == "region" else prev) is None:
        return line
    if den is None or den < tree.min_denominator:
        return line.model_copy(update={"note": f"(样本小:{fmt(den or 0, 'count')},不判断异常)"})
    bench = region if rule.benchmark == "region" else prev
    gap = worse_by(value, bench, rule.direction)  # type: ignore[arg-type]
    return line.model_copy(update={"abnormal": tree.limits_for(key, unit).exceeded(
        gap, bench, unit, _n(levels["store"][key].den))})  # type: ignore[arg-type]


def _n(den: float | int | None) -> float | None:
    return float(den) if den else None


def abnormal_items(tree: KpiTree, lines: list[MetricLine], store: dict[str, Figure],
                   region_label: str, names: dict[str, tuple[str, str]]) -> list[Abnormal]:
    """The abnormal metrics, ranked by money at stake (estimated), then relative gap."""
    items = []
    for line in lines:
        if not line.abnormal:
            continue
        rule = tree.metrics[line.key]
        bench = line.region if rule.benchmark == "region" else line.previous
        assert line.value is not None and bench is not None
        gap = worse_by(line.value, bench, rule.direction)
        items.append(Abnormal(
            key=line.key, name=line.name, unit=line.unit, value=line.value,
            display=line.display, benchmark_label=region_label if rule.benchmark == "region"
            else "上期", benchmark_value=bench, benchmark_display=fmt(bench, line.unit),
            gap=gap, gap_display=gap_text(gap, line.unit),
            relative_gap=gap / bench if bench else 0.0,
            stake=_stake(rule, line, gap, store, names), stake_note=rule.stake_note or None,
            rank=0, gap_rank=0, tree_path=_path(tree, rule, line.name)))
    by_gap = sorted(items, key=lambda a: -a.relative_gap)
    gap_rank = {a.key: i for i, a in enumerate(by_gap, 1)}
    ranked = sorted(items, key=lambda a: (a.stake is None, -(a.stake.amount if a.stake else 0),
                                          -a.relative_gap))
    return [a.model_copy(update={"rank": i, "gap_rank": gap_rank[a.key]})
            for i, a in enumerate(ranked, 1)]


def _path(tree: KpiTree, rule: MetricRule, name: str) -> list[str]:
    """Root to the metric: the node it sits under, then the metric unless it is the node."""
    nodes = tree.path(rule.node)
    return [n.zh for n in nodes] + ([name.split("(")[0]] if nodes[-1].key != rule.key else [])


def _stake(rule: MetricRule, line: MetricLine, gap: float, store: dict[str, Figure],
           names: dict[str, tuple[str, str]]) -> Stake | None:
    if not rule.factors:
        return None
    amount, parts = gap, [f"{line.name.split('(')[0]}差 {gap_text(gap, line.unit)}"]
    for f in rule.factors:
        v = store[f].value
        if v is None:
            return None
        amount *= float(v)
        parts.append(f"{names[f][0].split('(')[0]} {fmt(v, names[f][1])}")
    return Stake(amount=round(amount, 2), display=f"¥{amount:,.0f}",
                 formula=" × ".join(parts), method=rule.stake_zh)


def causes_for(tree: KpiTree, abnormal: list[Abnormal], levels: Levels,
               names: dict[str, tuple[str, str]], region_label: str) -> list[Cause]:
    """Each abnormal metric's cause hypotheses, checked against the data."""
    out = []
    for a in abnormal:
        for rule in tree.metrics[a.key].causes:
            name, unit = names[rule.check]
            mine = levels["store"].get(rule.check, Figure(None))
            base = levels[rule.baseline].get(rule.check, Figure(None))
            label = region_label if rule.baseline == "region" else "上期"
            supported: bool | None = None
            small = mine.den is not None and mine.den < tree.min_denominator
            if mine.value is not None and base.value is not None and not small:
                gap = worse_by(mine.value, base.value, "higher" if rule.bad == "lower"
                               else "lower")
                supported = tree.cause_limits[unit].exceeded(gap, base.value, unit,
                                                             _n(mine.den))
            delta = fmt_delta(mine.value, base.value, unit)
            out.append(Cause(
                metric=a.key, metric_name=a.name.split("(")[0], check=rule.check,
                check_name=name, claim=rule.claim, supported=supported,
                store_display=fmt(mine.value, unit), baseline_label=label,
                baseline_display=fmt(base.value, unit),
                evidence=f"依据:{name} 本店 {fmt(mine.value, unit)},{label} "
                         f"{fmt(base.value, unit)}" + (f"({delta})" if delta else "")))
    return out


def actions_for(tree: KpiTree, abnormal: list[Abnormal], causes: list[Cause]) -> list[Action]:
    """Actions of the supported causes first, then each metric's own; each section once."""
    index = playbook_index()
    out: dict[tuple[str, str], Action] = {}
    for a in abnormal:
        rule = tree.metrics[a.key]
        refs = [(ref, c.claim) for c in causes if c.metric == a.key and c.supported
                for cr in rule.causes if cr.check == c.check for ref in cr.actions]
        refs += [(ref, None) for ref in rule.actions]
        for ref, because in refs:
            book = index.get(ref.playbook)
            if book is None or ref.section not in book[1]:
                log.warning("kpi_tree.toml cites a missing playbook section: %s / %s",
                            ref.playbook, ref.section)
                continue
            out.setdefault((ref.playbook, ref.section), Action(
                metric=a.key, text=ref.zh, playbook=ref.playbook, title=book[0],
                section=ref.section, because=because))
    return list(out.values())
