"""The retail calendar behind the demo: when people buy, and how deep the discounts are.

Weights are relative sales intensity per day of the window. Members react to member days
and promotions more than walk-in shoppers do, so they get their own weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

# 春节 (lunar new year's day). Years outside the table simply get no holiday effect.
SPRING_FESTIVAL: dict[int, date] = {
    2018: date(2018, 2, 16), 2019: date(2019, 2, 5), 2020: date(2020, 1, 25),
    2021: date(2021, 2, 12), 2022: date(2022, 2, 1), 2023: date(2023, 1, 22),
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
    2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
    2030: date(2030, 2, 3), 2031: date(2031, 1, 23), 2032: date(2032, 2, 11),
    2033: date(2033, 1, 31), 2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
}
# Days from 春节 (day 0 = 初一) -> factor: shopping for new clothes before, shut around it.
_SPRING_CURVE: tuple[tuple[int, int, float], ...] = (
    (-24, -8, 1.25), (-7, -3, 1.45), (-2, -2, 0.7), (-1, -1, 0.3), (0, 0, 0.25),
    (1, 2, 0.45), (3, 6, 0.75), (7, 14, 0.9),
)
_WEEKDAY = np.array([0.82, 0.84, 0.88, 0.92, 1.05, 1.38, 1.30])  # Monday first
_MONTH = np.array([1.05, 0.90, 1.00, 1.00, 1.00, 0.95, 0.85, 0.85, 1.00, 1.10, 1.05, 1.15])
MEMBER_DAY = 8  # monthly member day (会员日), also 女神节 on March 8
_NORMAL_DISCOUNT = 0.96


@dataclass(frozen=True)
class Calendar:
    """Per-day arrays over the window: day 0 = `start`, last day = `end`."""

    start: date
    end: date
    dates: np.ndarray  # datetime64[D]
    month: np.ndarray  # 1..12
    member_weight: np.ndarray
    walkin_weight: np.ndarray
    join_weight: np.ndarray
    discount: np.ndarray  # typical price factor of the day (1 = full price)

    @property
    def days(self) -> int:
        return len(self.dates)


def _festivals(dates: np.ndarray, month: np.ndarray, dom: np.ndarray) -> np.ndarray:
    """Shopping festivals: 双11, 618, 38, golden weeks, 双12, year end."""
    f = np.ones(len(dates))
    md = month * 100 + dom
    f[(md >= 1020) & (md <= 1031)] *= 1.1
    f[(md >= 1101) & (md <= 1110)] *= 1.35 + 0.04 * (dom[(md >= 1101) & (md <= 1110)] - 1)
    f[md == 1111] *= 2.6
    f[(md >= 1112) & (md <= 1113)] *= 1.15
    f[(md >= 601) & (md <= 615)] *= 1.12
    f[(md >= 616) & (md <= 617)] *= 1.5
    f[md == 618] *= 2.0
    f[(md >= 307) & (md <= 308)] *= 1.3
    f[(md >= 501) & (md <= 505)] *= 1.25
    f[md == 520] *= 1.2
    f[(md >= 1001) & (md <= 1007)] *= 1.35
    f[md == 1212] *= 1.3
    f[(md >= 1224) | (md == 101)] *= 1.2
    return f


def _spring(dates: np.ndarray) -> np.ndarray:
    """The 春节 curve: a rise in the weeks before, a deep dip around the holiday."""
    f = np.ones(len(dates))
    for day in SPRING_FESTIVAL.values():
        offset = (dates - np.datetime64(day, "D")).astype(int)
        for lo, hi, factor in _SPRING_CURVE:
            f[(offset >= lo) & (offset <= hi)] *= factor
    return f


def _discount(month: np.ndarray, dom: np.ndarray, spring: np.ndarray) -> np.ndarray:
    """Deeper discounts on festival days, member days and season-end clearance."""
    md = month * 100 + dom
    d = np.full(len(md), _NORMAL_DISCOUNT)
    d[np.isin(month, (1, 7))] = 0.9  # 换季清仓
    d[dom == MEMBER_DAY] = 0.88
    d[spring > 1.0] = np.minimum(d[spring > 1.0], 0.92)
    d[(md >= 601) & (md <= 618)] = 0.82
    d[(md >= 1101) & (md <= 1111)] = 0.75
    d[md == 1212] = 0.85
    return d


def make_calendar(end: date, days: int) -> Calendar:
    """All seasonality for the `days` days ending on `end` (inclusive)."""
    start = end - timedelta(days=days - 1)
    dates = np.datetime64(start, "D") + np.arange(days)
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    dom = (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    weekday = (dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    spring = _spring(dates)
    base = _WEEKDAY[weekday] * _MONTH[month - 1] * spring * _festivals(dates, month, dom)
    member_day = np.where(dom == MEMBER_DAY, 1.6, 1.0)
    growth = 1.0 + 0.15 * np.arange(days) / days  # the member programme is gaining ground
    return Calendar(
        start=start, end=end, dates=dates, month=month,
        member_weight=base * member_day,
        walkin_weight=base * np.where(dom == MEMBER_DAY, 1.05, 1.0),
        join_weight=base * growth * np.where(dom == MEMBER_DAY, 1.3, 1.0),
        discount=_discount(month, dom, spring),
    )


def sample_days(
    rng: np.random.Generator, weight: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """One day per row in [lo, hi] (inclusive), drawn in proportion to `weight`."""
    cum = np.concatenate(([0.0], np.cumsum(weight)))
    a, b = cum[lo], cum[hi + 1]
    day = np.searchsorted(cum, a + rng.random(len(lo)) * (b - a), side="right") - 1
    return np.clip(day, lo, hi)
