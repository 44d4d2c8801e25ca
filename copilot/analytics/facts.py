"""Each member's purchase summary as of a day: the derived `member_stats` cache when it
covers that day, else computed from the transactions up to it.

The cache (rebuilt on every write) holds all purchases; it answers "as of today" questions
as long as today is not before the last day of data. Asking about an earlier day (a
replay, a test with a fixed today) must not see later purchases, so then the summary is
aggregated from the transactions instead — same columns, so callers do not care which.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection

from copilot.data.dataset import FACTS_AS_OF, info_value

_CACHED = "SELECT member_id, first_ts, last_ts, purchases, spend FROM member_stats"
_LIVE = """SELECT member_id, MIN(ts) AS first_ts, MAX(ts) AS last_ts, COUNT(*) AS purchases,
       SUM(amount) AS spend
FROM transactions WHERE member_id IS NOT NULL AND ts < :as_of_next GROUP BY member_id"""


def facts_as_of(conn: Connection) -> date | None:
    value = info_value(conn, FACTS_AS_OF)
    return date.fromisoformat(value) if value else None


def facts_sql(conn: Connection, as_of: date) -> tuple[str, dict[str, object]]:
    """SQL selecting (member_id, first_ts, last_ts, purchases, spend) as of `as_of`."""
    cached = facts_as_of(conn)
    params = {"as_of_next": datetime.combine(as_of + timedelta(days=1), time.min),
              "as_of": as_of}
    if cached is not None and as_of >= cached:
        return _CACHED, params
    return _LIVE, params
