"""Where a supervisor meets the campaigns waiting for them: what waits, who decides, deciding.

Slack buttons, WeCom replies and the console all go through `decide`, so whichever a
supervisor uses the same rules hold: `lifecycle.may` says who may approve (never the
requester), and `store.act`'s conditional UPDATE makes a second press, or two approvers
pressing at once, harmless — the later one is told the campaign was already dealt with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, text

from copilot.campaigns import store
from copilot.campaigns.lifecycle import CHANNEL_ZH, STATE_ZH, Campaign, may
from copilot.data.access import User
from copilot.data.store import MemberStore
from copilot.errors import UserError
from copilot.state.db import StateStore, as_datetime

if TYPE_CHECKING:
    from copilot.agent.turn import TurnResult

WAITING = "pending_approval"
APPROVERS = ("supervisor", "admin")
PREVIEW_CHARS = 60
_COLUMNS = ("campaign_id, name, state, created_by, region, stores, segment, content, "
            "channels, send_at, audience, needs_approval, created_at")


@dataclass(frozen=True)
class Summary:
    """A campaign as an approver reads it before deciding."""

    campaign_id: str
    name: str
    state: str
    requester: str  # staff id
    requester_name: str
    region: str | None
    stores: list[str]
    segment: str  # the saved segment's name
    audience: int
    channels: list[str]
    send_at: datetime
    created_at: datetime
    content: str

    @property
    def state_zh(self) -> str:
        return STATE_ZH.get(self.state, self.state)

    @property
    def channels_zh(self) -> str:
        return "、".join(CHANNEL_ZH.get(c, c) for c in self.channels)

    @property
    def preview(self) -> str:
        """The message's opening, on one line: enough to judge tone and offer."""
        flat = " ".join(self.content.split())
        return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS] + "…"

    def lines(self) -> list[str]:
        """The summary every channel shows, in the same words."""
        return [f"活动:{self.name}(编号 {self.campaign_id})",
                f"发起人:{self.requester_name}({self.requester})",
                f"范围:{self.region or '全连锁'} · {len(self.stores)} 家门店"
                f" · 分组“{self.segment}”",
                f"人数:{self.audience} 人 · 渠道:{self.channels_zh}",
                f"发送时间:{self.send_at:%Y-%m-%d %H:%M}",
                f"内容预览:{self.preview}"]


def awaiting(state: StateStore, members: MemberStore, user: User) -> list[Summary]:
    """Campaigns waiting for approval that `user` may approve, oldest first: a supervisor's
    own region, every region for an admin, none for anyone else. Their own campaigns are
    left out, since they cannot approve those."""
    if user.role not in APPROVERS or (user.role == "supervisor" and not user.region):
        return []
    where = "state = :waiting AND created_by <> :me"
    params: dict[str, Any] = {"waiting": WAITING, "me": user.staff_id}
    if user.role == "supervisor":
        where += " AND region = :region"
        params["region"] = user.region
    with state.begin() as conn:
        rows = conn.execute(text(f"SELECT {_COLUMNS} FROM campaigns WHERE {where} "
                                 "ORDER BY created_at, campaign_id"), params).mappings().all()
    return _summaries(members, [dict(r) for r in rows])


def summary(state: StateStore, members: MemberStore, campaign_id: str) -> Summary:
    with state.begin() as conn:
        row = conn.execute(text(f"SELECT {_COLUMNS} FROM campaigns WHERE campaign_id = :id"),
                           {"id": campaign_id}).mappings().first()
    if row is None:
        raise UserError(f"找不到活动 {campaign_id}。", f"No campaign {campaign_id}.")
    return _summaries(members, [dict(row)])[0]


def mine(state: StateStore, members: MemberStore, user: User, limit: int = 100
         ) -> list[Summary]:
    """The campaigns `user` created, newest first (the console's read-only list)."""
    with state.begin() as conn:
        rows = conn.execute(text(f"SELECT {_COLUMNS} FROM campaigns WHERE created_by = :me "
                                 "ORDER BY created_at DESC, campaign_id LIMIT :n"),
                            {"me": user.staff_id, "n": limit}).mappings().all()
    return _summaries(members, [dict(r) for r in rows])


