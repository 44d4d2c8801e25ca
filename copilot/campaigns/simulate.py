"""Demo only: purchases a campaign's members might have made after it was sent.

The demo chain's sales end the day it is built, so a campaign sent on it never shows an
effect, and the review (tools/campaigns/review.py) would have nothing to measure. This
writes plausible responses: held-out members buy at their natural rate (their purchase
frequency over the half year before the send, with a floor for lapsed members), sent members
at that rate times (1 + lift), with amounts around their own average ticket. The rows are
marked (tx_id "SIM-<campaign>-…") and replaced, never added to, on a re-run, in the same
write as the deletion; the member store rebuilds the derived tables in that write too.
Never on a chain's own data: invented sales would corrupt every figure.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from copilot.campaigns import store as campaigns
from copilot.config import Settings
from copilot.data.bulk import insert_frame, read_frame
from copilot.data.dataset import DEMO_PREFIX, read_info
from copilot.data.store import MemberStore
from copilot.errors import UserError
from copilot.state.db import StateStore

PREFIX = "SIM-"
CHANNELS, CHANNEL_P = ("store", "miniapp", "wecom"), (0.75, 0.15, 0.10)
MAX_RATE = 0.9
RECENT_DAYS = 180  # the natural rate follows the purchases of this many days before the send

_RECIPIENTS = text("""
    SELECT member_id, MAX(CASE WHEN state = 'sent' THEN 1 ELSE 0 END) AS sent,
           MIN(CASE WHEN state = 'sent' THEN sent_at END) AS sent_at
    FROM campaign_recipients
    WHERE campaign_id = :c AND state IN ('sent', 'holdout')
    GROUP BY member_id ORDER BY member_id
""")

# Each member's home store and owner, purchases in the half year before the send (recent
# enough to follow members who have lapsed) and average ticket before it (an earlier
# run's simulated rows are already deleted when this runs).
_HISTORY = text("""
    SELECT m.member_id, m.store_id, m.staff_id,
           SUM(CASE WHEN t.ts >= :since THEN 1 ELSE 0 END) AS recent,
           AVG(t.amount) AS basket
    FROM members m
    LEFT JOIN transactions t ON t.member_id = m.member_id AND t.ts < :start AND t.amount > 0
    GROUP BY m.member_id, m.store_id, m.staff_id
