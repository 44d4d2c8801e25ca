"""RFM classes, consumption-interval groups and the tier pyramid, as of a date.

All three come from the member rollup (rollup.py); the per-member table for exports reads
the same scored members, so a member's class in the export always matches the summary.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel
from sqlalchemy import Connection

from copilot.analytics.rollup import SCORED, Rollup, member_rollup, params, scored_sql
from copilot.analytics.scope import Scope
from copilot.config import MetricWindows

if TYPE_CHECKING:  # pandas costs a quarter second to import; only exports need it
    import pandas as pd

# (R high, F high, M high) → class; "high" means a score ≥ COPILOT_METRIC_RFM_HIGH_SCORE.
RFM_CLASSES: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "重要价值",
    (True, False, True): "重要发展",
    (False, True, True): "重要保持",
    (False, False, True): "重要挽留",
    (True, True, False): "一般价值",
    (True, False, False): "一般发展",
    (False, True, False): "一般保持",
    (False, False, False): "一般挽留",
}
# By days since the last purchase: ≤ core, ≤ potential, ≤ ordinary, longer, never.
INTERVAL_GROUPS = ("核心会员", "潜力会员", "普通会员", "流失会员", "未消费会员")
TIER_ORDER = ("钻石卡", "金卡", "银卡", "普卡")


def interval_of(days_since: int | None, windows: MetricWindows) -> str:
    """The interval group of a member `days_since` their last purchase (None: never)."""
    if days_since is None:
        return INTERVAL_GROUPS[4]
    for i, limit in enumerate((windows.core_days, windows.potential_days,
                               windows.ordinary_days)):
        if days_since <= limit:
            return INTERVAL_GROUPS[i]
    return INTERVAL_GROUPS[3]


def interval_sql(group: str, windows: MetricWindows, days: str, never: str) -> str:
    """A SQL condition for one interval group: `days` is an expression for the days since
    the last purchase (NULL for members who never bought), `never` the condition for them."""
    i = INTERVAL_GROUPS.index(group)
    if i == 4:
        return never
    bounds = (-1, windows.core_days, windows.potential_days, windows.ordinary_days, 10**6)
    return f"({days} > {bounds[i]} AND {days} <= {bounds[i + 1]})"
_THRESHOLDS = {"core_days", "potential_days", "ordinary_days", "rfm_high_score"}

_MEMBER_TABLE = SCORED + """
SELECT member_id, tier, recency_days, purchases, spend, r_score, f_score, m_score
FROM scored WHERE purchases IS NOT NULL ORDER BY member_id
"""


class Bucket(BaseModel):
    name: str
    members: int
    share: float | None
    monetary: float | None = None


class RfmReport(BaseModel):
    scope: str
    as_of: str
    buyers: int
    rfm_classes: list[Bucket]
    interval_groups: list[Bucket]
    tiers: list[Bucket]
    thresholds: dict[str, int]


def compute_rfm(
    conn: Connection, scope: Scope, as_of: date, windows: MetricWindows,
    rollup: Rollup | None = None,
) -> RfmReport:
    """RFM summary; pass the rollup of a metrics call for the same end date to reuse it."""
    data = rollup or member_rollup(conn, scope, as_of, as_of, windows)
    buyers = int(data.total("members", buyers_only=True))
    everyone = int(data.total("members"))
    classes = [
        _bucket(name, [g for g in data.groups if g.rfm == key], buyers, "spend")
        for key, name in RFM_CLASSES.items()
    ]
    intervals = [
        _bucket(name, [g for g in data.groups if g.interval == i], everyone, None)
        for i, name in enumerate(INTERVAL_GROUPS)
    ]
    tier_names = {g.tier or "未分级" for g in data.groups}
    order = [t for t in TIER_ORDER if t in tier_names] + sorted(tier_names - set(TIER_ORDER))
    tiers = [
        _bucket(t, [g for g in data.groups if (g.tier or "未分级") == t], everyone, "spend_365d")
        for t in order
    ]
    return RfmReport(scope=scope.label, as_of=as_of.isoformat(), buyers=buyers,
                     rfm_classes=classes, interval_groups=intervals, tiers=tiers,
                     thresholds=windows.model_dump(include=_THRESHOLDS))


def _bucket(name: str, groups: list, total: int, money: str | None) -> Bucket:
    n = sum(g.members for g in groups)
    return Bucket(
        name=name, members=n, share=round(n / total, 6) if total else None,
        monetary=None if money is None else round(sum(getattr(g, money) for g in groups), 2),
    )


def member_rfm_table(
    conn: Connection, scope: Scope, as_of: date, windows: MetricWindows
) -> pd.DataFrame:
    """One row per buying member: days since the last purchase, purchases (transactions),
    spend, the 1–5 scores and the RFM class. Column names differ from the CLV export's
    lifetimes-style `frequency`/`recency`, which count repeat days instead."""
    from copilot.data.bulk import read_frame

    sql = scored_sql(conn, scope, _MEMBER_TABLE, as_of)
    df = read_frame(conn, sql, params(scope, as_of, as_of, windows))
    for col in ("r_score", "f_score", "m_score", "recency_days", "purchases"):
        df[col] = df[col].astype("int64")
    df["spend"] = df["spend"].astype("float64")
    high = windows.rfm_high_score
    code = ((df["r_score"] >= high).astype(int) * 4 + (df["f_score"] >= high).astype(int) * 2
            + (df["m_score"] >= high).astype(int))
    names = {r * 4 + f * 2 + m: name for (r, f, m), name in RFM_CLASSES.items()}
    df["rfm_class"] = code.map(names)
    return df
