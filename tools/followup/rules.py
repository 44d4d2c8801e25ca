"""The follow-up rules as data: actions and playbooks per reason, plus the date and tier math.

The actions and their playbooks live in `tools/followup_rules.toml` so operations can edit
them; this module loads that file once, checks every cited playbook section exists (a typo
there would send staff to a page that is not there), and holds the small pure functions
that decide whether a member is due: exact lifecycle days, birthdays across the year end and
29 February, and "close to the next tier".
"""

from __future__ import annotations

import calendar
import math
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from pydantic import BaseModel, Field

from knowledge.playbook import Playbook, load_playbooks, shipped_playbooks
from tools.base import Citation

RULES_FILE = "followup_rules.toml"


class Rule(BaseModel):
    action: str
    playbook: str
    section: str
    service: bool = False  # a service contact, still made to members who opted out


class Bucket(Rule):
    until: int = Field(ge=1)
    stage: str


class LifecycleRules(BaseModel):
    text: str
    bucket: list[Bucket]


class TextRule(Rule):
    text: str


class TierRule(TextRule):
    keep_text: str


class Rules(BaseModel):
    opt_out_note: str
    lifecycle: LifecycleRules
    birthday: TextRule
    tier_upgrade: TierRule

    def all_rules(self) -> list[Rule]:
        return [*self.lifecycle.bucket, self.birthday, self.tier_upgrade]

    def bucket(self, days: int) -> Bucket:
        """The first bucket reaching `days`; beyond the last one the last one still applies."""
        for b in self.lifecycle.bucket:
            if days <= b.until:
                return b
        return self.lifecycle.bucket[-1]


@cache
def playbooks() -> dict[str, Playbook]:
    return {b.id: b for b in load_playbooks(shipped_playbooks())}


@cache
def load_rules() -> Rules:
    """The rules file, checked: buckets in order, every playbook and section present."""
    raw = (resources.files("tools") / RULES_FILE).read_text(encoding="utf-8")
    rules = Rules.model_validate(tomllib.loads(raw))
    untils = [b.until for b in rules.lifecycle.bucket]
    if not untils or untils != sorted(set(untils)):
        raise ValueError(f"{RULES_FILE}: lifecycle buckets must be in increasing `until` order")
    for rule in rules.all_rules():
        citation(rule)  # raises on a missing playbook or section
    return rules


def citation(rule: Rule) -> Citation:
    book = playbooks().get(rule.playbook)
    if book is None:
        raise ValueError(f"{RULES_FILE}: no playbook {rule.playbook!r}")
    if rule.section not in book.heading_names:
        raise ValueError(f"{RULES_FILE}: playbook {rule.playbook!r} has no section "
                         f"{rule.section!r}")
    return Citation(playbook=book.id, title=book.title, section=rule.section)


def money(value: float) -> str:
    """¥1,234 for whole yuan, ¥1,234.50 otherwise: how staff say an amount."""
    return f"¥{value:,.0f}" if float(value).is_integer() else f"¥{value:,.2f}"


# ---- birthdays ----------------------------------------------------------------------------
def _celebrated(birthday: date, year: int) -> date:
    """The day a birthday is celebrated in `year`: 29 February falls on 28 February in a
    year without one."""
    if birthday.month == 2 and birthday.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, birthday.month, birthday.day)


def birthday_in(day: date, birthday: date | None, days: int) -> int | None:
    """Days from `day` to the member's next celebrated birthday when within `days`, else None.
    Works across the year end (seen from 30 December, 2 January is 3 days away)."""
    if birthday is None:
        return None
    for year in (day.year, day.year + 1):
        ahead = (_celebrated(birthday, year) - day).days
        if 0 <= ahead <= days:
            return ahead
    return None


def when_words(ahead: int) -> str:
    return {0: "今天", 1: "明天", 2: "后天"}.get(ahead, f"{ahead} 天后")


# ---- tiers --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TierBand:
    """Spend in [low, threshold) is close to `tier`: at least `share` of its threshold and
    not yet past the tier below it (so `tier` is the next threshold above the spend)."""

    tier: str
    low: float
    threshold: float


def tier_bands(thresholds: dict[str, float], share: float) -> list[TierBand]:
    out, below = [], 0.0
    for tier, threshold in sorted(thresholds.items(), key=lambda kv: kv[1]):
        low = max(below, round(share * threshold, 2))
        if low < threshold:
            out.append(TierBand(tier, low, threshold))
        below = threshold
    return out


def near_tier(spend: float, bands: list[TierBand]) -> TierBand | None:
    return next((b for b in bands if b.low <= spend < b.threshold), None)


def gap_to(band: TierBand, spend: float) -> float:
    """What is still missing, rounded up to the fen so it is never under-stated."""
    return math.ceil(round((band.threshold - spend) * 100, 6)) / 100


def tier_rank(tier: str | None, thresholds: dict[str, float]) -> int:
    """0 for the base card (or an unknown name), 1 for the lowest threshold, and so on."""
    order = [t for t, _ in sorted(thresholds.items(), key=lambda kv: kv[1])]
    return order.index(tier) + 1 if tier in order else 0
