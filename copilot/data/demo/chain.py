"""The chain itself: stores, their staff, and the hidden health of each store.

Stores differ in how well they are run only through `StoreParams`, numbers drawn from the
seeded RNG that steer the simulation (repurchase propensity, churn hazard, acquisition,
member share of sales, WeCom add rate). They never reach a table, so a metric tool has to
find the weak stores from the data, as it would in a real chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from copilot.data.demo.names import person_names
from copilot.data.demo.places import city_quota, mall_names
from copilot.data.demo.sizes import DemoSize

ROLE_WEIGHT = {"store_manager": 0.5, "staff": 1.0, "trainee": 0.3}  # share of members / sales
NEW_STORE_SHARE = 0.12  # opened within the last year
WEAK_REPURCHASE_SHARE = 0.20
HIGH_CHURN_SHARE = 0.15


@dataclass(frozen=True)
class StoreParams:
    """Per-store simulation knobs (index = store position); never written anywhere."""

    region: np.ndarray  # region index
    open_day: np.ndarray  # first trading day relative to the window start (may be < 0)
    repurchase: np.ndarray  # multiplies members' purchase rate
    churn: np.ndarray  # multiplies the hazard of lapsing
    acquisition: np.ndarray  # multiplies new-member sign-ups
    member_share: np.ndarray  # members' share of transactions
    wecom_rate: np.ndarray
    opt_out_rate: np.ndarray
    never_buy: np.ndarray  # share of new members who never buy
    units: np.ndarray  # multiplies units per ticket (连带)


@dataclass(frozen=True)
class Staffing:
    """Who sells in each store, as weighted segments for vectorised picks."""

    frame: pd.DataFrame
    seller: np.ndarray  # staff row of each seller, grouped by store
    cum: np.ndarray  # cumulative seller weight with a leading 0
    store_lo: np.ndarray  # per store: cum value where its sellers start
    store_hi: np.ndarray

    def pick(self, rng: np.random.Generator, store: np.ndarray) -> np.ndarray:
        """A weighted random seller (staff row) of each given store."""
        lo, hi = self.store_lo[store], self.store_hi[store]
        pos = np.searchsorted(self.cum, lo + rng.random(len(store)) * (hi - lo), side="right")
        return self.seller[np.clip(pos - 1, 0, len(self.seller) - 1)]


def _pick_some(rng: np.random.Generator, n: int, share: float, avoid: set[int]) -> np.ndarray:
    """About `share` of n stores (at least one), drawn from those not in `avoid`."""
    pool = np.array([i for i in range(n) if i not in avoid] or list(range(n)))
    k = min(len(pool), max(1, round(share * n)))
    return rng.choice(pool, size=k, replace=False)


def _layout(rng: np.random.Generator, size: DemoSize) -> tuple[list[str], list[str], list[str]]:
    """Region, city and name of every store, regions split evenly, big cities first."""
    regions, cities, names = [], [], []
    per_region = np.full(len(size.regions), size.stores // len(size.regions))
    per_region[: size.stores % len(size.regions)] += 1
    for region, count in zip(size.regions, per_region, strict=True):
        for city, quota in city_quota(region, int(count)):
            names += mall_names(rng, city, region, quota)
            regions += [region] * quota
            cities += [city] * quota
    return regions, cities, names


def make_stores(
    rng: np.random.Generator, size: DemoSize, start: date, end: date
) -> tuple[pd.DataFrame, StoreParams]:
    """Stores S001… with real-sounding mall names, and their hidden health parameters."""
    regions, cities, names = _layout(rng, size)
    n = len(names)
    region_idx = np.array([size.regions.index(r) for r in regions])
    flagships = {int(np.argmax(region_idx == r)) for r in range(len(size.regions))}
    age = rng.integers(800, 4400, n)  # days before `end`
    new = _pick_some(rng, n, NEW_STORE_SHARE, flagships)
    age[new] = rng.integers(45, 330, len(new))
    opened = [end - timedelta(days=int(a)) for a in age]
    open_day = np.array([(d - start).days for d in opened])
    repurchase = rng.lognormal(0.0, 0.12, n)
    weak = _pick_some(rng, n, WEAK_REPURCHASE_SHARE, set(new.tolist()))
    repurchase[weak] *= rng.uniform(0.35, 0.5, len(weak))
    churn = rng.lognormal(0.0, 0.12, n)
    high_churn = _pick_some(rng, n, HIGH_CHURN_SHARE, set())
    churn[high_churn] *= rng.uniform(2.2, 3.0, len(high_churn))
    wecom = rng.uniform(0.40, 0.85, n)
    wecom[weak] = np.maximum(0.40, wecom[weak] * 0.8)
    params = StoreParams(
        region=region_idx, open_day=open_day, repurchase=repurchase, churn=churn,
        acquisition=rng.lognormal(0.0, 0.3, n),
        member_share=np.clip(rng.normal(0.65, 0.04, n), 0.56, 0.74),
        wecom_rate=wecom, opt_out_rate=rng.uniform(0.02, 0.08, n),
        never_buy=rng.uniform(0.07, 0.15, n), units=rng.lognormal(0.0, 0.1, n),
    )
    frame = pd.DataFrame({
        "store_id": [f"S{i + 1:03d}" for i in range(n)],
        "name": names,
        "region": regions,
        "city": cities,
        "opened_on": pd.to_datetime(opened).as_unit("s"),
    })
    return frame, params


def _roster(rng: np.random.Generator, stores: pd.DataFrame) -> list[tuple[int, str, str]]:
    """(store row or -1, role, region) for everyone: store teams, supervisors, admins."""
    rows: list[tuple[int, str, str]] = []
    for i, region in enumerate(stores["region"]):
        rows.append((i, "store_manager", region))
        rows += [(i, "staff", region)] * int(rng.integers(3, 9))
        rows += [(i, "trainee", region)] * int(rng.integers(0, 3))
    rows += [(-1, "supervisor", r) for r in dict.fromkeys(stores["region"])]
    rows += [(-1, "admin", "")] * int(rng.integers(1, 3))
    return rows


def make_staff(rng: np.random.Generator, stores: pd.DataFrame) -> Staffing:
    """Staff E0001…: per store a manager, 3–8 staff, 0–2 trainees; supervisors; admins."""
    rows = _roster(rng, stores)
    store = np.array([r[0] for r in rows])
    role = np.array([r[1] for r in rows], dtype=object)
    names = person_names(rng, rng.random(len(rows)) < 0.85)
    store_ids = stores["store_id"].to_numpy(dtype=object)
    frame = pd.DataFrame({
        "staff_id": [f"E{i + 1:04d}" for i in range(len(rows))],
        "name": names,
        "store_id": np.where(store >= 0, store_ids[np.maximum(store, 0)], None),
        "role": role,
        "region": np.array([r[2] or None for r in rows], dtype=object),
    })
    seller = np.flatnonzero(store >= 0)  # already grouped by store, in store order
    weight = np.array([ROLE_WEIGHT[r] for r in role[seller]]) * rng.lognormal(0, 0.35, len(seller))
    cum = np.concatenate(([0.0], np.cumsum(weight)))
    first = np.searchsorted(store[seller], np.arange(len(stores)), side="left")
    last = np.searchsorted(store[seller], np.arange(len(stores)), side="right")
    return Staffing(frame, seller, cum, cum[first], cum[last])
