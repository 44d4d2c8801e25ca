"""Where campaigns stand: recipients per state, which campaigns have work due, finishing.

A campaign is finished by whichever worker first finds nothing pending or claimed; the
conditional UPDATE in `store.act` lets only one of several workers doing so at once win.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from copilot.campaigns import store
from copilot.errors import UserError
from copilot.state.db import StateStore, as_datetime

STATES = ("pending", "claimed", "sent", "skipped", "failed", "holdout")
_DUE = ("(r.state = 'pending' AND (r.claim_until IS NULL OR r.claim_until <= :now)) "
        "OR (r.state = 'claimed' AND r.claim_until < :now)")
# Sending campaigns with a recipient due (pending, or a claim whose worker died), and
# those with nothing left open, which only need finishing.
_WITH_WORK = text(f"""
    SELECT c.campaign_id FROM campaigns c WHERE c.state = 'sending' AND (
        EXISTS (SELECT 1 FROM campaign_recipients r
                WHERE r.campaign_id = c.campaign_id AND ({_DUE}))
        OR NOT EXISTS (SELECT 1 FROM campaign_recipients r
                       WHERE r.campaign_id = c.campaign_id
                       AND r.state IN ('pending', 'claimed')))
    ORDER BY c.send_at, c.campaign_id""")


def progress(conn: Connection, campaign_id: str) -> dict[str, int]:
    """Recipients per state, every state present."""
    rows = conn.execute(text("SELECT state, COUNT(*) FROM campaign_recipients "
                             "WHERE campaign_id = :c GROUP BY state"), {"c": campaign_id})
    counts = dict.fromkeys(STATES, 0)
    counts.update({state: int(n) for state, n in rows})
    return counts


def open_channels(conn: Connection, campaign_id: str) -> list[str]:
    rows = conn.execute(text("SELECT DISTINCT channel FROM campaign_recipients WHERE "
                             "campaign_id = :c AND state IN ('pending', 'claimed') "
                             "ORDER BY channel"), {"c": campaign_id})
    return [ch for (ch,) in rows]


def startable(conn: Connection, now: datetime) -> list[tuple[str, datetime]]:
    """Scheduled campaigns whose send time has come, with that time."""
    rows = conn.execute(text("SELECT campaign_id, send_at FROM campaigns WHERE state = "
                             "'scheduled' AND send_at <= :now ORDER BY send_at, campaign_id"),
                        {"now": now})
    return [(c, as_datetime(at))
            for c, at in rows]


def with_work(conn: Connection, now: datetime) -> list[str]:
    return [c for (c,) in conn.execute(_WITH_WORK, {"now": now})]


def summary(counts: dict[str, int]) -> str:
    return (f"已发送 {counts['sent']},跳过 {counts['skipped']},失败 {counts['failed']},"
            f"对照组 {counts['holdout']}")


def finish_if_complete(state: StateStore, campaign_id: str, now: datetime) -> str:
    """'done' or 'failed' once nothing is pending or claimed ('failed' when every recipient
    who could be sent to failed), else 'sending'; the campaign's state when another worker
    finished it first."""
    with state.begin() as conn:
        counts = progress(conn, campaign_id)
    if counts["pending"] or counts["claimed"]:
        return "sending"
    action = "fail" if counts["sent"] == 0 and counts["failed"] else "finish"
    try:
        return store.act(state, campaign_id, action, None, note=summary(counts),
                         now=now).state
    except UserError:
        return store.get(state, campaign_id).state
