"""The figures a diagnosis compares: metric parts per level, and cause checks by SQL.

Why this split: the eight metrics and their parts come from one `store_parts` call per
period (store, region and chain at once). The cause checks (企微添加率, 潜力/普通会员占比,
新客二次购买 …) need member-level data, so they are queried here: for the store through
`access.sql` (the caller's scope is enforced by the data layer) and for the region only as
one aggregate row, so a store's staff see their region's benchmark but never another
store's own figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Connection

from copilot.analytics.by_store import Parts
from copilot.analytics.metrics import MetricsReport
from copilot.analytics.period import Period
from copilot.analytics.remember import remembered
from copilot.config import MetricWindows
from copilot.data.access import Access


@dataclass(frozen=True)
class Figure:
    """A value with the counts behind it; `den` decides whether it is big enough to judge."""

    value: float | int | None
    num: float | int | None = None
    den: float | int | None = None


def ratio(num: float | int, den: float | int) -> Figure:
    return Figure(float(num) / float(den) if den else None, num, den)


def part_figures(p: Parts, report: MetricsReport) -> dict[str, Figure]:
    """The metrics of `report` and the parts of `p` as figures, keyed as in kpi_tree.toml."""
    out = {m.key: Figure(m.value, m.numerator, m.denominator) for m in report.metrics}
    out["active_members"] = Figure(p.active, p.active, p.active)
    for key in ("members", "joined", "buyers", "active", "tickets"):
        out[key] = Figure(getattr(p, key), getattr(p, key), getattr(p, key))
    for key in ("sales", "member_sales"):
        out[key] = Figure(float(getattr(p, key)), None, p.tickets)
    out["member_spend"] = ratio(p.member_sales, p.active)
    out["unit_price"] = ratio(p.sales, p.units)
    out["retained_spend"] = ratio(p.member_sales, p.buyers - p.churned)
    out["potential_share"] = ratio(p.potential, p.buyers)
    out["ordinary_share"] = ratio(p.ordinary, p.buyers)
    # profile and ticket checks, counted with the parts (by_store.py) at no extra scan
    out["wecom_share"] = ratio(p.wecom, p.members)
    out["new_wecom_share"] = ratio(p.joined_wecom, p.joined)
    out["owned_share"] = ratio(p.owned, p.members)
    out["opt_out_share"] = ratio(p.opted_out, p.members)
    out["member_ticket_share"] = ratio(p.member_tickets, p.tickets)
    out["member_frequency"] = ratio(p.member_tickets, p.active)
    out["guest_join_rate"] = ratio(p.joined, p.tickets - p.member_tickets)
    return out


# Each query reads the region once and returns, through GROUP BY ROLLUP, a row for the
# store (mine = 1, counted only where the caller's access allows) and the region's total
# (GROUPING(mine) = 1); the row of the other stores (mine = 0) is never used.
_SCOPED = """scoped AS (
    SELECT m.*, CASE WHEN {access} AND m.store_id = :store THEN 1 ELSE 0 END AS mine
    FROM members m
    WHERE m.joined_at < :end_next
      AND m.store_id IN (SELECT store_id FROM stores WHERE region = :region)
)"""
_LEVELS = "m.mine, GROUPING(m.mine) AS total"

# New customers whose first purchase day is in [cohort_from, cohort_to): did they buy again
# within `days` days? Every one of them had the full window before the end date.
_SECOND = """
WITH """ + _SCOPED + """, cohort AS (
    SELECT m.member_id, m.mine, s.first_ts FROM scoped m
    JOIN member_stats s ON s.member_id = m.member_id
    WHERE s.first_ts >= :cohort_from AND s.first_ts < :cohort_to
), again AS (
    SELECT DISTINCT c.member_id FROM cohort c
    JOIN transactions t ON t.member_id = c.member_id
    WHERE t.ts >= :cohort_from AND t.ts < :end_next AND t.ts > c.first_ts
      AND CAST(t.ts AS DATE) - CAST(c.first_ts AS DATE) <= :days
)
SELECT """ + _LEVELS + """, COUNT(*) AS cohort, COUNT(a.member_id) AS again
FROM cohort m LEFT JOIN again a ON a.member_id = m.member_id
GROUP BY ROLLUP (m.mine)
"""

def _day(d) -> datetime:
    return datetime.combine(d, time.min)


def _params(period: Period, windows: MetricWindows, days: int, cohort_days: int) -> dict:
    end = period.end
    return {
        "start_ts": period.start_ts, "end_next": period.end_next,
        "core_from": _day(end - timedelta(days=windows.core_days)),
        "potential_from": _day(end - timedelta(days=windows.potential_days)),
        "ordinary_from": _day(end - timedelta(days=windows.ordinary_days)),
        "cohort_from": _day(end - timedelta(days=days + cohort_days - 1)),
        "cohort_to": _day(end - timedelta(days=days - 1)),
        "days": days,
    }


def _run(conn: Connection, sql: str, column: str, access: Access, params: dict
         ) -> tuple[dict[str, int], dict[str, int]]:
    """(store counts, region counts) of one query."""
    clause = access.sql(sql, access=column)
    store: dict[str, int] = {}
    region: dict[str, int] = {}
    for row in conn.execute(clause, {**params, **access.params()}).mappings():
        counts = {k: int(v or 0) for k, v in row.items() if k not in ("mine", "total")}
        if row["total"]:
            region = counts
        elif row["mine"] == 1:
            store = counts
    return store, region


# Which query each check needs; the others come with the metric parts (part_figures).
NEEDS = {"second_purchase_rate": ("second",)}
_QUERIES = {"second": (_SECOND, "m.store_id")}


@dataclass(frozen=True)
class Checks:
    """The check queries of one diagnosis: same store, region, period and caller."""

    period: Period
    windows: MetricWindows
    access: Access
    store: str
    region: str
    days: int
    cohort_days: int

    def params(self) -> dict:
        return {**_params(self.period, self.windows, self.days, self.cohort_days),
                "store": self.store, "region": self.region}

    def counts(self, conn: Connection, query: str) -> tuple[dict[str, int], dict[str, int]]:
        """(store, region) counts of one query, remembered per data version."""
        params = self.params()
        key = ("diagnose", query, tuple(sorted(params.items())), self.access.stores)
        return remembered(conn, key, lambda: _run(conn, *_QUERIES[query], self.access, params))

    def prefetch(self, conn: Connection) -> None:
        """Every check query now, remembered (run alongside other work)."""
        for query in sorted(_QUERIES):
            self.counts(conn, query)


def sql_figures(conn: Connection, checks: Checks, wanted: set[str]
                ) -> tuple[dict[str, Figure], dict[str, Figure]]:
    """The SQL checks in `wanted` for the store and for its region as a whole; only the
    queries they need are run (or read from memory, see Checks.prefetch)."""
    got = {q: checks.counts(conn, q) for q in sorted({q for check in wanted
                                                      for q in NEEDS.get(check, ())})}
    out: list[dict[str, Figure]] = []
    for i in (0, 1):
        figures = _figures(got.get("second", ({}, {}))[i])
        out.append({k: v for k, v in figures.items() if k in wanted})
    return out[0], out[1]


def _figures(s: dict[str, int]) -> dict[str, Figure]:
    return {"second_purchase_rate": ratio(s.get("again", 0), s.get("cohort", 0))}
