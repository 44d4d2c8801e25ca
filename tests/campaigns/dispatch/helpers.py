"""What the dispatcher works on, built directly: member data and campaigns with recipients."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import text

from copilot.campaigns import recipients, store
from copilot.config import get_settings
from copilot.data.bulk import insert_frame
from copilot.data.store import MemberStore
from copilot.state.db import StateStore

STORE, STAFF = "S001", "E01"
TEXT = "周六会员日全场9折,回复T退订"


def member_ids(n: int) -> list[str]:
    return [f"M{i:05d}" for i in range(n)]


def load_members(members: MemberStore, n: int, *, opt_out: Iterable[str] = (),
                 no_phone: Iterable[str] = (), not_added: Iterable[str] = ()) -> list[str]:
    """n members of one store, all reachable unless named here."""
    ids = member_ids(n)
    out, nophone, notadded = set(opt_out), set(no_phone), set(not_added)
    frame = pd.DataFrame({
        "member_id": ids, "name": [f"会员{i}" for i in range(n)],
        "phone": [None if m in nophone else f"138{i:08d}" for i, m in enumerate(ids)],
        "joined_at": pd.Timestamp("2025-01-01"), "store_id": STORE, "staff_id": STAFF,
        "points": 0, "wecom_added": [m not in notadded for m in ids],
        "opt_out": [m in out for m in ids],
        "wecom_external_id": [None if m in notadded else f"wm{m}" for m in ids]})
    stores = pd.DataFrame([(STORE, "北京朝阳大悦城店", "华北", "北京")],
                          columns=["store_id", "name", "region", "city"])
    with members.write(fresh=True) as conn:
        insert_frame(conn, "stores", stores)
        insert_frame(conn, "members", frame)
    return ids


def set_opt_out(members: MemberStore, ids: list[str]) -> None:
    with members.write() as conn:
        for m in ids:
            conn.execute(text("UPDATE members SET opt_out = TRUE WHERE member_id = :m"),
                         {"m": m})


def new_campaign(state: StateStore, ids: list[str], *, channels: Iterable[str] = ("sms",),
                 status: str = "sending", send_at: datetime | None = None,
                 holdout: Iterable[str] = (), name: str = "周六会员日") -> str:
    """A campaign already in `status` whose recipients are pending (or holdout)."""
    kept_out = set(holdout)
    chans = list(channels)
    rows = [recipients.Row(m, ch, STORE, STAFF, "holdout" if m in kept_out else "pending")
            for m in ids for ch in chans]
    campaign_id = store.create(state, store.NewCampaign(
        name=name, created_by="E03", region="华北", stores=[STORE],
        segment={"id": "seg1", "name": "金卡组"}, content=TEXT, channels=chans,
        send_at=send_at or get_settings().now() - timedelta(minutes=1), holdout_share=0.0,
        audience=len(ids), needs_approval=False), rows)
    with state.begin() as conn:
        conn.execute(text("UPDATE campaigns SET state = :s WHERE campaign_id = :c"),
                     {"s": status, "c": campaign_id})
    return campaign_id


def recipient_rows(state: StateStore, campaign_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    with state.begin() as conn:
        rows = conn.execute(text("SELECT * FROM campaign_recipients WHERE campaign_id = :c"),
                            {"c": campaign_id}).mappings().all()
    return {(r["member_id"], r["channel"]): dict(r) for r in rows}


def states(state: StateStore, campaign_id: str) -> dict[str, int]:
    from copilot.campaigns.dispatch.progress import progress

    with state.begin() as conn:
        return {k: v for k, v in progress(conn, campaign_id).items() if v}


def outbox(state: StateStore, campaign_id: str) -> list[dict[str, Any]]:
    with state.begin() as conn:
        rows = conn.execute(text("SELECT * FROM sms_outbox WHERE campaign_id = :c"),
                            {"c": campaign_id}).mappings().all()
    return [dict(r) for r in rows]


def campaign_state(state: StateStore, campaign_id: str) -> str:
    with state.begin() as conn:
        return conn.execute(text("SELECT state FROM campaigns WHERE campaign_id = :c"),
                            {"c": campaign_id}).scalar_one()


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
