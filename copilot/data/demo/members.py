"""Who the members are and how they behave: sign-up, first purchase, purchase rate, lapse.

Each member gets a purchase propensity (heavy-tailed: most buy rarely, a few monthly), a
lifetime after which they lapse (the churn hazard), and a first purchase that usually comes
at sign-up. All of it is drawn per column for every member at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copilot.data.demo.calendar import Calendar, sample_days
from copilot.data.demo.chain import Staffing, StoreParams

PRE_WINDOW_SHARE = 0.30  # members who joined before the two-year window
MAX_TENURE_DAYS = 5 * 365  # the oldest members joined up to five years before the window
RATE_SHAPE = 1.5  # gamma shape of the purchase propensity: small = heavier tail
MAX_RATE = 3.5  # even the keenest member buys at most ~3.5x the average rate
MEAN_LIFETIME_DAYS = 720.0  # mean active life before lapsing, at churn multiplier 1
DORMANT_SHARE = 0.12  # older members who had already lapsed before the window
ONE_AND_DONE = 0.22  # new buyers who never come back, at repurchase multiplier 1
FEMALE_SHARE = 0.88
NO_BIRTHDAY_SHARE = 0.08
NO_OWNER_SHARE = 0.05
# First purchase of a new member: same visit, within 30 days, or later (the rest).
FIRST_SAME_DAY, FIRST_WITHIN_30 = 0.64, 0.14
OPEN_SEC, CLOSE_SEC = 10 * 3600, 21 * 3600 + 1800


@dataclass(frozen=True)
class Cohort:
    """Per-member arrays, in member-id order (oldest member first)."""

    home: np.ndarray  # store row
    join_day: np.ndarray  # day relative to the window start (< 0: before it)
    join_sec: np.ndarray  # seconds after midnight
    female: np.ndarray
    birthday: np.ndarray  # datetime64[D], NaT where unknown
    owner: np.ndarray  # staff row, -1 where no staff owns the member
    wecom: np.ndarray
    opt_out: np.ndarray
    rate: np.ndarray  # relative purchase propensity, mean about 1
    basket: np.ndarray  # ticket-size multiplier
    first_day: np.ndarray  # sign-up purchase day of a new member, -1 if none in the window
    active_from: np.ndarray  # first day other purchases may happen
    active_to: np.ndarray  # last active day; < active_from means none in the window

    def __len__(self) -> int:
        return len(self.home)


def _pre_window(
    rng: np.random.Generator, n: int, params: StoreParams
) -> tuple[np.ndarray, np.ndarray]:
    """Home store and join day of members who joined before the window (old stores only)."""
    age = np.clip(-params.open_day, 0, MAX_TENURE_DAYS)
    weight = params.acquisition * age
    home = rng.choice(len(age), n, p=weight / weight.sum())
    return home, -1 - np.floor(rng.random(n) * age[home]).astype(np.int64)


def _in_window(
    rng: np.random.Generator, n: int, params: StoreParams, cal: Calendar
) -> tuple[np.ndarray, np.ndarray]:
    """Home store and join day of new members, following the sign-up calendar."""
    first_open = np.clip(params.open_day, 0, cal.days - 1)
    weight = params.acquisition * (cal.days - first_open)
    home = rng.choice(len(weight), n, p=weight / weight.sum())
    lo = first_open[home]
    return home, sample_days(rng, cal.join_weight, lo, np.full(n, cal.days - 1))


def _birthdays(rng: np.random.Generator, n: int, cal: Calendar) -> np.ndarray:
    """Ages mostly 25–45; about 8 % never gave a birthday."""
    age = np.clip(np.round(rng.normal(34, 8, n)), 18, 65).astype(np.int64)
    year = (cal.end.year - age - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    birthday = year + rng.integers(0, 365, n)
    birthday[rng.random(n) < NO_BIRTHDAY_SHARE] = np.datetime64("NaT")
    return birthday


def _first_purchase(
    rng: np.random.Generator, join_day: np.ndarray, never: np.ndarray, days: int
) -> np.ndarray:
    """Day of a new member's first purchase: mostly at sign-up, -1 if none in the window."""
    n = len(join_day)
    u = rng.random(n)
    later = join_day + 31 + np.floor(rng.exponential(90.0, n)).astype(np.int64)
    soon = join_day + rng.integers(1, 31, n)
    first = np.where(u < FIRST_SAME_DAY, join_day,
                     np.where(u < FIRST_SAME_DAY + FIRST_WITHIN_30, soon, later))
    return np.where(never | (join_day < 0) | (first >= days), -1, first)


