"""Which worker sends which recipient: claims with a lease, and the marks that end them.

A worker claims a batch of one campaign's due recipients on one channel: rows 'pending'
(past the time of their next try, after a passing failure) or 'claimed' by a worker whose
lease ran out because it died or hung. One statement sets claimed_by, claim_until = now +
lease and counts the attempt. On PostgreSQL the due rows are locked FOR UPDATE SKIP
LOCKED, so two workers claiming at once get disjoint batches without waiting for each
other; on SQLite the UPDATE takes the database's one write lock as it starts (every
transaction here begins with a write, so the busy timeout applies), one claim at a time.

Every mark applies only to rows still claimed by the worker making it: a worker whose
lease expired and was taken over cannot overwrite what the new owner does, and its
sender's `record` (the SMS outbox) is written only for rows it really marked, in the same
transaction. For a pending row claim_until means "not before": a passing failure puts it
back with the time of its next try.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Literal

from sqlalchemy import Connection, TextClause, bindparam, text

from copilot.campaigns.dispatch.channels.base import Recipient

# state IN (...): the partial index campaign_recipients_open (migration 0005) holds only
# open rows, so a claim never walks past the ones already sent.
_DUE = ("campaign_id = :c AND channel = :ch AND state IN ('pending', 'claimed') AND "
        "((state = 'pending' AND (claim_until IS NULL OR claim_until <= :now)) "
        "OR (state = 'claimed' AND claim_until < :now))")
# PostgreSQL: the CTE locks what it returns and skips rows another claim holds; a row
# another worker claimed and committed since this statement began is re-checked against
# _DUE and left out. The locked rows are then updated by their ctid (they cannot move
# while locked): a join or an IN on member_id lets a planner without statistics yet
# (rows the preview has just written) rescan the CTE or the campaign once per row.
_CLAIM_PG = f"""
    WITH due AS MATERIALIZED (
        SELECT ctid FROM campaign_recipients WHERE {_DUE} {{order}} LIMIT :n
        FOR UPDATE SKIP LOCKED)
    UPDATE campaign_recipients
    SET state = 'claimed', claimed_by = :w, claim_until = :until, attempts = attempts + 1
    WHERE ctid = ANY(ARRAY(SELECT ctid FROM due))
    RETURNING member_id, store_id, staff_id, attempts"""
_CLAIM_SQLITE = f"""
    UPDATE campaign_recipients
    SET state = 'claimed', claimed_by = :w, claim_until = :until, attempts = attempts + 1
    WHERE campaign_id = :c AND channel = :ch AND member_id IN (
        SELECT member_id FROM campaign_recipients WHERE {_DUE} {{order}} LIMIT :n)
    RETURNING member_id, store_id, staff_id, attempts"""
_MINE = ("campaign_id = :c AND channel = :ch AND state = 'claimed' AND claimed_by = :w")
_MARK_SENT = text(
    "UPDATE campaign_recipients SET state = 'sent', sent_at = :now, claim_until = NULL, "
    f"reason = NULL WHERE {_MINE} AND member_id IN :ids RETURNING member_id"
).bindparams(bindparam("ids", expanding=True))
_SETTLE = text("UPDATE campaign_recipients SET state = :s, reason = :r, claim_until = NULL "
               f"WHERE {_MINE} AND member_id = :m")
_RETRY = text("UPDATE campaign_recipients SET state = 'pending', claimed_by = NULL, "
              f"claim_until = :nb, reason = :r WHERE {_MINE} AND member_id = :m")
# Handing a claim back untried does not count as an attempt.
_RELEASE = text(
    "UPDATE campaign_recipients SET state = 'pending', claimed_by = NULL, claim_until = NULL, "
    f"attempts = attempts - 1 WHERE {_MINE} AND member_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


@dataclass(frozen=True)
class Owner:
    """A claim's holder: the campaign and channel it sends, and the worker's id."""

    campaign_id: str
    channel: str
    worker: str

    def params(self) -> dict[str, str]:
        return {"c": self.campaign_id, "ch": self.channel, "w": self.worker}


@cache
def _claim_sql(dialect: str, by_staff: bool) -> TextClause:
    sql = _CLAIM_PG if dialect == "postgresql" else _CLAIM_SQLITE
    return text(sql.format(order="ORDER BY staff_id, member_id" if by_staff else ""))


def claim(conn: Connection, owner: Owner, *, size: int, now: datetime, lease_s: float,
          by_staff: bool = False) -> list[Recipient]:
    """Up to `size` due recipients, now claimed by `owner` until now + lease_s.
    `by_staff`: a staff member's customers together (WeCom sends one task per staff)."""
    sql = _claim_sql(conn.dialect.name, by_staff)
    rows = conn.execute(sql, {**owner.params(), "now": now, "n": size,
                              "until": now + timedelta(seconds=lease_s)}).all()
    return [Recipient(owner.campaign_id, member_id, owner.channel, store_id, staff_id,
                      attempts=int(attempts) - 1)
            for member_id, store_id, staff_id, attempts in rows]


def mark_sent(conn: Connection, owner: Owner, member_ids: list[str], now: datetime
              ) -> set[str]:
    """Mark sent the rows `owner` still holds; the member ids it marked."""
    if not member_ids:
        return set()
    rows = conn.execute(_MARK_SENT, {**owner.params(), "now": now, "ids": member_ids})
    return {m for (m,) in rows}


def settle(conn: Connection, owner: Owner, state: Literal["failed", "skipped"],
           reasons: Mapping[str, str]) -> None:
    """Mark failed or skipped, with the reason, the rows `owner` still holds."""
    if reasons:
        conn.execute(_SETTLE, [{**owner.params(), "s": state, "r": reason, "m": member_id}
                               for member_id, reason in reasons.items()])


def retry_later(conn: Connection, owner: Owner,
                rows: Iterable[tuple[str, str, datetime]]) -> None:
    """Put (member, reason, not_before) back to pending, to be claimed after not_before."""
    params = [{**owner.params(), "m": m, "r": reason, "nb": not_before}
              for m, reason, not_before in rows]
    if params:
        conn.execute(_RETRY, params)


def release(conn: Connection, owner: Owner, member_ids: list[str]) -> None:
    """Hand back untried claims (stopping, quiet hours, a lease about to run out)."""
    if member_ids:
        conn.execute(_RELEASE, {**owner.params(), "ids": member_ids})