""")


@dataclass(frozen=True)
class SimulationSummary:
    campaign_id: str
    seed: int
    days: int
    sent_members: int
    holdout_members: int
    sent_buyers: int
    holdout_buyers: int
    transactions: int
    revenue: float
    replaced: int  # simulated transactions of an earlier run, removed
    start: datetime

    def __str__(self) -> str:
        redo = f"(替换了上次模拟的 {self.replaced:,} 笔)" if self.replaced else ""
        return (f"已为活动 {self.campaign_id} 模拟发送后 {self.days} 天的消费(种子 {self.seed}):"
                f"发送组 {self.sent_members:,} 人中 {self.sent_buyers:,} 人购买,对照组 "
                f"{self.holdout_members:,} 人中 {self.holdout_buyers:,} 人购买,共 "
                f"{self.transactions:,} 笔、¥{self.revenue:,.2f}{redo}。仅用于演示数据。")


def simulate_responses(settings: Settings, campaign_id: str, *, seed: int = 7,
                       lift: float = 0.3, days: int = 14, base_rate: float = 0.03
                       ) -> SimulationSummary:
    """Write simulated purchases for the campaign's sent and held-out members.

    `lift`: sent members buy at (1 + lift) × their natural rate; `base_rate`: the least
    natural chance to buy within `days`, for members who rarely or never bought. The same
    seed on the same data writes the same rows.
    """
    if not 1 <= days <= 90 or lift < 0 or not 0 <= base_rate <= MAX_RATE:
        raise UserError("模拟参数无效:天数应在 1~90,提升不能为负,基础转化率在 0~0.9。",
                        "Invalid simulation settings: days 1-90, lift ≥ 0, base rate 0-0.9.")
    state = StateStore.from_settings(settings)
    campaign = campaigns.get(state, campaign_id)
    recipients = _recipients(state, campaign_id, campaign.send_at)
    if not (recipients["grp"] == "sent").any():
        raise UserError(f"活动“{campaign.name}”还没有发送,无法模拟发送后的消费。",
                        f"Campaign {campaign.name!r} has not been sent; nothing to simulate.")
    start = recipients.loc[recipients["grp"] == "sent", "sent_at"].min().to_pydatetime()
    members = MemberStore.from_settings(settings)
    with members.read() as conn:
        _demo_only(conn)
    pattern = f"{PREFIX}{campaign_id}-%"
    with members.write() as conn:
        _demo_only(conn)  # again under the write lock: an import may have landed since
        replaced = int(conn.execute(text("SELECT COUNT(*) FROM transactions WHERE tx_id LIKE :p"),
                                    {"p": pattern}).scalar() or 0)
        conn.execute(text("DELETE FROM line_items WHERE tx_id LIKE :p"), {"p": pattern})
        conn.execute(text("DELETE FROM transactions WHERE tx_id LIKE :p"), {"p": pattern})
        history = read_frame(conn, _HISTORY, {"start": start,
                                              "since": start - timedelta(days=RECENT_DAYS)})
        products = read_frame(conn, text("SELECT sku, category, price FROM products "
                                         "ORDER BY sku"), {})
        people = recipients.merge(history, on="member_id").sort_values("member_id")
        rng = np.random.default_rng([seed, zlib.crc32(campaign_id.encode())])
        tx, items = _purchases(rng, people, products, campaign_id, start, days, lift,
                               base_rate)
        insert_frame(conn, "transactions", tx)
        insert_frame(conn, "line_items", items)
    buyers = tx.drop_duplicates("member_id").merge(people[["member_id", "grp"]])
    return SimulationSummary(
        campaign_id=campaign_id, seed=seed, days=days,
        sent_members=int((people["grp"] == "sent").sum()),
        holdout_members=int((people["grp"] == "holdout").sum()),
        sent_buyers=int((buyers["grp"] == "sent").sum()),
        holdout_buyers=int((buyers["grp"] == "holdout").sum()),
        transactions=len(tx), revenue=round(float(tx["amount"].sum()), 2) if len(tx) else 0.0,
        replaced=replaced, start=start)


def _demo_only(conn: Connection) -> None:
    source = read_info(conn).get("source", "")
    if not source.startswith(DEMO_PREFIX):
        raise UserError(
            "只能在演示数据上模拟活动效果:当前会员数据不是演示数据(是导入的门店数据或来源不明),"
            "写入模拟交易会弄乱真实业绩,已拒绝。",
            "Responses can only be simulated on demo data; this member data is not a demo "
            "(imported or of unknown source), and invented sales would corrupt it.")


def _recipients(state: StateStore, campaign_id: str, send_at: datetime | None) -> pd.DataFrame:
    with state.begin() as conn:
        rows = conn.execute(_RECIPIENTS, {"c": campaign_id}).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["member_id", "sent", "sent_at"])
    frame["sent_at"] = pd.to_datetime(frame["sent_at"], format="mixed")
    frame["grp"] = np.where(frame["sent"] == 1, "sent", "holdout")
    if send_at is not None:
        frame.loc[(frame["grp"] == "sent") & frame["sent_at"].isna(), "sent_at"] = send_at
    return frame


def _purchases(rng: np.random.Generator, people: pd.DataFrame, products: pd.DataFrame,
               campaign_id: str, start: datetime, days: int, lift: float, base_rate: float
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who buys, how often, when and for how much; the transactions and their lines."""
    per_day = people["recent"].fillna(0).to_numpy(dtype=float) / RECENT_DAYS
    natural = np.clip(1 - np.exp(-per_day * days), base_rate, MAX_RATE)
    sent = (people["grp"] == "sent").to_numpy()
    rate = np.where(sent, np.minimum(natural * (1 + lift), 0.95), natural)
    buys = rng.random(len(people)) < rate
    count = np.where(buys, 1 + (rng.random(len(people)) < 0.1), 0)
    who = np.repeat(np.arange(len(people)), count)
    n = len(who)
    # Each member's window starts at their own send (held-out members: the first send).
    begins = people["sent_at"].where(sent, pd.Timestamp(start)).to_numpy()[who]
    if days >= 2:  # a later day of the window, in opening hours (10:00-21:59)
        day = pd.to_datetime(begins).normalize() + pd.to_timedelta(
            rng.integers(1, days, n), unit="D")
        ts = day + pd.to_timedelta(rng.integers(10 * 3600, 22 * 3600, n), unit="s")
    else:
        ts = pd.to_datetime(begins) + pd.to_timedelta(rng.integers(600, 23 * 3600, n), unit="s")
    pick = rng.integers(0, max(len(products), 1), n)
    units = 1 + rng.poisson(0.5, n)
    basket = people["basket"].astype(float).to_numpy()[who]
    price = np.nan_to_num(products["price"].astype(float).to_numpy()[pick] if len(products)
                          else np.full(n, 299.0), nan=299.0)
    typical = np.where(np.isnan(basket), price * units, basket)
    amount = np.round(np.maximum(typical * rng.lognormal(0.0, 0.35, n), 9.9), 2)
    tx_ids = np.array([f"{PREFIX}{campaign_id}-{i:06d}" for i in range(1, n + 1)], dtype=object)
    tx = pd.DataFrame({
        "tx_id": tx_ids, "member_id": people["member_id"].to_numpy()[who],
        "store_id": people["store_id"].to_numpy()[who],
        "staff_id": people["staff_id"].to_numpy()[who], "ts": ts.to_numpy(),
        "amount": amount, "units": units.astype(np.int32),
        "channel": rng.choice(np.array(CHANNELS, dtype=object), n, p=CHANNEL_P)})
    items = pd.DataFrame({
        "tx_id": tx_ids, "line_no": np.ones(n, dtype=np.int32),
        "sku": (products["sku"].to_numpy()[pick] if len(products)
                else np.full(n, "SIM", dtype=object)),
        "category": (products["category"].to_numpy()[pick] if len(products)
                     else np.full(n, None, dtype=object)),
        "qty": units.astype(np.int32), "amount": amount})
    return tx, items
