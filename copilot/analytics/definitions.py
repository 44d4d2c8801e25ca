"""Loads the metric definitions (definitions.toml) and fills in the configured windows."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from copilot.config import MetricWindows

Unit = Literal["count", "rate", "money", "ratio"]

METRIC_KEYS = (
    "active_members", "repurchase_rate", "churn_rate", "conversion_rate",
    "new_member_share", "member_sales_share", "avg_ticket", "units_per_ticket",
)


@dataclass(frozen=True)
class Definition:
    key: str
    unit: Unit
    name_zh: str
    name_en: str
    zh: str
    en: str

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@cache
def _raw() -> dict[str, dict[str, str]]:
    source = resources.files("copilot.analytics") / "definitions.toml"
    return tomllib.loads(source.read_text(encoding="utf-8"))


def definition(key: str, windows: MetricWindows) -> Definition:
    entry = _raw()[key]
    fill = windows.model_dump()
    return Definition(
        key=key,
        unit=entry["unit"],  # type: ignore[arg-type]
        **{f: entry[f].format(**fill) for f in ("name_zh", "name_en", "zh", "en")},
    )


def all_definitions(windows: MetricWindows) -> list[Definition]:
    return [definition(k, windows) for k in METRIC_KEYS]
