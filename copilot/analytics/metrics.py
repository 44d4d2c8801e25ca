"""Computes the member KPIs for a scope and period from every store's metric parts
(by_store.py), so the same numbers serve one store, a region, the chain and rankings.

Each value keeps its numerator and denominator so any figure shown to a user can be traced
back to the counts it came from. Rates are fractions (0–1); a rate whose denominator is zero
is None, never 0, so "no data" is not mistaken for "zero".
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import Connection

from copilot.analytics.by_store import Parts, StoreParts, store_parts
from copilot.analytics.definitions import METRIC_KEYS, Definition, definition
from copilot.analytics.period import Period
from copilot.analytics.scope import Scope
from copilot.config import MetricWindows


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
    parts: StoreParts | None = None,
) -> MetricsReport:
    """Every metric for the scope and period; pass `parts` of the same period to reuse them."""
    data = parts or store_parts(conn, period, windows, chain_only=scope.kind == "chain")
    return report_from(scope_parts(data, scope), scope, period, windows, lang)


def scope_parts(data: StoreParts, scope: Scope) -> Parts:
    if scope.kind == "store":
        return data.store(scope.store_ids[0])
    if scope.kind == "region":
        return data.region(scope.label)
    return data.chain()


def report_from(
    p: Parts, scope: Scope, period: Period, windows: MetricWindows, lang: str
) -> MetricsReport:
    parts: dict[str, tuple[object, object]] = {
        "active_members": (p.active, None),
        "repurchase_rate": (p.repeaters, p.active),
        "churn_rate": (p.churned, p.buyers),
        "conversion_rate": (p.converted, p.joined),
        "new_member_share": (p.joined, p.members),
        "member_sales_share": (p.member_sales, p.sales),
        "avg_ticket": (p.sales, p.tickets),
        "units_per_ticket": (p.units, p.tickets),
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
