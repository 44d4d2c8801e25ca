"""The KPI tree of kpi_tree.toml as typed records, and the one rule for "worse than".

Why separate from the tool: the same thresholds and directions judge a store in its
diagnosis and flag it in the region ranking, so both read them from here, and the tests
can check the file (every check computable, every cited playbook section real) on its own.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from copilot.analytics.definitions import METRIC_KEYS

Direction = Literal["higher", "lower"]
Baseline = Literal["region", "previous"]
UNITS = ("rate", "money", "ratio", "count")


@dataclass(frozen=True)
class Limits:
    points: float | None = None  # absolute, rates only (0.03 = 3 percentage points)
    relative: float | None = None  # share of the benchmark value
    min_z: float = 0.0  # rates: the gap must also be this many standard errors

    def exceeded(self, gap: float, bench: float, unit: str, n: float | None = None) -> bool:
        """Whether a worse-by `gap` (> 0 means worse) is beyond either limit and, for a rate
        over `n` people, larger than the noise of a sample that size."""
        if gap <= 0:
            return False
        noisy = (unit == "rate" and n and self.min_z and 0 < bench < 1
                 and gap < self.min_z * (bench * (1 - bench) / n) ** 0.5)
        if noisy:
            return False
        if unit == "rate" and self.points is not None and gap > self.points:
            return True
        return self.relative is not None and bench > 0 and gap / bench > self.relative


@dataclass(frozen=True)
class ActionRef:
    zh: str
    playbook: str
    section: str


@dataclass(frozen=True)
class CauseRule:
    check: str
    bad: Direction
    claim: str
    baseline: Baseline = "region"
    actions: tuple[ActionRef, ...] = ()


@dataclass(frozen=True)
class MetricRule:
    key: str
    direction: Direction
    benchmark: Baseline
    node: str
    denominator: str
    factors: tuple[str, ...] = ()
    stake_zh: str = ""
    stake_note: str = ""
    limits: Limits | None = None  # per-metric override of the unit's limits
    causes: tuple[CauseRule, ...] = ()
    actions: tuple[ActionRef, ...] = ()


@dataclass(frozen=True)
class ValueDef:
    key: str
    zh: str
    unit: str
    sql: bool = False


@dataclass(frozen=True)
class Node:
    key: str
    zh: str
    formula: str
    parent: str | None = None


@dataclass(frozen=True)
class KpiTree:
    min_denominator: int
    metric_limits: dict[str, Limits]
    cause_limits: dict[str, Limits]
    nodes: dict[str, Node]
    values: dict[str, ValueDef]
    metrics: dict[str, MetricRule]
    second_purchase_days: int
    second_purchase_cohort_days: int

    def limits_for(self, key: str, unit: str) -> Limits:
        rule = self.metrics.get(key)
        return rule.limits if rule and rule.limits else self.metric_limits[unit]

    def path(self, node: str) -> list[Node]:
        """Root first: 销售额 → 交易笔数 → 会员销售额 → …"""
        out: list[Node] = []
        key: str | None = node
        while key is not None and key not in {n.key for n in out}:
            out.append(self.nodes[key])
            key = self.nodes[key].parent
        return out[::-1]

    def direction(self, key: str) -> Direction:
        return self.metrics[key].direction if key in self.metrics else "higher"

    def cited(self) -> list[ActionRef]:
        """Every action reference in the file (for the tests)."""
        return [a for m in self.metrics.values()
                for a in (*m.actions, *(x for c in m.causes for x in c.actions))]


def worse_by(value: float, bench: float, direction: Direction) -> float:
    """How much worse `value` is than `bench` in the metric's own unit; negative = better."""
    return bench - value if direction == "higher" else value - bench


def _limits(raw: dict, min_z: float) -> dict[str, Limits]:
    return {unit: Limits(**raw[unit], min_z=min_z if unit == "rate" else 0.0) for unit in UNITS}


def _actions(raw: list[dict]) -> tuple[ActionRef, ...]:
    return tuple(ActionRef(**a) for a in raw)


def parse_tree(raw: dict) -> KpiTree:
    """Build and validate the tree; a broken file fails loudly at first use."""
    th = raw["thresholds"]
    min_z = float(th.get("min_z", 0.0))
    nodes = {k: Node(key=k, **v) for k, v in raw["nodes"].items()}
    values = {k: ValueDef(key=k, **v) for k, v in raw["values"].items()}
    metrics: dict[str, MetricRule] = {}
    for key, m in raw["metrics"].items():
        stake = m.get("stake", {})
        limits = m.get("limits")
        metrics[key] = MetricRule(
            key=key, direction=m["direction"], benchmark=m["benchmark"], node=m["node"],
            denominator=m["denominator"], factors=tuple(stake.get("factors", ())),
            stake_zh=stake.get("zh", ""), stake_note=m.get("stake_note", ""),
            limits=Limits(**limits, min_z=min_z) if limits else None,
            causes=tuple(CauseRule(**{**c, "actions": _actions(c.get("actions", []))})
                         for c in m.get("causes", [])),
            actions=_actions(m.get("actions", [])))
    sp = raw["second_purchase"]
    tree = KpiTree(min_denominator=int(th["min_denominator"]),
                   metric_limits=_limits(th["metric"], min_z),
                   cause_limits=_limits(th["cause"], min_z),
                   nodes=nodes, values=values, metrics=metrics,
                   second_purchase_days=int(sp["days"]),
                   second_purchase_cohort_days=int(sp["cohort_days"]))
    _validate(tree)
    return tree


def _validate(tree: KpiTree) -> None:
    known = set(METRIC_KEYS) | set(tree.values)
    problems = [f"metric {k} missing" for k in METRIC_KEYS if k not in tree.metrics]
    problems += [f"node {n.key}: unknown parent {n.parent}" for n in tree.nodes.values()
                 if n.parent is not None and n.parent not in tree.nodes]
    for m in tree.metrics.values():
        if m.key not in METRIC_KEYS:
            problems.append(f"unknown metric {m.key}")
        if m.node not in tree.nodes:
            problems.append(f"{m.key}: unknown node {m.node}")
        if m.direction not in ("higher", "lower") or m.benchmark not in ("region", "previous"):
            problems.append(f"{m.key}: bad direction or benchmark")
        problems += [f"{m.key}: unknown value {v}" for v in (m.denominator, *m.factors)
                     if v not in known]
        for c in m.causes:
            if c.check not in known or c.bad not in ("higher", "lower"):
                problems.append(f"{m.key}: bad cause check {c.check}")
            if c.baseline == "previous" and tree.values.get(c.check, ValueDef("", "", "")).sql:
                problems.append(f"{m.key}: {c.check} has no previous-period value")
    if problems:
        raise ValueError("kpi_tree.toml: " + "; ".join(problems))


@cache
def load_tree() -> KpiTree:
    source = resources.files("tools.diagnose") / "kpi_tree.toml"
    return parse_tree(tomllib.loads(source.read_text(encoding="utf-8")))
