"""Purchase events: when each member buys, where, from whom, through which channel.

Members buy as a Poisson process at their own rate while active (first purchase, repeats,
a birthday-month lift); walk-in shoppers fill each store's non-member share of tickets.
Rates are scaled once so the chain lands near the preset's number of transactions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copilot.data.demo.calendar import Calendar, sample_days
from copilot.data.demo.chain import Staffing, StoreParams
from copilot.data.demo.members import Cohort

CHANNELS = ("store", "miniapp", "wecom", "live")
MEMBER_CHANNEL_P = (0.74, 0.12, 0.10, 0.04)  # wecom only for members added on WeCom
WALKIN_CHANNEL_P = (0.93, 0.05, 0.0, 0.02)
ELSEWHERE_SHARE = 0.15  # in-store member visits outside the home store (~10 % of all)
OWNER_SHARE = 0.80  # home-store visits served by the member's own staff
NO_STAFF_SHARE = 0.05
BIRTHDAY_LIFT = 0.8  # top chance of a birthday-month purchase, for the keenest members
_STORE_HOURS = np.array([4, 6, 7, 7, 9, 10, 10, 9, 9, 10, 10, 9], float)  # 10:00..21:00
_ONLINE_HOURS = np.array([2, 3, 4, 5, 5, 4, 4, 5, 5, 5, 6, 8, 10, 12, 10, 6], float)  # 8..23


@dataclass(frozen=True)
class Tickets:
    """One row per transaction (not yet sorted); member -1 = walk-in, staff -1 = none."""

    member: np.ndarray
    store: np.ndarray
    staff: np.ndarray
    day: np.ndarray
    sec: np.ndarray
    channel: np.ndarray  # index into CHANNELS
    units: np.ndarray


def _birthday_days(
    rng: np.random.Generator, cohort: Cohort, cal: Calendar
) -> tuple[np.ndarray, np.ndarray]:
    """(member, day) of extra purchases in the days before and after a birthday."""
    known = ~np.isnat(cohort.birthday)
    month = cohort.birthday.astype("datetime64[M]").astype(np.int64) % 12
    dom = (cohort.birthday - cohort.birthday.astype("datetime64[M]")).astype(np.int64)
    start = np.datetime64(cal.start, "D")
    p = BIRTHDAY_LIFT * cohort.rate / (cohort.rate + 1.0)
    members, days = [], []
    for year in range(cal.start.year, cal.end.year + 1):
        first = ((year - 1970) * 12 + month).astype("datetime64[M]").astype("datetime64[D]")
        day = (first + dom - start).astype(np.int64) + rng.integers(-10, 8, len(month))
        ok = known & (day >= cohort.active_from) & (day <= cohort.active_to)
        ok &= rng.random(len(month)) < p
        members.append(np.flatnonzero(ok))
        days.append(day[ok])
    return np.concatenate(members), np.concatenate(days)


def _repeat_days(
    rng: np.random.Generator, cohort: Cohort, cal: Calendar, budget: float
) -> tuple[np.ndarray, np.ndarray]:
    """(member, day) of purchases while active, rates scaled to spend `budget` tickets."""
    span = np.maximum(cohort.active_to - cohort.active_from + 1, 0)
    exposure = cohort.rate * span
    scale = max(budget, 0.0) / max(exposure.sum(), 1.0)
    count = rng.poisson(exposure * scale)
    member = np.repeat(np.arange(len(cohort)), count)
    lo, hi = cohort.active_from[member], cohort.active_to[member]
    return member, sample_days(rng, cal.member_weight, lo, hi)


def _where_bought(
    rng: np.random.Generator, home: np.ndarray, day: np.ndarray, params: StoreParams
) -> np.ndarray:
    """Mostly the home store; sometimes another open store in the same region."""
    region = params.region[home]
    lo = np.searchsorted(params.region, region, side="left")
    hi = np.searchsorted(params.region, region, side="right")
    other = lo + np.floor(rng.random(len(home)) * (hi - lo)).astype(np.int64)
    away = (rng.random(len(home)) < ELSEWHERE_SHARE) & (params.open_day[other] <= day)
    return np.where(away, other, home)


def _hours(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    """Seconds after midnight: store opening hours in store, evenings online."""
    n = len(channel)
    store_h = 10 + rng.choice(len(_STORE_HOURS), n, p=_STORE_HOURS / _STORE_HOURS.sum())
    online_h = 8 + rng.choice(len(_ONLINE_HOURS), n, p=_ONLINE_HOURS / _ONLINE_HOURS.sum())
    return np.where(channel == 0, store_h, online_h) * 3600 + rng.integers(0, 3600, n)


def _units(
    rng: np.random.Generator, store: np.ndarray, day: np.ndarray, basket: np.ndarray,
    params: StoreParams, cal: Calendar,
) -> np.ndarray:
    """Units per ticket, 1–6: more on promotion days, at strong stores, for big spenders."""
    mu = 1.0 * params.units[store] * basket ** 0.6 * (1.0 + 0.8 * (1.0 - cal.discount[day]))
    return np.minimum(1 + rng.poisson(mu), 6)


def _channel(rng: np.random.Generator, n: int, p: tuple[float, ...]) -> np.ndarray:
    return rng.choice(len(CHANNELS), n, p=np.asarray(p) / sum(p))


def member_tickets(
    rng: np.random.Generator, cohort: Cohort, params: StoreParams, staffing: Staffing,
    cal: Calendar, target: int,
) -> Tickets:
    """Every member purchase in the window; `target` is the member ticket count to aim at."""
    first_m = np.flatnonzero(cohort.first_day >= 0)
    bday_m, bday_d = _birthday_days(rng, cohort, cal)
    rep_m, rep_d = _repeat_days(rng, cohort, cal, target - len(first_m) - len(bday_m))
    member = np.concatenate((first_m, bday_m, rep_m))
    day = np.concatenate((cohort.first_day[first_m], bday_d, rep_d))
    is_first = np.arange(len(member)) < len(first_m)
    home = cohort.home[member]

    channel = _channel(rng, len(member), MEMBER_CHANNEL_P)
    channel[(channel == 2) & ~cohort.wecom[member]] = 0
    channel[is_first] = 0
    store = np.where(channel == 0, _where_bought(rng, home, day, params), home)
    store[is_first] = home[is_first]

    owner = cohort.owner[member]
    own = (store == home) & (owner >= 0) & (rng.random(len(member)) < OWNER_SHARE)
    staff = np.where(own | ((channel == 2) & (owner >= 0)), owner, staffing.pick(rng, store))
    staff[rng.random(len(member)) < NO_STAFF_SHARE] = -1

    sec = _hours(rng, channel)
    sec[is_first] = np.minimum(cohort.join_sec[member[is_first]]
                               + rng.integers(120, 1200, len(first_m)), 86_399)
    units = _units(rng, store, day, cohort.basket[member], params, cal)
    return Tickets(member, store, staff, day, sec, channel, units)


def walkin_tickets(
    rng: np.random.Generator, member_tickets_per_store: np.ndarray, params: StoreParams,
    staffing: Staffing, cal: Calendar,
) -> Tickets:
    """Non-member tickets: each store's members make up `member_share` of its tickets."""
    share = params.member_share
    count = np.round(member_tickets_per_store * (1 - share) / share).astype(np.int64)
    store = np.repeat(np.arange(len(count)), count)
    lo = np.clip(params.open_day[store], 0, cal.days - 1)
    day = sample_days(rng, cal.walkin_weight, lo, np.full(len(store), cal.days - 1))
    channel = _channel(rng, len(store), WALKIN_CHANNEL_P)
    staff = staffing.pick(rng, store)
    staff[rng.random(len(store)) < NO_STAFF_SHARE] = -1
    units = _units(rng, store, day, np.full(len(store), 0.85), params, cal)
    member = np.full(len(store), -1)
    return Tickets(member, store, staff, day, _hours(rng, channel), channel, units)