def decide(state: StateStore, campaign_id: str, user: User, approve: bool,
           note: str | None = None, *, now: datetime | None = None) -> Campaign:
    """Approve or reject as `user`; the campaign as it now is. Refusals are Chinese-first
    UserErrors: not an approver of this campaign, their own campaign, or already decided
    (by them a moment ago, or by another approver)."""
    action = "approve" if approve else "reject"
    campaign = store.get(state, campaign_id.strip())
    may(user, campaign, action)  # who may decide comes first: a stranger learns nothing
    if campaign.state != WAITING:
        raise _handled(campaign)
    try:
        return store.act(state, campaign.campaign_id, action, user, note=note, now=now)
    except UserError:
        again = store.get(state, campaign.campaign_id)
        if again.state != WAITING:  # another approver pressed at the same moment
            raise _handled(again) from None
        raise


def _handled(campaign: Campaign) -> UserError:
    state = STATE_ZH.get(campaign.state, campaign.state)
    return UserError(f"活动“{campaign.name}”已经处理过了(现在是{state}),不用再审批。",
                     f"Campaign {campaign.name!r} has already been dealt with "
                     f"(now {campaign.state}).")


def approvers(state: StateStore, members: MemberStore, campaign: Campaign | str
              ) -> list[str]:
    """Staff ids who may approve `campaign`: supervisors of its region and the admins,
    never its requester."""
    if isinstance(campaign, str):
        campaign = store.get(state, campaign)
    with members.read() as conn:
        rows = conn.execute(text(
            "SELECT staff_id FROM staff WHERE (role = 'admin' OR (role = 'supervisor' AND "
            "region = :region)) AND staff_id <> :by ORDER BY staff_id"),
            {"region": campaign.region or "", "by": campaign.created_by}).scalars().all()
    return list(rows)


def follow_ups(result: TurnResult) -> list[tuple[str, str]]:
    """Who a turn's campaign decisions are news for, as (who, campaign id): "approvers"
    when a successful confirm_campaign left it waiting for approval, "requester" when a
    successful approve_campaign (a WeCom reply “通过 <编号>”, a chat) approved or rejected
    it. The Slack buttons and the console tell the requester themselves."""
    found: list[tuple[str, str]] = []
    for call in result.tool_calls:
        done = call.result or {}
        campaign_id, state = done.get("campaign_id"), done.get("state")
        if not (call.ok and isinstance(campaign_id, str)):
            continue
        if call.name == "confirm_campaign" and state == WAITING:
            found.append(("approvers", campaign_id))
        elif call.name == "approve_campaign" and state in ("scheduled", "cancelled"):
            found.append(("requester", campaign_id))
    return list(dict.fromkeys(found))


def last_decision(state: StateStore, campaign_id: str) -> dict[str, Any] | None:
    """The latest approve/reject event: who, which, when, and the note."""
    decided = [e for e in store.history(state, campaign_id)
               if e["action"] in ("approve", "reject")]
    if not decided:
        return None
    event = dict(decided[-1])
    event["at"] = as_datetime(event["at"])
    return event


def staff_names(members: MemberStore, staff_ids: list[str]) -> dict[str, str]:
    if not staff_ids:
        return {}
    query = text("SELECT staff_id, name FROM staff WHERE staff_id IN :ids").bindparams(
        bindparam("ids", expanding=True))
    with members.read() as conn:
        rows = conn.execute(query, {"ids": sorted(set(staff_ids))}).all()
    return {str(r[0]): str(r[1]) for r in rows}


def _summaries(members: MemberStore, rows: list[dict[str, Any]]) -> list[Summary]:
    names = staff_names(members, [r["created_by"] for r in rows])
    out = []
    for r in rows:
        segment = _json(r["segment"], {})
        out.append(Summary(
            campaign_id=r["campaign_id"], name=r["name"], state=r["state"],
            requester=r["created_by"], requester_name=names.get(r["created_by"],
                                                               r["created_by"]),
            region=r["region"], stores=list(_json(r["stores"], [])),
            segment=str(segment.get("name") or segment.get("id") or "—")
            if isinstance(segment, dict) else "—",
            audience=int(r["audience"]), channels=list(_json(r["channels"], [])),
            send_at=as_datetime(r["send_at"]), created_at=as_datetime(r["created_at"]),
            content=r["content"]))
    return out


def _json(raw: Any, default: Any) -> Any:
    try:
        return json.loads(raw) if isinstance(raw, str) else (raw or default)
    except ValueError:
        return default


