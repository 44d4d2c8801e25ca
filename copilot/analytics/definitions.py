"""Loads the metric definitions (definitions.toml) and fills in the configured windows."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from copilot.config import MetricWindows
from copilot.errors import UserError

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
    aliases: tuple[str, ...] = ()

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
        aliases=tuple(entry.get("aliases", ())),
        **{f: entry[f].format(**fill) for f in ("name_zh", "name_en", "zh", "en")},
    )


def all_definitions(windows: MetricWindows) -> list[Definition]:
    return [definition(k, windows) for k in METRIC_KEYS]


def _squash(name: str) -> str:
    return "".join(name.lower().split()).replace("_", "")


def find_metric(name: str, windows: MetricWindows) -> str:
    """A metric key from its key, Chinese or English name or an alias ("复购", "客单价")."""
    want = _squash(name)
    for d in all_definitions(windows):
        names = (d.key, d.name_zh, d.name_en, d.name_zh.split("(")[0], d.name_en.split(" (")[0],
                 *d.aliases)
        if want in {_squash(n) for n in names}:
            return d.key
    known = "、".join(d.name_zh.split("(")[0] for d in all_definitions(windows))
    raise UserError(f"没有“{name}”这个指标。可以查:{known}。",
                    f"No metric {name!r}. Known: {', '.join(METRIC_KEYS)}.")