def _propensity(
    rng: np.random.Generator, home: np.ndarray, owner: np.ndarray, wecom: np.ndarray,
    params: StoreParams,
) -> tuple[np.ndarray, np.ndarray]:
    """Purchase rate (capped gamma) and ticket size; looked-after members buy more."""
    n = len(home)
    rate = np.minimum(rng.gamma(RATE_SHAPE, 1.0 / RATE_SHAPE, n), MAX_RATE)
    rate *= params.repurchase[home]
    rate *= np.where(wecom, 1.3, 1.0) * np.where(owner >= 0, 1.0, 0.75)
    basket = rng.lognormal(0.0, 0.25, n) * np.maximum(rate, 0.05) ** 0.1
    return rate, basket


def _active_span(
    rng: np.random.Generator, home: np.ndarray, join_day: np.ndarray, params: StoreParams,
    days: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First purchase day, and the days between which a member keeps buying.

    New members start at their first purchase (unless they never buy or never come back);
    older members are already active when the window opens, unless they lapsed before it.
    Either way they lapse after a lifetime that the store's churn multiplier shortens.
    """
    n = len(home)
    life = np.floor(rng.exponential(MEAN_LIFETIME_DAYS, n) / params.churn[home] ** 1.5)
    once = rng.random(n) < np.minimum(0.7, ONE_AND_DONE / params.repurchase[home] ** 1.2)
    never = rng.random(n) < params.never_buy[home]
    first = _first_purchase(rng, join_day, never, days)
    old = join_day < 0
    dormant = old & (rng.random(n) < np.minimum(0.6, DORMANT_SHARE * params.churn[home]))
    active_from = np.where(old, 0, np.where(first >= 0, first + 1, days))
    start = np.where(old, 0, first)
    active_to = np.where(dormant | (~old & ((first < 0) | once)), -1,
                         np.minimum(start + life, days - 1))
    return first, active_from.astype(np.int64), active_to.astype(np.int64)


def make_members(
    rng: np.random.Generator, n: int, params: StoreParams, staffing: Staffing, cal: Calendar
) -> Cohort:
    """`n` members with their hidden behaviour, shaped by their home store's parameters."""
    n_pre = round(n * PRE_WINDOW_SHARE)
    h_old, d_old = _pre_window(rng, n_pre, params)
    h_new, d_new = _in_window(rng, n - n_pre, params, cal)
    home, join_day = np.concatenate((h_old, h_new)), np.concatenate((d_old, d_new))
    join_sec = rng.integers(OPEN_SEC, CLOSE_SEC, n)
    order = np.lexsort((join_sec, join_day))
    home, join_day, join_sec = home[order], join_day[order], join_sec[order]

    owner = staffing.pick(rng, home)
    owner[rng.random(n) < NO_OWNER_SHARE] = -1
    wecom = rng.random(n) < params.wecom_rate[home] * np.where(owner >= 0, 1.0, 0.3)
    rate, basket = _propensity(rng, home, owner, wecom, params)
    first, active_from, active_to = _active_span(rng, home, join_day, params, cal.days)
    return Cohort(
        home=home, join_day=join_day, join_sec=join_sec,
        female=rng.random(n) < FEMALE_SHARE, birthday=_birthdays(rng, n, cal),
        owner=owner, wecom=wecom, opt_out=rng.random(n) < params.opt_out_rate[home],
        rate=rate, basket=basket, first_day=first, active_from=active_from, active_to=active_to,
    )
