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

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from copilot.analytics.facts import facts_as_of, facts_sql
from copilot.campaigns import recipients
from copilot.campaigns.recipients import Window, in_holdout
from copilot.campaigns.rules import Received, over_cap, unreachable
from copilot.config import CampaignRules, MetricWindows
from copilot.data.access import Access
from copilot.data.masking import mask_name, mask_phone
from copilot.state.db import StateStore
from tools.segments.compile import Query, ctes
from tools.segments.spec import SegmentSpec

SAMPLE = 5


COLUMNS = ["member_id", "store_id", "staff_id", "name", "phone", "opt_out", "wecom_added",
           "has_wecom_id"]


@dataclass
class Audience:
    segment_size: int = 0  # members of the segment, opted-out ones included
    opted_out: int = 0
    rows: list[tuple[str, str, str, str | None, str, str | None]] = field(default_factory=list)
    reach: Counter[str] = field(default_factory=Counter)  # channel → to send
    excluded: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, why)
    holdout: int = 0  # members kept out on purpose
    members_reached: int = 0
    stores: list[str] = field(default_factory=list)
    sample: list[tuple[str, str | None, str | None, str]] = field(default_factory=list)


def members(conn: Connection, access: Access, spec: SegmentSpec, windows: MetricWindows,
            today: datetime) -> pd.DataFrame:
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
    rows = conn.execute(q.clause(sql), q.params).all()
    df = pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)
    for flag in ("opt_out", "wecom_added", "has_wecom_id"):
        df[flag] = df[flag].fillna(False).astype(bool)
    df["has_phone"] = df["phone"].fillna("").str.strip() != ""
    return df


def plan(state: StateStore, campaign_id: str, found: pd.DataFrame, channels: list[str],
         send_at: datetime, rules: CampaignRules, holdout_share: float) -> Audience:
    """Every member once per channel: to send, kept out (holdout), or skipped and why.
    The rules are called once per distinct case (not per member), so a 100 k audience
    costs what its handful of cases cost, and the rules stay written in one place."""
    out = Audience(segment_size=len(found), opted_out=int(found["opt_out"].sum()))
    with state.begin() as conn:
        got = recipients.received(conn, channels, None, Window(send_at.date()))
    held = found["member_id"].map(lambda m: in_holdout(campaign_id, m, holdout_share))
    kept = pd.Series(False, index=found.index)
    frames = []
    for channel in channels:
        why = _reasons(found, channel, got, send_at, rules)
        ok = why.isna()
        kept |= ok
        state_col = np.where(ok, np.where(held, "holdout", "pending"), "skipped")
        frames.append(pd.DataFrame({"member_id": found["member_id"], "channel": channel,
                                    "store_id": found["store_id"],
                                    "staff_id": found["staff_id"], "state": state_col,
                                    "reason": why}))
        out.reach[channel] = int((ok & ~held).sum())
        for reason, n in why[~ok].value_counts().items():
            out.excluded[(channel, str(reason))] = int(n)
    rows = pd.concat(frames, ignore_index=True)
    out.rows = list(rows.astype(object).where(rows.notna(), None).itertuples(index=False,
                                                                            name=None))
    out.holdout = int((kept & held).sum())
    out.members_reached = int((kept & ~held).sum())
    out.stores = sorted(found.loc[kept, "store_id"].unique().tolist())
    sample = found[kept & ~held].head(SAMPLE)
    out.sample = [(r.member_id, mask_name(r.name), mask_phone(r.phone), r.store_id)
                  for r in sample.itertuples()]
    return out


def _reasons(found: pd.DataFrame, channel: str, got: dict[tuple[str, str], tuple[int, int, int]],
             at: datetime, rules: CampaignRules) -> pd.Series:
    """Why each member cannot get this channel's message (None: they can)."""
    flags = ["opt_out", "wecom_added", "has_phone", "has_wecom_id"]
    cases = {key: unreachable(key[0], key[1], channel, has_phone=key[2], has_wecom_id=key[3])
             for key in found[flags].drop_duplicates().itertuples(index=False, name=None)}
    why = pd.Series([cases[k] for k in found[flags].itertuples(index=False, name=None)],
                    index=found.index, dtype=object)
    counts = {m: c for (m, ch), c in got.items() if ch == channel}
    if counts:
        capped = {c: over_cap(Received(*c), channel, at, rules) for c in set(counts.values())}
        by_member = found["member_id"].map(lambda m: capped.get(counts.get(m)))
        why = why.where(why.notna(), by_member)
    return why.where(why.notna(), None)
