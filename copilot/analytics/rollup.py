"""One pass over the transactions that every member-level figure is derived from.

The group-by over all purchases (10 M rows on the bench set) dominates the cost of the
member KPIs and RFM, so it runs once per question: `bought` summarises each member's
purchases up to the end date, `base` keeps the members of the scope (by home store),
`scored` adds the RFM scores, and the final select groups members by tier, RFM high/low
flags and interval group — a few dozen rows from which metrics.py and rfm.py read
everything else.

RFM scores are quintiles by rank: score = 1 + floor(5 · below / n), where `below` counts
the buyers with a strictly worse value (older last purchase, fewer purchases, lower
spend). Tied values share a score and the result is the same on every engine, which
NTILE (arbitrary among ties) would not be. `below` comes from a histogram of the values
rather than a window over every member, which sorts far fewer rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection

from copilot.analytics.scope import Scope
from copilot.config import MetricWindows

_RANK = """{name}_rank AS (
    SELECT {col}, COALESCE(SUM(COUNT(*)) OVER (
        ORDER BY {col} {order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS below
    FROM base WHERE purchases IS NOT NULL GROUP BY {col}
)"""

SCORED = """
WITH bought AS (
    SELECT t.member_id, MIN(t.ts) AS first_ts, MAX(t.ts) AS last_ts,
           COUNT(*) AS purchases, SUM(t.amount) AS spend,
           SUM(CASE WHEN t.ts >= :year_start THEN t.amount ELSE 0 END) AS spend_365d,
           COUNT(CASE WHEN t.ts >= :start_ts AND {tx_scope} THEN 1 END) AS period_purchases
    FROM transactions t
    WHERE t.member_id IS NOT NULL AND t.ts < :end_next
    GROUP BY t.member_id
), base AS (
    SELECT m.member_id, m.tier, m.joined_at, b.first_ts, b.purchases, b.spend, b.spend_365d,
           CAST(:end_day AS DATE) - CAST(b.last_ts AS DATE) AS recency_days
    FROM members m LEFT JOIN bought b ON b.member_id = m.member_id
    WHERE {member_scope} AND m.joined_at < :end_next
), buyers AS (
    SELECT NULLIF(COUNT(purchases), 0) AS n FROM base
), """ + ",\n".join([
    _RANK.format(name="r", col="recency_days", order="DESC"),
    _RANK.format(name="f", col="purchases", order="ASC"),
    _RANK.format(name="m", col="spend", order="ASC"),
]) + """, scored AS (
    SELECT base.*,
        1 + FLOOR(CAST(5 * r_rank.below AS DOUBLE PRECISION) / buyers.n) AS r_score,
        1 + FLOOR(CAST(5 * f_rank.below AS DOUBLE PRECISION) / buyers.n) AS f_score,
        1 + FLOOR(CAST(5 * m_rank.below AS DOUBLE PRECISION) / buyers.n) AS m_score
    FROM base CROSS JOIN buyers
    LEFT JOIN r_rank ON r_rank.recency_days = base.recency_days
    LEFT JOIN f_rank ON f_rank.purchases = base.purchases
    LEFT JOIN m_rank ON m_rank.spend = base.spend
)"""

_GROUPS = SCORED + """, activity AS (
    SELECT COUNT(CASE WHEN period_purchases >= 1 THEN 1 END) AS active,
           COUNT(CASE WHEN period_purchases >= 2 THEN 1 END) AS repeaters
    FROM bought
), grouped AS (
    SELECT tier,
           r_score >= :high AS r_high, f_score >= :high AS f_high, m_score >= :high AS m_high,
           CASE WHEN purchases IS NULL THEN 4
                WHEN recency_days <= :core_days THEN 0
                WHEN recency_days <= :potential_days THEN 1
                WHEN recency_days <= :ordinary_days THEN 2
                ELSE 3 END AS grp,
           COUNT(*) AS members,
           COALESCE(SUM(spend), 0) AS spend,
           COALESCE(SUM(spend_365d), 0) AS spend_365d,
           COUNT(CASE WHEN joined_at >= :start_ts THEN 1 END) AS joined,
           COUNT(CASE WHEN joined_at >= :start_ts
                       AND CAST(first_ts AS DATE) - CAST(joined_at AS DATE) <= :conversion_days
                      THEN 1 END) AS converted,
           COUNT(CASE WHEN recency_days > :churn_days THEN 1 END) AS churned
    FROM scored GROUP BY 1, 2, 3, 4, 5
)
SELECT activity.active, activity.repeaters, grouped.*
FROM activity LEFT JOIN grouped ON TRUE
"""


@dataclass(frozen=True)
class Group:
    """Members of the scope sharing a tier, RFM high/low flags and an interval group."""

    tier: str | None
    rfm: tuple[bool, bool, bool] | None  # None for members who never bought
    interval: int  # index into rfm.INTERVAL_GROUPS; 4 = never bought
    members: int
    spend: float
    spend_365d: float
    joined: int
    converted: int
    churned: int


@dataclass(frozen=True)
class Rollup:
    active: int  # members buying at the scope's stores in the period
    repeaters: int  # … of whom with two or more purchases there
    groups: list[Group]

    def total(self, field: str, *, buyers_only: bool = False) -> int | float:
        return sum(getattr(g, field) for g in self.groups if not buyers_only or g.rfm)


def params(scope: Scope, start: date, end: date, windows: MetricWindows) -> dict[str, object]:
    end_next = datetime.combine(end + timedelta(days=1), time.min)
    return {
        **scope.params(), **windows.model_dump(),
        "start_ts": datetime.combine(start, time.min), "end_next": end_next, "end_day": end,
        "year_start": end_next - timedelta(days=365), "high": windows.rfm_high_score,
    }


def member_rollup(
    conn: Connection, scope: Scope, start: date, end: date, windows: MetricWindows
) -> Rollup:
    """Group the scope's members as of `end`; `start` opens the period for joins/activity."""
    sql = scope.sql(_GROUPS, tx_scope="t.store_id", member_scope="m.store_id")
    rows = conn.execute(sql, params(scope, start, end, windows)).mappings().all()
    groups = [
        Group(
            tier=r["tier"],
            rfm=None if r["grp"] == 4 else (bool(r["r_high"]), bool(r["f_high"]),
                                            bool(r["m_high"])),
            interval=int(r["grp"]), members=int(r["members"]), spend=float(r["spend"]),
            spend_365d=float(r["spend_365d"]), joined=int(r["joined"]),
            converted=int(r["converted"]), churned=int(r["churned"]),
        )
        for r in rows if r["members"] is not None
    ]
    return Rollup(active=int(rows[0]["active"]), repeaters=int(rows[0]["repeaters"]),
                  groups=groups)
