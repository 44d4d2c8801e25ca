"""What the charts draw: plain, validated inputs, so callers (CLI, agent tools, a web
channel) build them from metrics reports without knowing anything about drawing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

from copilot.analytics.definitions import Unit

Direction = Literal["higher_better", "lower_better"]
UNITS: tuple[str, ...] = get_args(Unit)  # the metrics library's units: one list to extend


class MetricRow(BaseModel):
    """One metric of one store, with the three references a supervisor compares it to.

    Rates are fractions (0.234 = 23.4%), as `copilot metrics --json` prints them; any
    value may be None when its denominator was empty.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    unit: Unit
    store: float | None
    previous: float | None = None
    region_avg: float | None = None
    chain_avg: float | None = None
    abnormal: bool = False
    direction: Direction = "higher_better"

    def index(self, value: float | None) -> float | None:
        """`value` as an index where 100 = the chain average; None when not comparable
        (no value, or no positive chain average to divide by)."""
        if value is None or self.chain_avg is None or self.chain_avg <= 0:
            return None
        return value / self.chain_avg * 100

    def is_favourable(self) -> bool | None:
        """Whether the store is on the good side of the chain average (None: unknown)."""
        if self.store is None or self.chain_avg is None or self.store == self.chain_avg:
            return None
        above = self.store > self.chain_avg
        return above if self.direction == "higher_better" else not above


class DiagnosisChartData(BaseModel):
    """A store diagnosis: a title such as "北京朝阳大悦城店 诊断 2026-10-01 ~ 2026-10-31"
    and one row per metric, drawn top to bottom in the given order."""

    model_config = ConfigDict(frozen=True)

    title: str
    metrics: list[MetricRow]


@dataclass(frozen=True)
class ChartImage:
    """A rendered chart and what the caller should know about how it rendered.

    `warnings` lists characters no available font could draw (shown as boxes) and other
    problems worth telling the user; `fallbacks` maps each character the shipped font lacks
    to the system font family that drew it instead.
    """

    png: bytes
    warnings: list[str] = field(default_factory=list)
    fallbacks: dict[str, str] = field(default_factory=dict)
