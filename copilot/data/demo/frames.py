"""Turning the simulation's arrays into DataFrames with exactly the schema's columns."""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import pandas as pd

from copilot.data.demo.baskets import Lines
from copilot.data.demo.members import Cohort
from copilot.data.demo.names import person_names, phone_numbers
from copilot.data.demo.purchases import CHANNELS, Tickets

# Tier by spend in the 365 days up to the last day of data (yuan), highest first.
TIER_THRESHOLDS: tuple[tuple[float, str], ...] = (
    (20_000.0, "钻石卡"), (8_000.0, "金卡"), (2_000.0, "银卡"), (0.0, "普卡"),
)
REDEEMING_SHARE = 0.45  # members who have spent some points
WECOM_ID_PREFIX = "wm"  # WeCom's external_userid: "wm"/"wo" + 30 characters, 32 in all


def ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded ids such as M0000001, built without a Python loop per row."""
    text = (np.asarray(numbers, dtype=np.int64) + 10**width).astype(f"U{width + 1}")
    text.view(np.uint32).reshape(len(text), width + 1)[:, 0] = ord(prefix)
    return text.astype(object)


def take(labels: np.ndarray, index: np.ndarray) -> np.ndarray:
    """labels[index] as objects, None where index is -1 (a missing reference)."""
    out = labels[np.maximum(index, 0)].astype(object)
    out[index < 0] = None
    return out


def timestamps(start: date, day: np.ndarray, sec: np.ndarray) -> np.ndarray:
    """Naive local wall-clock times from day-in-window and seconds after midnight."""
    base = np.datetime64(start, "s")
    return (base + day.astype(np.int64) * 86_400 + sec.astype(np.int64)).astype("datetime64[us]")


def tiers(spend_year: np.ndarray) -> np.ndarray:
    """Card tier from the last 365 days' spend, per TIER_THRESHOLDS."""
    labels = np.array([t for _, t in TIER_THRESHOLDS][::-1], dtype=object)
    bounds = np.array([b for b, _ in TIER_THRESHOLDS][::-1][1:])
    return labels[np.searchsorted(bounds, spend_year, side="right")]


def points(rng: np.random.Generator, spend_total: np.ndarray) -> np.ndarray:
    """One point per yuan spent, less what some members have redeemed."""
    used = np.where(rng.random(len(spend_total)) < REDEEMING_SHARE,
                    rng.uniform(0.1, 0.7, len(spend_total)), 0.0)
    return np.floor(spend_total * (1.0 - used)).astype(np.int64)


def wecom_external_ids(member_ids: np.ndarray, added: np.ndarray) -> np.ndarray:
    """A WeCom-shaped external_userid for members who added the store's WeCom, None otherwise.

    Derived from the member id alone, not from a random stream, so it stays the same when
    the generator's other parts change, and drawing it shifts no other figure of the demo.
    """
    out = np.full(len(member_ids), None, dtype=object)
    for i in np.flatnonzero(added):
        digest = hashlib.blake2b(str(member_ids[i]).encode(), digest_size=15).hexdigest()
        out[i] = WECOM_ID_PREFIX + digest
    return out


def members_frame(
    rng: np.random.Generator, cohort: Cohort, start: date, store_ids: np.ndarray,
    staff_ids: np.ndarray, spend_year: np.ndarray, spend_total: np.ndarray,
) -> pd.DataFrame:
    n = len(cohort)
    return pd.DataFrame({
        "member_id": ids("M", np.arange(1, n + 1), 7),
        "name": person_names(rng, cohort.female),
        "phone": phone_numbers(rng, n),
        "gender": np.where(cohort.female, "女", "男").astype(object),
        "birthday": cohort.birthday.astype("datetime64[s]"),
        "joined_at": timestamps(start, cohort.join_day, cohort.join_sec),
        "store_id": store_ids[cohort.home],
        "staff_id": take(staff_ids, cohort.owner),
        "tier": tiers(spend_year),
        "points": points(rng, spend_total),
        "wecom_added": cohort.wecom,
        "opt_out": cohort.opt_out,
    })


def transactions_frame(
    tickets: Tickets, start: date, cents: np.ndarray, member_ids: np.ndarray,
    store_ids: np.ndarray, staff_ids: np.ndarray,
) -> pd.DataFrame:
    return pd.DataFrame({
        "tx_id": ids("T", np.arange(1, len(cents) + 1), 9),
        "member_id": take(member_ids, tickets.member),
        "store_id": store_ids[tickets.store],
        "staff_id": take(staff_ids, tickets.staff),
        "ts": timestamps(start, tickets.day, tickets.sec),
        "amount": cents / 100.0,
        "units": tickets.units.astype(np.int32),
        "channel": np.asarray(CHANNELS, dtype=object)[tickets.channel],
    })


def line_items_frame(
    lines: Lines, tx_ids: np.ndarray, skus: np.ndarray, categories: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame({
        "tx_id": tx_ids[lines.ticket],
        "line_no": lines.line_no.astype(np.int32),
        "sku": skus[lines.sku],
        "category": categories[lines.sku],
        "qty": lines.qty.astype(np.int32),
        "amount": lines.cents / 100.0,
    })
