"""Sending one campaign: claim a batch, check it again, send it in paced slices, mark it.

Any number of workers may run this on the same campaign at once (the queue may deliver
"send campaign X" twice, or to every idle worker): the claims decide who sends whom. Each
channel of the campaign drains on its own, so a slow channel does not hold up a fast one.

Where a worker stops early — asked to stop, quiet hours beginning, its lease about to run
out, an error — it hands back the claims it has not yet given to a sender. Those it has
given but not marked stay claimed until the lease expires: a message may have gone out,
so the next worker retries them with attempts > 0 and the adapter checks before sending.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from copilot.campaigns.dispatch.channels.base import Content, Outcome, Recipient, Sender
from copilot.campaigns.dispatch.channels.registry import Unavailable
from copilot.campaigns.dispatch.checks import recheck
from copilot.campaigns.dispatch.claims import (
    Owner,
    claim,
    mark_sent,
    release,
    retry_later,
    settle,
)
from copilot.campaigns.dispatch.pace import TASK_CHANNELS, Pace
from copilot.campaigns.dispatch.progress import finish_if_complete, open_channels
from copilot.campaigns.rules import in_quiet_hours
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore

log = logging.getLogger(__name__)
RETRY_S = 30  # a passing failure is tried again after RETRY_S × the attempts so far
LEASE_MARGIN = 0.8  # stop handing out a batch after this share of its lease


def _never() -> bool:
    return False


@dataclass
class Dispatch:
    """What a worker process sends with; `runtime.Runtime` makes one per process."""

    settings: Settings
    state: StateStore
    members: MemberStore
    pace: Pace
    clock: Callable[[], datetime] = datetime.now
    stopping: Callable[[], bool] = _never


@dataclass
class Tally:
    """What one run did. outcome: done · failed · sending (other workers are still at it,
    or retries wait for their time) · quiet · stopped · not_sending."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0
    outcome: str = "sending"


def worker_id() -> str:
    """Unique per run: a claim belongs to one run, never to a later one in the same process."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def load_content(state: StateStore, campaign_id: str) -> Content | None:
    """The campaign's text, or None unless it is sending."""
    with state.begin() as conn:
        row = conn.execute(text("SELECT name, content, created_by, state FROM campaigns "
                                "WHERE campaign_id = :c"), {"c": campaign_id}).first()
    if row is None or row.state != "sending":
        return None
    return Content(campaign_id, row.name, row.content, row.created_by)


async def send_campaign(d: Dispatch, senders: Mapping[str, Sender], campaign_id: str
                        ) -> Tally:
    """Send what is due of the campaign, then finish it if nothing is left open."""
    tally = Tally()
    content = load_content(d.state, campaign_id)
    if content is None:
        tally.outcome = "not_sending"
        return tally
    with d.state.begin() as conn:
        channels = open_channels(conn, campaign_id)
    worker = worker_id()
    ends = await asyncio.gather(*(
        _drain(d, senders.get(ch) or Unavailable(ch), content, Owner(campaign_id, ch, worker),
               tally) for ch in channels))
    early = [end for end in ends if end != "drained"]
    tally.outcome = early[0] if early else finish_if_complete(d.state, campaign_id, d.clock())
    return tally


def _pause(d: Dispatch) -> str | None:
    if d.stopping():
        return "stopped"
    if in_quiet_hours(d.clock(), d.settings.campaign):
        return "quiet"
    return None


async def _drain(d: Dispatch, sender: Sender, content: Content, owner: Owner, tally: Tally
                 ) -> str:
    """Claim and send batches until none is due: 'drained', 'quiet' or 'stopped'."""
    rules = d.settings.campaign
    size = d.pace.claim_size(owner.channel, rules.batch_size, rules.claim_lease_s)
    while True:
        why = _pause(d)
        if why:
            return why
        deadline = time.monotonic() + rules.claim_lease_s * LEASE_MARGIN
        with d.state.begin() as conn:
            batch = claim(conn, owner, size=size, now=d.clock(), lease_s=rules.claim_lease_s,
                          by_staff=owner.channel in TASK_CHANNELS)
        if not batch:
            return "drained"
        why = await _batch(d, sender, content, owner, batch, deadline, tally)
        if why:
            return why


