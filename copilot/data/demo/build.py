"""Generate a deterministic demo chain and load it into the member store in one write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, timedelta

import numpy as np
import pandas as pd

from copilot.data.bulk import insert_frame
from copilot.data.dataset import mark_demo
from copilot.data.demo import frames as fr
from copilot.data.demo.baskets import Lines, make_lines, ticket_discount
from copilot.data.demo.calendar import Calendar, make_calendar
from copilot.data.demo.chain import Staffing, make_staff, make_stores
from copilot.data.demo.members import Cohort, make_members
from copilot.data.demo.products import Assortment, make_products
from copilot.data.demo.profiles import make_profiles
from copilot.data.demo.purchases import Tickets, member_tickets, walkin_tickets
from copilot.data.demo.sizes import SIZES, DemoSize
from copilot.data.store import MemberStore

Progress = Callable[[str, float], None]
GENERATED = 0.6  # share of the progress bar for generating; the rest is for writing
TABLES = ("stores", "staff", "members", "products", "transactions", "line_items",
          "member_tags")
# New streams go at the end: SeedSequence children are numbered, so existing parts keep
# their numbers (and the demo its figures) when a part is added.
_STREAMS = ("stores", "staff", "products", "members", "purchases", "walkins", "baskets",
            "profiles", "tags")


@dataclass(frozen=True)
class DemoFrames:
    """The member-data tables, columns exactly as in the schema, and the window."""

    stores: pd.DataFrame
    staff: pd.DataFrame
    members: pd.DataFrame
    products: pd.DataFrame
    transactions: pd.DataFrame
    line_items: pd.DataFrame
    member_tags: pd.DataFrame
    start: date
    end: date


@dataclass(frozen=True)
class DemoSummary:
    """What `build_demo` made, for the command line to print."""

    size: str
    seed: int
    stores: int
    staff: int
    members: int
    transactions: int
    line_items: int
    start: date
    end: date
    member_tags: int = 0
    notes: int = 0

    def __str__(self) -> str:
        return (f"{self.size}(种子 {self.seed}):{self.stores} 家门店、{self.staff} 名员工、"
                f"{self.members:,} 名会员({self.member_tags:,} 个标签、{self.notes:,} 条备注)、"
                f"{self.transactions:,} 笔交易({self.line_items:,} 条明细),"
                f"{self.start} 至 {self.end}")


def _rngs(seed: int) -> dict[str, np.random.Generator]:
    """One independent stream per part, so changing one part leaves the others as they were."""
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return {name: np.random.default_rng(s) for name, s in zip(_STREAMS, children, strict=True)}


def _concat(a: Tickets, b: Tickets) -> Tickets:
    """Both kinds of ticket in time order (stable, so ties keep a fixed order)."""
    parts = {f.name: np.concatenate((getattr(a, f.name), getattr(b, f.name)))
             for f in fields(Tickets)}
    order = np.argsort(parts["day"] * 86_400 + parts["sec"], kind="stable")
    return Tickets(**{k: v[order] for k, v in parts.items()})


def _spend(
    tickets: Tickets, cents: np.ndarray, n: int, days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each member's spend in yuan: last 365 days, and the whole window."""
    is_member = tickets.member >= 0
    m, c = tickets.member[is_member], cents[is_member]
    recent = tickets.day[is_member] >= days - 365
    year = np.bincount(m[recent], weights=c[recent], minlength=n) / 100.0
    return year, np.bincount(m, weights=c, minlength=n) / 100.0


def _silent(_label: str, _done: float) -> None:
    """Progress sink for callers that do not show progress."""


@dataclass(frozen=True)
class _Simulation:
    """Everything the simulation decided, still as arrays."""

    cal: Calendar
    stores: pd.DataFrame
    staffing: Staffing
    assortment: Assortment
    cohort: Cohort
    tickets: Tickets
    lines: Lines
    cents: np.ndarray
    rng: np.random.Generator  # for member profile columns
    tags_rng: np.random.Generator  # for member tags and notes


