"""Computes the member KPIs for a scope and period: one query over the period's sales and
one member rollup (rollup.py) for everything measured on members.

Each value keeps its numerator and denominator so any figure shown to a user can be traced
back to the counts it came from. Rates are fractions (0–1); a rate whose denominator is zero
is None, never 0, so "no data" is not mistaken for "zero".
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import Connection

from copilot.analytics.definitions import METRIC_KEYS, Definition, definition
from copilot.analytics.period import Period
from copilot.analytics.rollup import Rollup, member_rollup
from copilot.analytics.scope import Scope
from copilot.config import MetricWindows

# Sales, tickets and units of every sale (member or not) at the scope's stores.
_TICKETS = """
SELECT COUNT(*) AS tickets,
       COALESCE(SUM(t.amount), 0) AS sales,
       COALESCE(SUM(t.units), 0) AS units,
       COALESCE(SUM(CASE WHEN t.member_id IS NOT NULL THEN t.amount END), 0) AS member_sales
FROM transactions t
WHERE {tx_scope} AND t.ts >= :start_ts AND t.ts < :end_next
"""

class MetricValue(BaseModel):
    key: str
    name: str
    value: float | int | None
    numerator: float | int | None = None
    denominator: float | int | None = None
    unit: str
    definition: str


class MetricsReport(BaseModel):
    scope: str
    scope_kind: str
    start: str
    end: str
    metrics: list[MetricValue]

    def value(self, key: str) -> float | int | None:
        return next(m.value for m in self.metrics if m.key == key)

    def as_json(self) -> dict[str, object]:
        """Flat keys for scripts (`--json`): every metric value plus the definitions."""
        out: dict[str, object] = {"scope": self.scope, "start": self.start, "end": self.end}
        out.update({m.key: m.value for m in self.metrics})
        out["details"] = {m.key: m.model_dump(exclude={"key"}) for m in self.metrics}
        return out


def compute_metrics(
    conn: Connection, scope: Scope, period: Period, windows: MetricWindows, lang: str = "zh",
    rollup: Rollup | None = None,
) -> MetricsReport:
    """Every metric for the scope and period; pass a rollup of the same period to reuse it."""
    params = {**period.params(), **scope.params()}
    tickets = conn.execute(scope.sql(_TICKETS, tx_scope="t.store_id"), params).mappings().one()
    members = rollup or member_rollup(conn, scope, period.start, period.end, windows)
    return report_from(tickets, members, scope, period, windows, lang)


def report_from(
    tickets: Mapping[str, object], members: Rollup, scope: Scope, period: Period,
    windows: MetricWindows, lang: str,
) -> MetricsReport:
    buyers = members.total("members", buyers_only=True)
    parts: dict[str, tuple[object, object]] = {
        "active_members": (members.active, None),
        "repurchase_rate": (members.repeaters, members.active),
        "churn_rate": (members.total("churned"), buyers),
        "conversion_rate": (members.total("converted"), members.total("joined")),
        "new_member_share": (members.total("joined"), members.total("members")),
        "member_sales_share": (tickets["member_sales"], tickets["sales"]),
        "avg_ticket": (tickets["sales"], tickets["tickets"]),
        "units_per_ticket": (tickets["units"], tickets["tickets"]),
    }
    values = [
        _value(definition(key, windows), *parts[key], lang=lang) for key in METRIC_KEYS
    ]
    return MetricsReport(scope=scope.label, scope_kind=scope.kind, start=period.start.isoformat(),
                         end=period.end.isoformat(), metrics=values)


def _num(x: object) -> float | int | None:
    if x is None:
        return None
    if isinstance(x, Decimal):
        return int(x) if x == x.to_integral_value() else float(x)
    return x  # type: ignore[return-value]


def _value(d: Definition, numerator: object, denominator: object, lang: str) -> MetricValue:
    num, den = _num(numerator), _num(denominator)
    if d.unit == "count":
        value: float | int | None = num
    elif not den:
        value = None
    else:
        value = round(float(num or 0) / float(den), 6 if d.unit == "rate" else 2)
    return MetricValue(key=d.key, name=d.name(lang), value=value, numerator=num,
                       denominator=den, unit=d.unit, definition=d.text(lang))