async def _batch(d: Dispatch, sender: Sender, content: Content, owner: Owner,
                 batch: list[Recipient], deadline: float, tally: Tally) -> str | None:
    """Send one claimed batch; 'quiet' or 'stopped' when it stopped early for that."""
    untried = {r.member_id for r in batch}
    try:
        ready = _precheck(d, owner, batch, tally)
        untried = {r.member_id for r in ready}
        step = d.pace.slice_size(owner.channel)
        for start in range(0, len(ready), step):
            part = ready[start:start + step]
            await asyncio.sleep(d.pace.reserve(owner.channel,
                                               d.pace.units(owner.channel, part)))
            why = _pause(d) or ("lease" if time.monotonic() > deadline else None)
            if why:
                _release(d, owner, untried)
                return None if why == "lease" else why
            untried -= {r.member_id for r in part}
            outcomes = await _send(sender, content, part)
            _settle(d, sender, content, owner, part, outcomes, tally)
    except BaseException:
        _release(d, owner, untried, quietly=True)
        raise
    return None


def _precheck(d: Dispatch, owner: Owner, batch: list[Recipient], tally: Tally
              ) -> list[Recipient]:
    """Fail the recipients out of attempts, skip those the rules now keep out."""
    rules = d.settings.campaign
    worn = {r.member_id: f"尝试 {r.attempts} 次都没有确认发出" for r in batch
            if r.attempts >= rules.max_attempts}
    ready, skipped = recheck(d.members, d.state, rules,
                             [r for r in batch if r.member_id not in worn], d.clock())
    if worn or skipped:
        with d.state.begin() as conn:
            settle(conn, owner, "failed", worn)
            settle(conn, owner, "skipped", skipped)
        tally.failed += len(worn)
        tally.skipped += len(skipped)
    return ready


async def _send(sender: Sender, content: Content, part: list[Recipient]) -> list[Outcome]:
    try:
        return await sender.send(content, part)
    except Exception as exc:  # an adapter's bug or an unexpected answer: try again later
        log.exception("campaign %s: %s sender failed", content.campaign_id, sender.channel)
        return [Outcome(r.member_id, False, f"发送出错:{exc.__class__.__name__}", retry=True)
                for r in part]


def _settle(d: Dispatch, sender: Sender, content: Content, owner: Owner,
            part: list[Recipient], outcomes: list[Outcome], tally: Tally) -> None:
    """One transaction: the sent marks with the sender's record, and every other outcome."""
    max_attempts = d.settings.campaign.max_attempts
    now = d.clock()
    by_id = {o.member_id: o for o in outcomes}
    sent: list[Recipient] = []
    skipped: dict[str, str] = {}
    failed: dict[str, str] = {}
    again: list[tuple[str, str, datetime]] = []
    for r in part:
        o = by_id.get(r.member_id) or Outcome(r.member_id, False, "渠道没有返回结果", retry=True)
        reason = o.reason or "发送失败"
        if o.ok:
            sent.append(r)
        elif o.skip:
            skipped[r.member_id] = reason
        elif o.retry and r.attempts + 1 < max_attempts:
            again.append((r.member_id, reason,
                          now + timedelta(seconds=RETRY_S * (r.attempts + 1))))
        else:
            failed[r.member_id] = (f"{reason}(已尝试 {r.attempts + 1} 次)" if o.retry
                                   else reason)
    with d.state.begin() as conn:
        marked = mark_sent(conn, owner, [r.member_id for r in sent], now)
        if marked:
            sender.record(conn, content, [r for r in sent if r.member_id in marked])
        settle(conn, owner, "skipped", skipped)
        settle(conn, owner, "failed", failed)
        retry_later(conn, owner, again)
    if len(marked) < len(sent):
        log.warning("campaign %s: %d sends were no longer ours to mark (lease taken over)",
                    owner.campaign_id, len(sent) - len(marked))
    tally.sent += len(marked)
    tally.skipped += len(skipped)
    tally.failed += len(failed)
    tally.retried += len(again)


def _release(d: Dispatch, owner: Owner, member_ids: set[str], *, quietly: bool = False
             ) -> None:
    try:
        with d.state.begin() as conn:
            release(conn, owner, sorted(member_ids))
    except Exception:
        if not quietly:
            raise
        log.exception("campaign %s: could not hand back %d claims; they expire",
                      owner.campaign_id, len(member_ids))