def _simulate(preset: DemoSize, seed: int, end: date, report: Progress) -> _Simulation:
    """Run the chain for two years: who joins, who buys what, where and when."""
    cal = make_calendar(end, preset.days)
    rng = _rngs(seed)
    report("生成门店、员工与商品", 0.0)
    stores, params = make_stores(rng["stores"], preset, cal.start, end)
    staffing = make_staff(rng["staff"], stores)
    assortment = make_products(rng["products"], preset.products)
    report("生成会员", 0.02)
    cohort = make_members(rng["members"], preset.members, params, staffing, cal)
    report("生成会员消费", 0.05)
    target = round(preset.transactions * float(params.member_share.mean()))
    mine = member_tickets(rng["purchases"], cohort, params, staffing, cal, target)
    report("生成非会员消费", 0.12)
    per_store = np.bincount(mine.store, minlength=len(stores))
    walkins = walkin_tickets(rng["walkins"], per_store, params, staffing, cal)
    tickets = _concat(mine, walkins)
    report("生成交易明细", 0.2)
    discount = ticket_discount(rng["baskets"], cal.discount[tickets.day])
    lines, cents = make_lines(rng["baskets"], tickets.units, cal.month[tickets.day], discount,
                              assortment)
    return _Simulation(cal, stores, staffing, assortment, cohort, tickets, lines, cents,
                       rng["profiles"], rng["tags"])


def _frames(sim: _Simulation) -> DemoFrames:
    """The simulation as the schema's tables."""
    cal, products = sim.cal, sim.assortment.frame
    store_ids = sim.stores["store_id"].to_numpy(dtype=object)
    staff_ids = sim.staffing.frame["staff_id"].to_numpy(dtype=object)
    year, total = _spend(sim.tickets, sim.cents, len(sim.cohort), cal.days)
    members = fr.members_frame(sim.rng, sim.cohort, cal.start, store_ids, staff_ids, year, total)
    profiles = make_profiles(sim.tags_rng, sim.cohort, sim.tickets, sim.cents, cal)
    members["note"] = profiles.notes
    member_ids = members["member_id"].to_numpy(dtype=object)
    members["wecom_external_id"] = fr.wecom_external_ids(member_ids, sim.cohort.wecom)
    tx = fr.transactions_frame(sim.tickets, cal.start, sim.cents, member_ids, store_ids,
                               staff_ids)
    items = fr.line_items_frame(sim.lines, tx["tx_id"].to_numpy(dtype=object),
                                products["sku"].to_numpy(dtype=object),
                                products["category"].to_numpy(dtype=object))
    return DemoFrames(sim.stores, sim.staffing.frame, members, products, tx, items,
                      profiles.tags_frame(member_ids), cal.start, cal.end)


def generate(
    size: str, seed: int = 7, end: date | None = None, progress: Progress | None = None
) -> DemoFrames:
    """The demo chain for a preset: same (size, seed, end) gives identical frames.

    `end` is the last day of data (default yesterday); `progress` hears about the stages.
    """
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}; choose one of {', '.join(SIZES)}")
    report = progress or _silent
    sim = _simulate(SIZES[size], seed, end or date.today() - timedelta(days=1), report)
    report("整理数据表", 0.35)
    return _frames(sim)


def build_demo(
    store: MemberStore, size: str, seed: int = 7, end: date | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Replace the member data with a fresh demo chain, all or nothing, marked as demo."""
    report = progress or _silent
    frames = generate(size, seed, end, report)
    steps = {"stores": "写入门店", "staff": "写入员工", "members": "写入会员",
             "products": "写入商品", "transactions": "写入交易", "line_items": "写入交易明细",
             "member_tags": "写入会员标签"}
    weight = {t: len(getattr(frames, t)) for t in TABLES}
    done, total = 0, sum(weight.values()) or 1
    with store.write(fresh=True) as conn:
        for table in TABLES:
            report(steps[table], GENERATED + (0.95 - GENERATED) * done / total)
            insert_frame(conn, table, getattr(frames, table))
            done += weight[table]
        mark_demo(conn, size, seed, frames.end.isoformat())
        report("汇总会员消费并提交", 0.95)  # the store rebuilds the derived tables here
    report("完成", 1.0)
    return DemoSummary(size, seed, len(frames.stores), len(frames.staff), len(frames.members),
                       len(frames.transactions), len(frames.line_items), frames.start, frames.end,
                       len(frames.member_tags), int(frames.members["note"].notna().sum()))
