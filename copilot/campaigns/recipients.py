"""A campaign's recipient rows: written once with the preview, counted for every view.

The preview writes one row per member and channel in the same transaction as the
campaign, so what the requester confirmed and a supervisor approved is exactly who the
dispatcher works through. PostgreSQL takes them with COPY (100 k rows in well under a
second; row-by-row inserts took several), SQLite with one executemany.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, text

COLUMNS = ("campaign_id", "member_id", "channel", "store_id", "staff_id", "state", "reason")


@dataclass(frozen=True)
class Row:
    member_id: str
    channel: str
    store_id: str
    staff_id: str | None
    state: str  # pending | holdout | skipped
    reason: str | None = None


RowLike = Row | tuple[str, str, str, str | None, str, str | None]


def in_holdout(campaign_id: str, member_id: str, share: float) -> bool:
    """The same member of the same campaign is always on the same side; across campaigns
    the split is independent, so one member is not always the one left out."""
    if share <= 0:
        return False
    digest = hashlib.sha256(f"{campaign_id}:{member_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def insert(conn: Connection, campaign_id: str, rows: Iterable[RowLike]) -> None:
    """Rows as `Row`s or plain (member, channel, store, staff, state, reason) tuples; the
    driver's own bulk path, since 100 k rows through SQLAlchemy's parameter handling cost
    more than the insert itself."""
    raw: Any = conn.connection.driver_connection
    values = ((campaign_id, *(tuple(r.__dict__.values()) if isinstance(r, Row) else r))
              for r in rows)
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(
                f"COPY campaign_recipients ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for v in values:
                copy.write_row(v)
        return
    raw.cursor().executemany(
        f"INSERT INTO campaign_recipients ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        values)


def counts(conn: Connection, campaign_id: str) -> dict[tuple[str, str], int]:
    """(channel, state) → recipients."""
    rows = conn.execute(text("SELECT channel, state, COUNT(*) FROM campaign_recipients "
                             "WHERE campaign_id = :c GROUP BY channel, state"),
                        {"c": campaign_id}).all()
    return {(ch, st): int(n) for ch, st, n in rows}


def reasons(conn: Connection, campaign_id: str, limit: int = 5) -> list[tuple[str, int]]:
    """Why recipients were skipped or failed, most common first."""
    rows = conn.execute(text(
        "SELECT reason, COUNT(*) AS n FROM campaign_recipients WHERE campaign_id = :c AND "
        "state IN ('skipped', 'failed') AND reason IS NOT NULL GROUP BY reason "
        "ORDER BY n DESC, reason LIMIT :l"), {"c": campaign_id, "l": limit}).all()
    return [(r, int(n)) for r, n in rows]


@dataclass(frozen=True)
class Window:
    """The calendar day, ISO week (Monday first) and month a send falls in."""

    day: date

    @property
    def week_start(self) -> date:
        return self.day - timedelta(days=self.day.weekday())

    @property
    def month_start(self) -> date:
        return self.day.replace(day=1)

    @property
    def earliest(self) -> datetime:
        return datetime.combine(min(self.week_start, self.month_start), datetime.min.time())


def received(conn: Connection, channels: list[str], member_ids: list[str] | None,
             window: Window) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(member, channel) → messages sent today, this week and this month, for the caps.
    Only members who received something are in the answer; member_ids None: everyone
    (cheaper than binding 100 k ids when the whole audience is asked about)."""
    day = datetime.combine(window.day, datetime.min.time())
    week = datetime.combine(window.week_start, datetime.min.time())
    month = datetime.combine(window.month_start, datetime.min.time())
    only = "AND member_id IN :members" if member_ids is not None else ""
    sql = text(
        "SELECT member_id, channel, "
        "SUM(CASE WHEN sent_at >= :day THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN sent_at >= :week THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN sent_at >= :month THEN 1 ELSE 0 END) "
        "FROM campaign_recipients WHERE state = 'sent' AND channel IN :channels "
        f"AND sent_at >= :earliest AND sent_at < :next {only} GROUP BY member_id, channel")
    params: dict[str, Any] = {"day": day, "week": week, "month": month,
                              "earliest": window.earliest, "channels": channels,
                              "next": day + timedelta(days=1)}
    binds = [bindparam("channels", expanding=True)]
    if member_ids is not None:
        params["members"] = member_ids
        binds.append(bindparam("members", expanding=True))
    rows = conn.execute(sql.bindparams(*binds), params).all()
    return {(m, ch): (int(d), int(w), int(mo)) for m, ch, d, w, mo in rows}
