"""The scheduler's tick: start the campaigns whose time has come, and name those with work.

Every worker ticks (every few seconds from `copilot worker`'s loop, and each minute as a
huey periodic task), so several may tick at once: starting is `store.act`'s conditional
UPDATE (one wins, the others are told it changed), and naming a campaign twice only
enqueues it twice, which the claims make harmless. Nothing starts or is named in quiet
hours: campaigns wait for the morning.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from copilot.campaigns import store
from copilot.campaigns.dispatch.progress import startable, with_work
from copilot.campaigns.dispatch.run import Dispatch
from copilot.campaigns.rules import in_quiet_hours
from copilot.errors import UserError

log = logging.getLogger(__name__)
# A campaign found this long after its send time (no worker was running) is not sent.
MISSED = timedelta(hours=2)


def tick(d: Dispatch) -> list[str]:
    """Start due campaigns; the sending campaigns with recipients due (a claim that
    expired because its worker died counts) or with nothing left but finishing."""
    now = d.clock()
    if in_quiet_hours(now, d.settings.campaign):
        return []
    with d.state.begin() as conn:
        due = startable(conn, now)
    for campaign_id, send_at in due:
        try:
            store.act(d.state, campaign_id, "start", None, now=now)
            if send_at < now - MISSED:  # no worker ran in time: a 周六 post on Monday is
                store.act(d.state, campaign_id, "fail", None, now=now,  # worse than none
                          note=f"错过发送时间 {send_at:%Y-%m-%d %H:%M}(发送程序当时没有运行),"
                               "没有发送;需要的话请重新排期")
                log.warning("campaign %s: missed its send time %s; failed", campaign_id,
                            send_at)
                continue
            log.info("campaign %s: sending", campaign_id)
        except UserError:  # another worker started it a moment ago
            pass
    with d.state.begin() as conn:
        return with_work(conn, now)
