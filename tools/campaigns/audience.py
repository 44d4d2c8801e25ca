"""Who a campaign reaches: the segment's members, each kept or left out by the rules.

The segment is evaluated once, as the requester may see it, with opted-out members
included so the preview can say how many the opt-out rule removed. Each member then
meets the rules per channel (reachable at all, frequency caps as of the send day); a
random holdout share is kept out of the send for the review. The result is the rows
written with the campaign.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from copilot.analytics.facts import facts_as_of, facts_sql
from copilot.campaigns import recipients
from copilot.campaigns.recipients import Row, Window, in_holdout
from copilot.campaigns.rules import Received, over_cap, unreachable
from copilot.config import CampaignRules, MetricWindows
from copilot.data.access import Access
from copilot.data.masking import mask_name, mask_phone
from copilot.state.db import StateStore
from tools.segments.compile import Query, ctes
from tools.segments.spec import SegmentSpec

SAMPLE = 5


@dataclass(frozen=True)
class Member:
    member_id: str
    store_id: str
    staff_id: str | None
    name: str | None
    phone: str | None
    opt_out: bool
    wecom_added: bool
    wecom_id: bool  # has a WeCom external contact id


@dataclass
class Audience:
    segment_size: int = 0  # members of the segment, opted-out ones included
    rows: list[Row] = field(default_factory=list)
    reach: Counter[str] = field(default_factory=Counter)  # channel → to send
    excluded: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, why)
    holdout: int = 0  # members kept out on purpose
    stores: list[str] = field(default_factory=list)
    sample: list[tuple[str, str | None, str | None, str]] = field(default_factory=list)

    @property
    def members_reached(self) -> int:
        return len({r.member_id for r in self.rows if r.state == "pending"})


def members(conn: Connection, access: Access, spec: SegmentSpec, windows: MetricWindows,
            today: datetime) -> list[Member]:
    """The segment's members (opted-out ones too) with what the rules need."""
    spec = spec.model_copy(update={"include_opted_out": True})
    facts, fparams = facts_sql(conn, today.date())
    cached = facts_as_of(conn)
    q = Query()
    q.params.update({**fparams, **access.params()})
    q.lists.add("access_stores")
    head = ctes(facts, [(spec, tuple(spec.stores))], q, windows, today.date(),
                live=cached is None or today.date() < cached)
    sql = (head + "\nSELECT m.member_id, m.store_id, m.staff_id, m.name, m.phone, m.opt_out, "
           "m.wecom_added, m.wecom_external_id IS NOT NULL AND m.wecom_external_id <> '' "
           "FROM s0 JOIN members m ON m.member_id = s0.member_id ORDER BY m.member_id")
    return [Member(*r) for r in conn.execute(q.clause(sql), q.params).all()]


def plan(state: StateStore, campaign_id: str, found: list[Member], channels: list[str],
         send_at: datetime, rules: CampaignRules, holdout_share: float) -> Audience:
    out = Audience(segment_size=len(found))
    window = Window(send_at.date())
    with state.begin() as conn:
        got = recipients.received(conn, channels, None, window)
    stores: set[str] = set()
    for m in found:
        held = in_holdout(campaign_id, m.member_id, holdout_share)
        kept = False
        for channel in channels:
            why = _why_not(m, channel, got, send_at, rules)
            if why:
                out.excluded[(channel, why)] += 1
                out.rows.append(Row(m.member_id, channel, m.store_id, m.staff_id, "skipped",
                                    why))
                continue
            kept = True
            out.rows.append(Row(m.member_id, channel, m.store_id, m.staff_id,
                                "holdout" if held else "pending"))
            if not held:
                out.reach[channel] += 1
        if kept:
            stores.add(m.store_id)
            out.holdout += held
            if not held and len(out.sample) < SAMPLE:
                out.sample.append((m.member_id, mask_name(m.name), mask_phone(m.phone),
                                   m.store_id))
    out.stores = sorted(stores)
    return out


def _why_not(m: Member, channel: str, got: dict[tuple[str, str], tuple[int, int, int]],
             at: datetime, rules: CampaignRules) -> str | None:
    why = unreachable(m.opt_out, m.wecom_added, channel)
    if why:
        return why
    if channel == "wecom_customer" and not m.wecom_id:
        return "没有企业微信外部联系人 ID"
    if channel == "sms" and not m.phone:
        return "没有手机号"
    counts = got.get((m.member_id, channel))
    if counts:
        return over_cap(Received(*counts), channel, at, rules)
    return None
