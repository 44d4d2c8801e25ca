"""Campaign rows in the state database, and the one way their state changes: `act`."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text

from copilot.campaigns import recipients
from copilot.campaigns.lifecycle import (
    Action,
    Campaign,
    may,
    next_state,
    still_ahead,
    visible,
)
from copilot.data.access import User
from copilot.errors import UserError
from copilot.state.db import StateStore, as_datetime


@dataclass(frozen=True)
class NewCampaign:
    name: str
    created_by: str
    region: str | None
    stores: list[str]
    segment: dict[str, Any]
    content: str
    channels: list[str]
    send_at: datetime
    holdout_share: float
    audience: int
    needs_approval: bool


def new_id() -> str:
    """Short (10 hex digits) because people type them: "通过 3f9a0c12de"."""
    return uuid.uuid4().hex[:10]


def create(state: StateStore, new: NewCampaign, rows: Iterable[recipients.RowLike] = (), *,
           now: datetime | None = None, campaign_id: str | None = None,
           previewed: bool = False) -> str:
    """The campaign with its recipients, in one transaction: a draft, or (`previewed`)
    already waiting for its requester's confirmation, so a failure half-way leaves
    nothing behind."""
    campaign_id, at = campaign_id or new_id(), now or datetime.now()
    with state.begin() as conn:
        conn.execute(text(
            "INSERT INTO campaigns (campaign_id, name, state, created_by, region, stores, "
            "segment, content, channels, send_at, holdout_share, audience, needs_approval, "
            "created_at, updated_at) VALUES (:id, :name, 'draft', :by, :region, :stores, "
            ":segment, :content, :channels, :send_at, :holdout, :audience, :approval, :at, :at)"),
            {"id": campaign_id, "name": new.name, "by": new.created_by, "region": new.region,
             "stores": json.dumps(new.stores), "segment": json.dumps(new.segment,
                                                                     ensure_ascii=False),
             "content": new.content, "channels": json.dumps(new.channels),
             "send_at": new.send_at, "holdout": new.holdout_share, "audience": new.audience,
             "approval": new.needs_approval, "at": at})
        _event(conn, campaign_id, new.created_by, "create", None, "draft", None, at)
        recipients.insert(conn, campaign_id, rows)
        if previewed:  # the requester's own preview: may("preview") holds by definition
            conn.execute(text("UPDATE campaigns SET state = 'pending_confirmation' "
                              "WHERE campaign_id = :id"), {"id": campaign_id})
            _event(conn, campaign_id, new.created_by, "preview", "draft",
                   "pending_confirmation", None, at)
    return campaign_id


_COLUMNS = ("SELECT campaign_id, name, state, created_by, region, needs_approval, stores, "
            "channels, content, send_at, audience, holdout_share, segment, created_at "
            "FROM campaigns")


def _campaign(row: Any) -> Campaign:
    r = dict(row)
    segment = json.loads(r.pop("segment") or "{}")
    return Campaign(**{**r, "needs_approval": bool(r["needs_approval"]),
                       "stores": json.loads(r["stores"]), "channels": json.loads(r["channels"]),
                       "send_at": as_datetime(r["send_at"]),
                       "created_at": as_datetime(r["created_at"]),
                       "holdout_share": float(r["holdout_share"]),
                       "segment_name": segment.get("name", "")})




def get(state: StateStore, campaign_id: str) -> Campaign:
    with state.begin() as conn:
        row = conn.execute(text(f"{_COLUMNS} WHERE campaign_id = :id"),
                           {"id": campaign_id}).mappings().first()
    if row is None:
        raise UserError(f"找不到活动 {campaign_id}。", f"No campaign {campaign_id}.")
    return _campaign(row)


def find(state: StateStore, key: str, user: User) -> Campaign:
    """By id, or by name among the campaigns `user` may see (their own first)."""
    key = key.strip().strip("“”\"'")
    with state.begin() as conn:
        rows = conn.execute(text(f"{_COLUMNS} WHERE campaign_id = :k OR name = :k "
                                 "ORDER BY created_at DESC"), {"k": key.lower() if
                                                               _ID.match(key) else key})
        found = [c for c in map(_campaign, rows.mappings()) if visible(user, c)]
    by_id = [c for c in found if c.campaign_id == key.lower()]
    mine = [c for c in found if c.created_by == user.staff_id]
    for group in (by_id, mine, found):
        if len(group) == 1:
            return group[0]
        if len(group) > 1:
            ids = "、".join(f"{c.campaign_id}({c.created_at:%m-%d %H:%M})" for c in group[:5])
            raise UserError(f"有多个活动叫“{key}”:{ids},请用编号指定。",
                            f"Several campaigns are named {key!r}: {ids}; use the id.")
    raise UserError(f"找不到你能查看的活动“{key}”。可以说“我的活动”看看列表。",
                    f"No campaign {key!r} that you may see.")


def list_for(state: StateStore, user: User, states: Iterable[str] = (), limit: int = 20
             ) -> list[Campaign]:
    """Campaigns `user` may see, newest first; `states` narrows them."""
    wanted = list(states)
    where = "WHERE state IN :states" if wanted else ""
    sql = text(f"{_COLUMNS} {where} ORDER BY created_at DESC")
    if wanted:
        sql = sql.bindparams(bindparam("states", expanding=True))
    with state.begin() as conn:
        rows = conn.execute(sql, {"states": wanted} if wanted else {}).mappings()
        out = [c for c in map(_campaign, rows) if visible(user, c)]
    return out[:limit]


def act(state: StateStore, campaign_id: str, action: Action, user: User | None, *,
        note: str | None = None, now: datetime | None = None) -> Campaign:
    """Take `action` as `user` (None: the dispatcher); the campaign as it now is. The
    UPDATE only succeeds from the state checked, so of two presses at once one wins and
    the other is told the campaign has just changed."""
    campaign = get(state, campaign_id)
    may(user, campaign, action)
    target = next_state(campaign, action)
    at = now or datetime.now()
    if action in ("confirm", "approve"):
        still_ahead(campaign, at)
    actor = user.staff_id if user else "system"
    with state.begin() as conn:
        moved = conn.execute(text("UPDATE campaigns SET state = :to, updated_at = :at "
                                  "WHERE campaign_id = :id AND state = :from"),
                             {"to": target, "at": at, "id": campaign_id,
                              "from": campaign.state}).rowcount
        if not moved:
            raise UserError("活动状态刚刚被别人改变了,请刷新后再看。",
                            "The campaign changed a moment ago; look again.")
        _event(conn, campaign_id, actor, action, campaign.state, target, note, at)
    return Campaign(**{**campaign.__dict__, "state": target})


_ID = re.compile(r"^[0-9a-fA-F]{10}$")


def is_id(key: str) -> bool:
    return bool(_ID.match(key.strip()))


def _event_id() -> str:
    """Time first, so events of the same second list in the order they happened."""
    return f"{time.time_ns():016x}{uuid.uuid4().hex[:16]}"


def history(state: StateStore, campaign_id: str) -> list[dict[str, Any]]:
    with state.begin() as conn:
        rows = conn.execute(text("SELECT actor, action, from_state, to_state, note, at FROM "
                                 "campaign_events WHERE campaign_id = :id ORDER BY at, "
                                 "event_id"), {"id": campaign_id}).mappings().all()
    return [dict(r) for r in rows]


def _event(conn: Any, campaign_id: str, actor: str, action: str, from_state: str | None,
           to_state: str, note: str | None, at: datetime) -> None:
    conn.execute(text("INSERT INTO campaign_events (event_id, campaign_id, actor, action, "
                      "from_state, to_state, note, at) VALUES (:e, :c, :a, :act, :f, :t, "
                      ":n, :at)"),
                 {"e": _event_id(), "c": campaign_id, "a": actor, "act": action,
                  "f": from_state, "t": to_state, "n": note, "at": at})
