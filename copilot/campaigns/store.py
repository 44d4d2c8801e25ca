"""Campaign rows in the state database, and the one way their state changes: `act`."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text

from copilot.campaigns.lifecycle import Action, Campaign, may, next_state
from copilot.data.access import User
from copilot.errors import UserError
from copilot.state.db import StateStore


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


def create(state: StateStore, new: NewCampaign, *, now: datetime | None = None) -> str:
    campaign_id, at = uuid.uuid4().hex, now or datetime.now()
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
    return campaign_id


def get(state: StateStore, campaign_id: str) -> Campaign:
    with state.begin() as conn:
        row = conn.execute(text("SELECT campaign_id, name, state, created_by, region, "
                                "needs_approval FROM campaigns WHERE campaign_id = :id"),
                           {"id": campaign_id}).mappings().first()
    if row is None:
        raise UserError(f"找不到活动 {campaign_id}。", f"No campaign {campaign_id}.")
    return Campaign(**{**row, "needs_approval": bool(row["needs_approval"])})


def act(state: StateStore, campaign_id: str, action: Action, user: User | None, *,
        note: str | None = None, now: datetime | None = None) -> Campaign:
    """Take `action` as `user` (None: the dispatcher); the campaign as it now is. The
    UPDATE only succeeds from the state checked, so of two presses at once one wins and
    the other is told the campaign has just changed."""
    campaign = get(state, campaign_id)
    may(user, campaign, action)
    target = next_state(campaign, action)
    at = now or datetime.now()
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
                 {"e": uuid.uuid4().hex, "c": campaign_id, "a": actor, "act": action,
                  "f": from_state, "t": to_state, "n": note, "at": at})
